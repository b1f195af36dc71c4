"""``sarguard events [PATTERN] [--eligible]``: the bundled Okta event-type catalog."""

from __future__ import annotations

import argparse
import json

from sarguard.commands.org import add_org_arguments
from sarguard.systemlog.eventcatalog import catalog_release, list_types
from sarguard.systemlog.render import table_to_text
from sarguard.util.output import write_output
from sarguard.util.termwidth import table_width


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pattern", nargs="?", help="a glob (event_hook.*) or a substring (report_suspicious)")
    parser.add_argument("--eligible", action="store_true", help="only event-hook-eligible types")
    parser.add_argument("--format", choices=["text", "json"], default="text", metavar="FORMAT",
                        help="text or json (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    # Accepted for symmetry with the other live commands; the catalog itself is bundled.
    add_org_arguments(parser, for_catalog=True, org_from_stack=False, deadline=False)


def run(args: argparse.Namespace) -> int:
    types = list_types(args.pattern, eligible_only=args.eligible)
    if args.format == "json":
        doc = {"release": catalog_release(), "count": len(types),
               "eventTypes": [{"name": t.name, "category": t.category, "eventHookEligible": t.hook_eligible,
                               "identityEngineOnly": t.oie_only, "description": t.description}
                              for t in types]}
        write_output(json.dumps(doc, indent=2), args.output)
        return 0
    rows = [[t.name, t.category, "yes" if t.hook_eligible else "", "yes" if t.oie_only else "",
             t.description] for t in types]
    table = table_to_text(None, ["Event type", "Category", "Hook-eligible", "OIE only", "Description"],
                          rows, width=table_width(args.output))
    footer = f"{len(types)} event type(s) (Okta catalog {catalog_release()})"
    write_output(f"{table}\n{footer}" if rows else footer, args.output)
    return 0
