"""``sarguard check``: the control catalog offline, over a stack (mock engine) or a stack export."""

from __future__ import annotations

import argparse
import time
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
from sarguard.controls.runner import evaluate_catalog
from sarguard.errors import UsageError
from sarguard.report.model import Report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--stack", metavar="NAME",
                        help="stack name: run the program for stacks/Pulumi.<NAME>.yaml under mocks")
    source.add_argument("--state", metavar="FILE", help="a `pulumi stack export` file (JSON)")
    source.add_argument("--preview", metavar="FILE",
                        help="a `pulumi preview --json --show-sames` file (any language's program)")
    add_project_argument(parser)
    add_report_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if not args.stack and not args.state and not args.preview:
        raise UsageError("give --stack NAME (offline, from the stack file), --state FILE "
                         "(a `pulumi stack export` file) or --preview FILE "
                         "(`pulumi preview --json --show-sames`)")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    # Bad inputs stop the run before any evaluation, all their problems reported at once.
    config, waivers, (state, stack, stack_file, org, run_warnings) = load_inputs(
        lambda: load_config(args.policy_config), lambda: load_waivers_file(args.waivers),
        lambda: _declared(args), lambda: load_baseline_file(args))[:3]
    timings["declared"] = time.perf_counter() - started

    started = time.perf_counter()
    findings = evaluate_catalog(state, config)
    if args.preview:  # a program's own resources: the fix is an argument, not a settings key
        from sarguard.controls.resource_remediation import speak_resources

        findings = speak_resources(findings, component=bool(state.meta.get("component")))
    findings, warnings = apply_waivers_file(findings, args.waivers, waivers)
    timings["evaluation"] = time.perf_counter() - started
    report = Report(kind="check", findings=findings, controls=list(CATALOG), stack=stack, org=org,
                    org_url=_org_url(org), warnings=[*run_warnings, *warnings], timings=timings,
                    strict=args.strict,
                    stack_file=stack_file)
    return emit_timed(report, args)


def _declared(args: argparse.Namespace) -> tuple[Any, str | None, str | None, str | None, list[str]]:
    """``(state, stack, stack file, org, run warnings)`` from the stack (under mocks) or the
    export."""
    if args.stack:
        from sarguard.pulumi.credentials import stack_credentials_warning
        from sarguard.pulumi.declared import run_program

        declared = run_program(args.stack, args.project_dir)  # the stack file alone, never this machine
        stack_file = declared.config.relative_stack_file()
        org = _org_name(declared.config.values)
        note_report_context(args, stack_file=stack_file, org=org, org_url=_org_url(org))
        warning = stack_credentials_warning(declared.config.values,
                                            manage=declared.settings.manage_notifications)
        return declared.state, args.stack, stack_file, org, [warning] if warning else []
    if args.preview:
        from sarguard.evidence.preview import state_from_preview

        state = state_from_preview(args.preview)
        org = state.meta.get("oktaOrg")
        note_report_context(args, stack_file=args.preview, org=org, org_url=_org_url(org))
        return state, state.meta.get("stack"), args.preview, org, []
    from sarguard.evidence.stack_export import state_from_stack_export

    state = state_from_stack_export(args.state)
    return state, state.meta.get("stack"), args.state, None, []


def _org_url(org: str | None) -> str | None:
    return f"https://{org}" if org else None


def _org_name(values: dict) -> str | None:
    org, base = values.get("okta:orgName"), values.get("okta:baseUrl") or "okta.com"
    return f"{org}.{base}" if isinstance(org, str) and isinstance(base, str) else None
