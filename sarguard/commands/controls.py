"""``sarguard controls [--framework NAME] [--format text|json]``: the control catalog, or the
mapping of one framework's requirements to the controls that support them (offline)."""

from __future__ import annotations

import argparse

from sarguard.controls.catalog import CATALOG
from sarguard.controls.frameworks import FRAMEWORK_NAMES
from sarguard.report.catalog import catalog_json, catalog_text
from sarguard.util.output import write_output
from sarguard.util.termwidth import table_width


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--framework", choices=list(FRAMEWORK_NAMES), metavar="NAME",
                        help="show one framework's requirements and the controls that support "
                             f"each: {', '.join(FRAMEWORK_NAMES)} (default: the whole catalog)")
    parser.add_argument("--format", choices=["text", "json"], default="text", metavar="FORMAT",
                        help="text or json (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    text = (catalog_json(CATALOG, args.framework) if args.format == "json"
            else catalog_text(CATALOG, args.framework, width=table_width(args.output)))
    write_output(text, args.output)
    return 0
