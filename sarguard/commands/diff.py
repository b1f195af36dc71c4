"""``sarguard diff OLD.json NEW.json``: new, fixed and unchanged failures between two JSON reports
of the same command (or two fleet reports, org by org); exit 1 when NEW has a failure OLD did not
have."""

from __future__ import annotations

import argparse

from sarguard.report.diff import diff_reports
from sarguard.report.render_diff import DIFF_FORMATS, render_diff
from sarguard.util.output import write_output
from sarguard.verdicts.baseline import FLEET_KIND, REPORT_KINDS, ReportFileError, read_report

KINDS = (*REPORT_KINDS, FLEET_KIND)  # two fleet reports are compared org by org


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD.json", help="the earlier JSON report (--format json)")
    parser.add_argument("new", metavar="NEW.json", help="the later JSON report of the same command")
    parser.add_argument("--format", choices=DIFF_FORMATS, default="text", metavar="FORMAT",
                        help=f"{', '.join(DIFF_FORMATS)} (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write the diff to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    old = read_report(args.old, kinds=KINDS, what="OLD report")
    new = read_report(args.new, kinds=KINDS, what="NEW report")
    if old["kind"] != new["kind"]:
        raise ReportFileError(f"{args.old} is a {old['kind']} report and {args.new} a "
                              f"{new['kind']} one: diff compares two reports of the same command "
                              "(or two fleet reports)")
    diff = diff_reports(old, new)
    write_output(render_diff(diff, args.format), args.output)
    return diff["summary"]["exitCode"]
