"""``sarguard plan --stack NAME [--format text|json] [--output FILE]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sarguard.util.output import write_output


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="stack name: reads <stackConfigDir>/Pulumi.<NAME>.yaml")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--output", help="write to FILE instead of stdout")
    parser.add_argument("--project-dir", type=Path, default=None,
                        help="the Pulumi project directory (default: nearest Pulumi.yaml)")


def run(args: argparse.Namespace) -> int:
    # Imported here: the Pulumi SDK costs ~0.4 s, which every other command (and every
    # restart of ``sarguard responder serve``) would pay just to build the command line.
    from sarguard.pulumi.declared import run_program
    from sarguard.pulumi.plan import render_plan_json, render_plan_text

    declared = run_program(args.stack, args.project_dir)
    text = render_plan_json(declared) if args.format == "json" else render_plan_text(declared)
    write_output(text, args.output)
    return 0
