"""``sarguard plan --stack NAME [--format text|json] [--output FILE]``."""

from __future__ import annotations

import argparse
import os

from sarguard.commands.common import add_project_argument
from sarguard.util.output import write_output
from sarguard.util.termwidth import table_width


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, metavar="NAME",
                        help="stack name: reads <stackConfigDir>/Pulumi.<NAME>.yaml")
    parser.add_argument("--format", choices=["text", "json"], default="text", metavar="FORMAT",
                        help="text or json (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    add_project_argument(parser)


def run(args: argparse.Namespace) -> int:
    # Imported here: the Pulumi SDK costs ~0.4 s, which every other command (and every
    # restart of ``sarguard responder serve``) would pay just to build the command line.
    from sarguard.pulumi.declared import run_program
    from sarguard.pulumi.plan import render_plan_json, render_plan_text

    # As `pulumi up` would run here: the provider's credentials include this environment's.
    declared = run_program(args.stack, args.project_dir, environ=os.environ, command="plan")
    text = (render_plan_json(declared) if args.format == "json"
            else render_plan_text(declared, width=table_width(args.output)))
    write_output(text, args.output)
    return 0
