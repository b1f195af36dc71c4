"""Flags and steps shared by the commands that evaluate controls (check, drift, audit)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from sarguard.controls.base import Finding
from sarguard.errors import Problem, ProblemsError, SarguardError
from sarguard.report import FORMATS, render
from sarguard.report.exit_codes import EXIT_CANNOT_RUN, exit_code
from sarguard.report.model import Report
from sarguard.util.output import write_outputs

COLOR_CHOICES = ("auto", "always", "never")


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """``--policy-config``, ``--waivers``, ``--format``, ``--output``, ``--also``, ``--strict``,
    ``--color`` and ``--verbose``."""
    group = parser.add_argument_group("report options")
    group.add_argument("--policy-config", metavar="FILE",
                       help="policy config JSON (the same file as pulumi --policy-pack-config)")
    group.add_argument("--waivers", metavar="FILE", help="YAML list of {control, resource, reason, expires}")
    group.add_argument("--baseline", metavar="FILE",
                       help="an earlier JSON report of this command: failures it already had are "
                            "reported as baselined and not counted (matched by fingerprint)")
    add_output_arguments(parser, group)


def add_output_arguments(parser: argparse.ArgumentParser, group: Any = None) -> None:
    """``--format``, ``--output``, ``--strict``, ``--also``, ``--color``, ``--verbose``: how any
    report is written (in ``group``, or a new "report options" group of ``parser``)."""
    group = group if group is not None else parser.add_argument_group("report options")
    group.add_argument("--format", choices=FORMATS, default="text", metavar="FORMAT", type=_format,
                       help=f"report format: {', '.join(FORMATS)} (default: text)")
    group.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    group.add_argument("--strict", action="store_true",
                       help="exit 1 on any failure, advisory ones included")
    group.add_argument("--also", action="append", default=[], metavar="FORMAT=FILE", type=_also,
                       help="also write the same report as FORMAT to FILE (repeatable), e.g. "
                            "--also sarif=out.sarif --also markdown=summary.md")
    group.add_argument("--color", choices=COLOR_CHOICES, default="auto", metavar="WHEN",
                       help="colour in text reports: auto (default: on a terminal, unless NO_COLOR "
                            "is set; FORCE_COLOR forces it), always or never")
    group.add_argument("--verbose", action="store_true",
                       help="text reports: list every passing finding and show timings")
    # cli.main calls this when the run cannot run, so the requested report files still appear.
    parser.set_defaults(_could_not_run=write_could_not_run)


def _also(value: str) -> tuple[str, str]:
    fmt, sep, path = value.partition("=")
    if not sep or fmt not in FORMATS or not path:
        raise argparse.ArgumentTypeError(
            f"expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}; got {value!r}")
    return _format(fmt), path


def _format(fmt: str) -> str:
    """A report format whose renderer can run here: ``oscal`` needs the ``oscal`` extra, and
    saying so before the run beats reading an org to fail at the end (exit 2, argparse's)."""
    if fmt == "oscal":
        from sarguard.report.render_oscal import OscalUnavailable, require_trestle

        try:
            require_trestle()
        except OscalUnavailable as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return fmt


def add_project_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", type=Path, default=None, metavar="DIR",
                        help="the Pulumi project directory (default: nearest Pulumi.yaml)")


def load_waivers_file(path: str | None) -> list[Any] | None:
    """The waivers in ``path`` (None without a file), checked against the catalog's ids."""
    if not path:
        return None
    from sarguard.controls.catalog import CATALOG
    from sarguard.verdicts.waivers import load_waivers

    return load_waivers(path, known_controls=[c.id for c in CATALOG])


def apply_waivers_file(findings: list[Finding], path: str | None,
                       waivers: list[Any] | None = None) -> tuple[list[Finding], list[str]]:
    """Findings with the waivers (given, or read from ``path``) applied, plus run-level warnings."""
    if waivers is None:
        waivers = load_waivers_file(path)
    if waivers is None:
        return findings, []
    from sarguard.verdicts.waivers import apply_waivers, utc_today

    return apply_waivers(findings, waivers, utc_today())


class InputProblems(ProblemsError):
    """Problems found in several inputs of one run (settings, policy config, rule files)."""

    def heading(self, count: int) -> str:
        return f"{count} problems in the inputs:"


def load_inputs(*steps: Callable[[], Any]) -> list[Any]:
    """Run every loading step and report all their problems at once: a typo in the stack file
    and one in the policy config are fixed in one round trip, not two. One failing step
    re-raises its own error (its message and heading unchanged)."""
    results: list[Any] = []
    errors: list[SarguardError] = []
    for step in steps:
        try:
            results.append(step())
        except SarguardError as exc:
            errors.append(exc)
            results.append(None)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputProblems([p for e in errors for p in e.located_problems()])
    return results


def load_baseline_file(args: argparse.Namespace) -> Any:
    """The ``--baseline`` report's failures (None without the flag), read once per run: a
    baseline of another command, without fingerprints or unreadable is exit 2 before any
    evidence is read."""
    if not getattr(args, "baseline", None):
        return None
    if getattr(args, "_baseline", None) is None:
        from sarguard.verdicts.baseline import load_baseline

        args._baseline = load_baseline(args.baseline, getattr(args, "command", None) or "check")
    return args._baseline


def apply_baseline_file(report: Report, args: argparse.Namespace) -> None:
    """Mark the report's failures that the ``--baseline`` report already had ``baselined``."""
    baseline = load_baseline_file(args)
    if baseline is None:
        return
    from sarguard.report.fingerprint import fingerprints
    from sarguard.verdicts.baseline import apply_baseline

    marked = apply_baseline(report.findings, fingerprints(report), baseline)
    if marked:
        report.notes.append(f"{marked} failure(s) already in the baseline {baseline.path} are "
                            "reported as baselined and not counted")


def load_config(path: str | None):
    from sarguard.verdicts.policy_config import load_policy_config

    return load_policy_config(path)


# ---- colour -------------------------------------------------------------------------------------
def use_color(choice: str, stream: TextIO | None, env: Mapping[str, str] | None = None) -> bool:
    """The conventions, in order: ``--color always|never`` wins; else ``NO_COLOR`` set and not
    empty turns colour off (no-color.org); else ``FORCE_COLOR`` set and not empty turns it on
    (force-color.org); else colour only on a terminal. ``stream`` None means a file."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if env is None else env
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return stream is not None and _isatty(stream)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or exotic stream
        return False


def _text_width(path: str | None) -> int:
    """The report's layout width: a terminal's (at most the report's own layout width), or
    ``COLUMNS``; unfolded in a file, a pipe or a CI log."""
    from sarguard.report.render_text import WIDTH
    from sarguard.util.termwidth import UNFOLDED, text_width

    width = text_width(to_stdout=not path or path == "-")
    return width if width == UNFOLDED or "COLUMNS" in os.environ else min(width, WIDTH)


def _render_for(report: Report, fmt: str, path: str | None, args: argparse.Namespace,
                full_report: str | None = None) -> str:
    if fmt != "text":
        return render(report, fmt, full_report=full_report)
    to_stdout = not path or path == "-"
    color = use_color(getattr(args, "color", "auto"), sys.stdout if to_stdout else None)
    return render(report, fmt, color=color, verbose=bool(getattr(args, "verbose", False)),
                  width=_text_width(path))


# ---- emitting -----------------------------------------------------------------------------------
# Stands in for the rendering time while the renderings that report it are being timed.
_RENDERING_PENDING = 987654.321


def emit_timed(report: Report, args: argparse.Namespace) -> int:
    """``emit`` with the rendering phase timed into the report itself.

    The JSON report carries that time, and it is known only once everything is rendered: the
    renderings are made once with a stand-in value, which is then replaced in the JSON text
    (only a verbose text report, which shows timings in its own layout, is rendered again)."""
    import time

    apply_baseline_file(report, args)
    started = time.perf_counter()
    report.timings["rendering"] = _RENDERING_PENDING
    outputs = report_outputs(report, args)
    elapsed = round(time.perf_counter() - started, 3)
    report.timings["rendering"] = elapsed
    pending, measured = str(_RENDERING_PENDING), str(elapsed)
    final = []
    for fmt, path, text in outputs:
        if fmt == "json":  # "timings" closes the document: found from the end at once
            at = text.rfind(pending)
            text = text[:at] + measured + text[at + len(pending):] if at >= 0 else text
        elif pending in text:  # a layout that shows timings its own way (verbose text)
            text = _render_for(report, fmt, path, args, _full_report(args))
        final.append((path, text))
    write_outputs(final)
    return exit_code(report)


def emit(report: Report, args: argparse.Namespace) -> int:
    """Render the report as asked, write it, and return the exit code it implies."""
    write_reports(report, args)
    return exit_code(report)


def write_reports(report: Report, args: argparse.Namespace, *, text_to_stdout: bool = True) -> None:
    """Every requested rendering: the ``--also`` files, then ``--format`` to ``--output`` or
    stdout. ``text_to_stdout`` False leaves out a text report bound for stdout (a run that
    could not run has already said why on stderr).

    Every file (``--output`` and each ``--also``) is replaced together or not at all: a target
    that cannot be written raises ``OutputError`` (exit 2, naming it) and leaves the others as
    they were.
    """
    write_outputs([(path, text) for _, path, text in
                   report_outputs(report, args, text_to_stdout=text_to_stdout)])


def report_outputs(report: Report, args: argparse.Namespace, *,
                   text_to_stdout: bool = True) -> list[tuple[str, str | None, str]]:
    """``(format, path, text)`` of every requested rendering, in the order they are written."""
    note_provenance(report, args)
    also = getattr(args, "also", None) or []
    full = _full_report(args)
    outputs = [(fmt, path, _render_for(report, fmt, path, args, full)) for fmt, path in also]
    if text_to_stdout or args.output or args.format != "text":
        outputs.append((args.format, args.output,
                        _render_for(report, args.format, args.output, args, full)))
    return outputs


def note_provenance(report: Report, args: argparse.Namespace) -> None:
    """The command line (credentials redacted) and the time, for the reports that show where
    they came from (HTML, OSCAL); set once, so every format of one run says the same."""
    if report.command is None:
        import shlex

        from sarguard.util.redaction import env_secrets, redact

        argv = getattr(args, "_argv", None)
        words = ["sarguard", *(argv if argv is not None else sys.argv[1:])]
        report.command = redact(redact(shlex.join(words)), env_secrets(os.environ))
    if report.generated_at is None:
        from datetime import UTC, datetime

        report.generated_at = datetime.now(UTC).isoformat(timespec="seconds")


def _full_report(args: argparse.Namespace) -> str | None:
    """A Markdown report cut at GitHub's comment limit points at a complete one from this run:
    the first file of another format."""
    also = getattr(args, "also", None) or []
    return next((path for fmt, path in [*also, (args.format, args.output)]
                 if fmt != "markdown" and path and path != "-"), None)


# ---- could not run ------------------------------------------------------------------------------
def note_report_context(args: argparse.Namespace, **values: Any) -> None:
    """Remember what a could-not-run report should name (stack, stack_file, org, org_url) as
    soon as the command knows it."""
    context = args.__dict__.setdefault("_report_context", {})
    context.update({k: v for k, v in values.items() if v is not None})


def wants_report(args: argparse.Namespace) -> bool:
    """A command with report flags whose run asked for a report file or a machine format."""
    if not hasattr(args, "also"):
        return False
    return bool(args.also or args.output or args.format != "text")


def could_not_run_report(args: argparse.Namespace, problems: list[Problem]) -> Report:
    """A report that carries only why the run could not run: nothing evaluated, exit 2."""
    from sarguard.controls.catalog import CATALOG

    context: dict[str, Any] = getattr(args, "_report_context", {})
    org_url = context.get("org_url") or getattr(args, "org_url", None)
    return Report(
        kind=getattr(args, "command", None) or "check",
        controls=list(CATALOG),
        stack=context.get("stack") or getattr(args, "stack", None),
        stack_file=context.get("stack_file") or getattr(args, "state", None),
        org=context.get("org") or org_url,
        org_url=org_url,
        errors=list(problems),
        strict=bool(getattr(args, "strict", False)),
        timings=dict(context.get("timings") or {}),
    )


def write_could_not_run(args: argparse.Namespace, problems: list[Problem]) -> int:
    """Write the could-not-run report in every requested format (never raises); exit 2."""
    if not wants_report(args):
        return EXIT_CANNOT_RUN
    report = could_not_run_report(args, problems)
    try:
        write_reports(report, args, text_to_stdout=False)
    except Exception as exc:  # noqa: BLE001 -- the run already failed; say so, never a traceback
        from sarguard.util.output import OutputError
        from sarguard.util.redaction import env_secrets, redact

        if isinstance(exc, OutputError) and any(p.message == str(exc) for p in problems):
            return EXIT_CANNOT_RUN  # the run failed writing this very target: said once already

        detail = redact(redact(f"{type(exc).__name__}: {exc}"), env_secrets(os.environ))
        print(f"sarguard {report.kind}: error: could not write the report: {detail}",
              file=sys.stderr)
    return EXIT_CANNOT_RUN
