"""``sarguard drift --stack NAME``: declared vs live, attribute by attribute, then the catalog on live."""

from __future__ import annotations

import argparse
import time

from sarguard.commands.common import add_project_argument, emit_timed, note_report_context
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
from sarguard.controls.runner import locate
from sarguard.model import OrgState


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, metavar="NAME",
                        help="stack name: stacks/Pulumi.<NAME>.yaml")
    add_project_argument(parser)
    parser.add_argument("--provider", metavar="NAME",
                        help="the Okta provider (resource name; `default` for the default provider) "
                             "whose resources are compared, when the program manages several orgs")
    parser.add_argument("--ignore", metavar="FILE",
                        help="YAML list of {resource, field?, reason}: known, accepted drift or unreadable evidence")
    add_live_arguments(parser)


def locate_drift(items: list, declared: OrgState | None) -> None:
    """Point each declared resource's drift item at its line in the stack file; live-only
    (``unmanaged``) items keep no location and point at the stack file without a line."""
    if declared is None:
        return
    for item in items:
        if item.kind != "unmanaged":
            item.location = locate(declared, item.resource)


def run(args: argparse.Namespace) -> int:
    # Imported here: importing sarguard.okta loads the whole HTTP client (~0.5 s) that
    # `sarguard check`, whose parser is built with this module, never uses.
    from sarguard.drift import compare_states
    from sarguard.okta.errors import OktaError
    from sarguard.pulumi.declared import run_program

    timings: dict[str, float] = {}
    started = time.perf_counter()
    [declared] = preload_rule_files(args, lambda: run_program(args.stack, args.project_dir,
                                                              command="drift"))
    group = declared.group(args.provider)  # one org: the provider's group
    timings["declared"] = round(time.perf_counter() - started, 3)
    note_report_context(args, stack_file=declared.config.relative_stack_file())

    try:
        live = read_live(args, group.inputs, timings)
    except OktaError as exc:
        return could_not_read("drift", exc, args, timings, stack=args.stack,
                              stack_file=declared.config.relative_stack_file())

    started = time.perf_counter()
    result = compare_states(group.state, live)
    timings["drift"] = round(time.perf_counter() - started, 3)
    findings, warnings = evaluate_live(live, args, timings)

    unread = unread_items(live, result.unread)
    locate_drift(result.items, group.state)
    apply_ignore_file(args.ignore, result.items, unread, warnings)
    report = new_report("drift", live, findings, warnings, timings, args, stack=args.stack,
                        drift=result.items, unread=unread, notes=list(result.notes),
                        stack_file=declared.config.relative_stack_file())
    return emit_timed(report, args)
