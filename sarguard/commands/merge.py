"""``sarguard merge A.json B.json …``: per-org audit JSON reports (or fleet reports) made
elsewhere — the shards of a CI matrix — combined into one fleet report, exactly as
``audit --orgs`` over all of them would make it; exit code the worst org's."""

from __future__ import annotations

import argparse

from sarguard.fleet.combine import merge_reports
from sarguard.report.render_fleet import render_fleet
from sarguard.util.output import write_output
from sarguard.verdicts.baseline import read_report

MERGE_FORMATS = ("json", "html", "markdown", "text")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reports", nargs="+", metavar="REPORT.json",
                        help="`sarguard audit --format json` reports (one org each) or fleet reports")
    parser.add_argument("--format", choices=MERGE_FORMATS, default="json", metavar="FORMAT",
                        help=f"{', '.join(MERGE_FORMATS)} (default: json)")
    parser.add_argument("--output", metavar="FILE", help="write the fleet report to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    inputs = [(path, read_report(path, kinds=("audit", "fleet"), what="merge input"))
              for path in args.reports]
    fleet = merge_reports(inputs)
    write_output(render_fleet(fleet, args.format), args.output)
    return int(fleet["exitCode"])
