"""The steps ``drift`` and ``audit`` share: read the org, evaluate, assemble the report."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sarguard.commands.common import (
    add_report_arguments,
    apply_waivers_file,
    load_config,
    use_color,
)
from sarguard.commands.org import add_org_arguments, make_client
from sarguard.controls.catalog import CATALOG
from sarguard.controls.runner import evaluate_catalog
from sarguard.model import OrgState
from sarguard.report.model import Report, UnreadItem


def add_live_arguments(parser: argparse.ArgumentParser) -> None:
    add_org_arguments(parser)
    parser.add_argument("--since", default="30d", metavar="TIME",
                        help="System Log window: a duration (30d, 12h) or an ISO 8601 time (default 30d; "
                             "Okta keeps 90 days)")
    parser.add_argument("--no-system-log", action="store_true",
                        help="skip the System Log evidence (SAR-11/12 become not_evaluated)")
    add_report_arguments(parser)


def progress_wanted() -> bool:
    """Progress bars only for a person at a terminal: not in CI logs, not when turned off."""
    return (sys.stderr.isatty() and not os.environ.get("CI")
            and not os.environ.get("SARGUARD_NO_PROGRESS"))


def _show_progress(args: argparse.Namespace) -> bool:
    """Progress bars with text output only (never mixed into a machine format)."""
    return args.format == "text" and progress_wanted()


@contextmanager
def progress_reporter(enabled: bool, color: bool = True) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    console = Console(stderr=True, no_color=not color)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  transient=True, console=console) as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(f"reading {phase}", total=max(total, 1))
            bar.update(tasks[phase], completed=done, total=max(total, 1))

        yield update


def read_live(args: argparse.Namespace, stack_config: Mapping[str, Any] | None,
              timings: dict[str, float], env: Mapping[str, str] | None = None) -> OrgState:
    """Resolve the org, read it (and its System Log), and time it. ``env`` (default: the
    process's) holds the credentials: a fleet gives each org only its own."""
    from sarguard.commands.common import note_report_context
    from sarguard.evidence.liveread import read_org
    from sarguard.systemlog.durations import parse_since

    now = datetime.now(UTC)
    since = None if args.no_system_log else parse_since(args.since, now)
    client = make_client(args, stack_config, env)
    note_report_context(args, org=client.endpoint.url, org_url=client.endpoint.url)
    started = time.perf_counter()
    color = use_color(getattr(args, "color", "auto"), sys.stderr)
    with progress_reporter(_show_progress(args), color) as progress:
        state = read_org(client, since=since, until=None if since is None else now, progress=progress)
    if since is None:
        from sarguard.model import SECTION_SYSTEM_LOG

        state.unread.setdefault(SECTION_SYSTEM_LOG, "not read: --no-system-log was given")
    timings["live"] = round(time.perf_counter() - started, 3)
    return state


def could_not_read(kind: str, exc: Exception, args: argparse.Namespace, timings: dict[str, float],
                   **extra: Any) -> int:
    """The org could not be read at all (credentials refused, org unreachable): still write a
    report, so CI that uploads it finds one, carrying the error — exit 2, nothing evaluated.
    The message names the org's URL and, for a network failure, the host that failed."""
    from sarguard.commands.common import note_report_context, write_could_not_run
    from sarguard.errors import Problem
    from sarguard.util.redaction import redact

    message = redact(unreachable_message(exc, getattr(args, "_report_context", {}).get("org_url")))
    print(f"sarguard {kind}: error: {message}", file=sys.stderr)
    note_report_context(args, timings=timings, **extra)
    return write_could_not_run(args, [Problem(message)])


def unreachable_message(exc: Exception, org_url: str | None) -> str:
    """``could not reach https://acme.okta.com (connection refused)``; other failures say
    which org could not be read, and why."""
    from sarguard.okta.errors import OktaTransportError

    origin = getattr(exc, "origin", None) if isinstance(exc, OktaTransportError) else None
    if origin:
        reason = getattr(exc, "reason", None) or "failed"
        detail = getattr(exc, "detail", None) or str(exc)
        if org_url and origin.rstrip("/") != org_url.rstrip("/"):
            return f"could not reach {origin} ({reason}), the admin host of {org_url}: {detail}"
        return f"could not reach {origin} ({reason}): {detail}"
    where = f" {org_url}" if org_url else ""
    return f"could not read the org{where}: {exc}"


def evaluate_live(state: OrgState, args: argparse.Namespace, timings: dict[str, float]) -> tuple[list, list[str]]:
    config = load_config(args.policy_config)
    started = time.perf_counter()
    findings = evaluate_catalog(state, config)
    findings, warnings = apply_waivers_file(findings, args.waivers)
    timings["evaluation"] = round(time.perf_counter() - started, 3)
    return findings, warnings


def unread_items(state: OrgState, already: list[UnreadItem] | None = None) -> list[UnreadItem]:
    """Every live read failure, once: drift's per-resource items plus sections they don't cover."""
    items = list(already or [])
    reasons = {item.reason for item in items}
    for key, reason in sorted(state.unread.items()):
        if reason not in reasons and key not in {i.resource for i in items}:
            items.append(UnreadItem(resource=key, reason=reason))
    return items


def evidence_sections(state: OrgState) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if state.system_log is not None:
        out["systemLog"] = state.system_log.to_dict()
    api = state.meta.get("api")
    if api:
        out["api"] = api
    return out


def new_report(kind: str, state: OrgState, findings: list, warnings: list[str], timings: dict[str, float],
               args: argparse.Namespace, **extra: Any) -> Report:
    warnings = [*state.meta.get("warnings", ()), *warnings]  # the reader's (a skewed Date…)
    org = state.meta.get("org")
    return Report(kind=kind, findings=findings, controls=list(CATALOG), org=org,
                  org_url=org if isinstance(org, str) else None,
                  warnings=warnings, timings=timings, strict=args.strict,
                  evidence=evidence_sections(state), **extra)


DEADLINE_REASON = "the run's deadline passed while reading"


def apply_ignore_file(path: str | None, drift: list, unread: list[UnreadItem], warnings: list[str]) -> None:
    """Mark known, accepted drift and unreadable evidence as ignored (they stay in the report).

    Evidence left unread because the run's ``--deadline`` passed is never ignored: the run
    did not finish, so it exits 2 whatever the ignore file accepts."""
    if not path:
        return
    from sarguard.verdicts.ignores import apply_ignores, load_ignores, unused_ignore_warnings

    rules = load_ignores(path)
    apply_ignores(drift, unread, rules)
    warnings.extend(unused_ignore_warnings(drift, unread, rules))
    for item in unread:
        if item.ignored and item.reason.startswith(DEADLINE_REASON):
            item.ignored = False
            item.ignore_reason = None
            warnings.append(f"{item.resource}: the ignore file's rule does not apply: it was "
                            "unread because the run's --deadline passed, not as a known gap")


def preload_rule_files(args: argparse.Namespace, *more: Callable[[], Any]) -> list[Any]:
    """Read every rule file (and run ``more`` loading steps, e.g. the stack) before touching
    the org — a typo must not cost an API budget — reporting all their problems at once.
    Returns the results of ``more``."""
    from sarguard.commands.common import load_inputs

    def waivers() -> None:
        if args.waivers:
            from sarguard.verdicts.waivers import load_waivers

            load_waivers(args.waivers, known_controls=[c.id for c in CATALOG])

    def ignores() -> None:
        if getattr(args, "ignore", None):
            from sarguard.verdicts.ignores import load_ignores

            load_ignores(args.ignore)

    def baseline() -> None:
        from sarguard.commands.common import load_baseline_file

        load_baseline_file(args)

    results = load_inputs(lambda: load_config(args.policy_config), waivers, ignores, baseline,
                          *more)
    return results[4:]
