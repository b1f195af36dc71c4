"""``sarguard audit``: the control catalog on a live org, no stack needed (orgs not on Pulumi yet)."""

from __future__ import annotations

import argparse

from sarguard.commands.common import add_project_argument, emit_timed
from sarguard.commands.live import (
    add_live_arguments,
    apply_ignore_file,
    could_not_read,
    evaluate_live,
    new_report,
    preload_rule_files,
    read_live,
    unread_items,
)
from sarguard.commands.org import _positive


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", metavar="NAME",
                        help="optional: take okta:orgName/okta:baseUrl from this stack's config")
    add_project_argument(parser)
    parser.add_argument("--ignore", metavar="FILE",
                        help="YAML list of {resource, reason}: evidence you knowingly cannot read")
    add_live_arguments(parser)
    fleet = parser.add_argument_group("fleet options")
    fleet.add_argument("--orgs", metavar="FILE",
                       help="audit every org of a fleet: YAML {orgs: [{name, url, credentials: "
                            "{tokenEnv} | {clientIdEnv, privateKeyEnv, privateKeyIdEnv, "
                            "scopesEnv}, policyConfig?, waivers?, ignore?}]}; one fleet report, "
                            "the worst org's exit code")
    fleet.add_argument("--org-concurrency", type=_positive, default=4, metavar="N",
                       help="orgs read at once with --orgs (default 4)")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "orgs", None):
        from sarguard.commands.fleet import run_fleet

        return run_fleet(args)
    # Imported here: importing sarguard.okta loads the whole HTTP client (~0.5 s) that
    # `sarguard check`, whose parser is built with this module, never uses.
    from sarguard.okta.errors import OktaError

    def stack_values() -> dict | None:
        if not args.stack:
            return None
        from sarguard.pulumi.stack import load_stack_config

        return load_stack_config(args.stack, args.project_dir).values

    [values] = preload_rule_files(args, stack_values)
    timings: dict[str, float] = {}
    try:
        live = read_live(args, values, timings)
    except OktaError as exc:
        return could_not_read("audit", exc, args, timings, stack=args.stack)
    findings, warnings = evaluate_live(live, args, timings)
    unread = unread_items(live)
    apply_ignore_file(args.ignore, [], unread, warnings)
    report = new_report("audit", live, findings, warnings, timings, args, stack=args.stack, unread=unread)
    return emit_timed(report, args)
