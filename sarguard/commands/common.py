"""Flags and steps shared by the commands that evaluate controls (check, drift, audit)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sarguard.controls.base import Finding
from sarguard.report import FORMATS, render
from sarguard.report.exit_codes import exit_code
from sarguard.report.model import Report
from sarguard.util.output import write_output


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """``--policy-config``, ``--waivers``, ``--format``, ``--output``, ``--strict``, ``--also``."""
    group = parser.add_argument_group("report options")
    group.add_argument("--policy-config", metavar="FILE",
                       help="policy config JSON (the same file as pulumi --policy-pack-config)")
    group.add_argument("--waivers", metavar="FILE", help="YAML list of {control, resource, reason, expires}")
    add_output_arguments(group)


def add_output_arguments(group: Any) -> None:
    """``--format``, ``--output``, ``--strict``, ``--also`` on a parser or argument group: how
    any report is written."""
    group.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    group.add_argument("--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    group.add_argument("--strict", action="store_true",
                       help="exit 1 on any failure, advisory ones included")
    group.add_argument("--also", action="append", default=[], metavar="FORMAT=FILE", type=_also,
                       help="also write the same report as FORMAT to FILE (repeatable), e.g. "
                            "--also sarif=out.sarif --also markdown=summary.md")


def _also(value: str) -> tuple[str, str]:
    fmt, sep, path = value.partition("=")
    if not sep or fmt not in FORMATS or not path:
        raise argparse.ArgumentTypeError(
            f"expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}; got {value!r}")
    return fmt, path


def add_project_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project-dir", type=Path, default=None,
                        help="the Pulumi project directory (default: nearest Pulumi.yaml)")


def apply_waivers_file(findings: list[Finding], path: str | None) -> tuple[list[Finding], list[str]]:
    """Findings with the waivers file applied, plus run-level warnings."""
    if not path:
        return findings, []
    from sarguard.controls.catalog import CATALOG
    from sarguard.verdicts.waivers import apply_waivers, load_waivers, utc_today

    waivers = load_waivers(path, known_controls=[c.id for c in CATALOG])
    return apply_waivers(findings, waivers, utc_today())


def load_config(path: str | None):
    from sarguard.verdicts.policy_config import load_policy_config

    return load_policy_config(path)


def emit_timed(report: Report, args: argparse.Namespace) -> int:
    """``emit`` with the rendering phase timed into the report itself."""
    import time

    started = time.perf_counter()
    render(report, args.format)
    report.timings["rendering"] = round(time.perf_counter() - started, 3)
    return emit(report, args)


def emit(report: Report, args: argparse.Namespace) -> int:
    """Render the report as asked, write it, and return the exit code it implies."""
    color = args.format == "text" and not args.output and sys.stdout.isatty()
    for fmt, path in getattr(args, "also", None) or []:
        write_output(render(report, fmt), path)
    write_output(render(report, args.format, color=color), args.output)
    return exit_code(report)
