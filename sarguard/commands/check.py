"""``sarguard check``: the control catalog offline, over a stack (mock engine) or a stack export."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import Any

from sarguard.commands.common import (
    add_project_argument,
    add_report_arguments,
    apply_waivers_file,
    emit_timed,
    load_baseline_file,
    load_config,
    load_inputs,
    load_waivers_file,
    note_report_context,
)
from sarguard.controls.catalog import CATALOG
from sarguard.controls.runner import evaluate_catalog, in_group
from sarguard.errors import UsageError
from sarguard.report.model import Report
from sarguard.util.collector import command_gc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--stack", metavar="NAME",
                        help="stack name: run the project's program with the config of "
                             "<stackConfigDir>/Pulumi.<NAME>.yaml under Pulumi's mock engine")
    source.add_argument("--state", metavar="FILE", help="a `pulumi stack export` file (JSON)")
    source.add_argument("--preview", metavar="FILE",
                        help="a `pulumi preview --json --show-sames` file (any language's program)")
    add_project_argument(parser)
    add_report_arguments(parser)


def run(args: argparse.Namespace) -> int:
    # Light work follows the program's run: the collector stays paused until the report is
    # written (see sarguard/util/collector.py for how the pause is settled).
    with command_gc():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if not args.stack and not args.state and not args.preview:
        raise UsageError("give --stack NAME (offline, from the stack file), --state FILE "
                         "(a `pulumi stack export` file) or --preview FILE "
                         "(`pulumi preview --json --show-sames`)")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    # Bad inputs stop the run before any evaluation, all their problems reported at once.
    config, waivers, (states, stack, stack_file, org, run_warnings) = load_inputs(
        lambda: load_config(args.policy_config), lambda: load_waivers_file(args.waivers),
        lambda: _declared(args), lambda: load_baseline_file(args))[:3]
    timings["declared"] = time.perf_counter() - started

    started = time.perf_counter()
    findings = [f for subject, state in states for f in in_group(evaluate_catalog(state, config), subject)]
    findings, warnings = apply_waivers_file(findings, args.waivers, waivers)
    timings["evaluation"] = time.perf_counter() - started
    report = Report(kind="check", findings=findings, controls=list(CATALOG), stack=stack, org=org,
                    org_url=_org_url(org), warnings=[*run_warnings, *warnings], timings=timings,
                    strict=args.strict,
                    stack_file=stack_file)
    return emit_timed(report, args)


States = list[tuple[str | None, Any]]


def _declared(args: argparse.Namespace) -> tuple[States, str | None, str | None, str | None, list[str]]:
    """``([(group subject, state)], stack, stack file, org, run warnings)`` from the stack's
    program (under mocks) or the export."""
    if args.stack:
        return _from_program(args)
    if args.preview:
        from sarguard.evidence.preview import state_from_preview

        state = state_from_preview(args.preview)
        org = state.meta.get("oktaOrg")
        note_report_context(args, stack_file=args.preview, org=org, org_url=_org_url(org))
        return [(None, state)], state.meta.get("stack"), args.preview, org, []
    from sarguard.evidence.stack_export import states_from_stack_export

    states = states_from_stack_export(args.state)  # one per Okta provider of the program
    return states, states[0][1].meta.get("stack"), args.state, None, []


def _from_program(args: argparse.Namespace) -> tuple[States, str | None, str | None, str | None, list[str]]:
    """Each org the program manages (one per Okta provider) with its stack-config warnings."""
    from sarguard.pulumi.credentials import stack_credentials_warning
    from sarguard.pulumi.declared import run_program

    note_report_context(args, stack=args.stack)
    # The stack file alone, never this machine; only the report follows (``run`` settles the
    # collector's pause once the report is written).
    declared = run_program(args.stack, args.project_dir, settle_gc=False)
    stack_file = declared.config.relative_stack_file()
    several = len(declared.groups) > 1
    orgs = [_org_name(g.inputs) for g in declared.groups]
    org = orgs[0] if not several else ", ".join(o for o in orgs if o) or None
    note_report_context(args, stack_file=stack_file, org=org,
                        org_url=_org_url(orgs[0]) if not several else None)
    warnings: list[str] = []
    states: States = []
    for group in declared.groups:
        # SAR-03 accepts a link to the org's own host when it knows the org: the provider's
        # orgName/baseUrl say which it is (offline, ${baseURL} and relative links pass anyway).
        if (name := _org_name(group.inputs)) and "org" not in group.state.meta:
            group.state.meta["org"] = f"https://{name}"
        # The OAuth-only rules read the provider's own inputs (the stack's okta:* for the default).
        warning = stack_credentials_warning(group.inputs, manage=declared.manages_notifications(group))
        if warning:
            warnings.append(f"provider {group.label}: {warning}" if several else warning)
        warnings.extend(group.state.meta.get("warnings", ()))
        states.append((group.label if several else None, group.state))
    return states, args.stack, stack_file, org, list(dict.fromkeys(warnings))


def _org_url(org: str | None) -> str | None:
    """The org's URL; none for several orgs (``org`` then lists their hosts)."""
    return f"https://{org}" if org and ", " not in org else None


def _org_name(values: Mapping[str, Any]) -> str | None:
    org, base = values.get("okta:orgName"), values.get("okta:baseUrl") or "okta.com"
    return f"{org}.{base}" if isinstance(org, str) and isinstance(base, str) else None
