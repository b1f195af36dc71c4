"""``sarguard audit --orgs FILE``: every org of a fleet audited concurrently, one fleet report.

Each org is audited as ``sarguard audit --org-url URL`` would be, with its own credentials
(only the variables its entry names), its own client (so its own rate budget and deadline) and
its own rule files; an org whose rule files, credentials or reading fail is that org's exit 2
and the others are still audited. The fleet's formats: json, text, markdown and html.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
from typing import Any

from sarguard.commands.common import note_provenance
from sarguard.commands.live import (
    apply_ignore_file,
    evaluate_live,
    new_report,
    preload_rule_files,
    read_live,
    unreachable_message,
    unread_items,
)
from sarguard.errors import Problem, SarguardError, UsageError
from sarguard.fleet.orgs import OrgEntry, load_orgs
from sarguard.fleet.runner import audit_fleet
from sarguard.report.render_fleet import FLEET_FORMATS, render_fleet
from sarguard.util.output import write_outputs
from sarguard.util.redaction import register as register_secrets

EXCLUSIVE = ("org_url", "admin_url", "stack", "baseline")


def check_fleet_flags(args: argparse.Namespace) -> None:
    """What ``--orgs`` cannot be combined with, said before anything is read."""
    given = [name for name in EXCLUSIVE if getattr(args, name, None)]
    if given:
        flag = "--" + given[0].replace("_", "-")
        raise UsageError(f"--orgs takes each org's URL, credentials and rule files from the "
                         f"file; {flag} cannot be combined with it")
    formats = [args.format, *(fmt for fmt, _ in getattr(args, "also", None) or [])]
    wrong = [fmt for fmt in formats if fmt not in FLEET_FORMATS]
    if wrong:
        raise UsageError(f"a fleet report is written as {', '.join(FLEET_FORMATS)}; not {wrong[0]} "
                         "(audit one org for it)")


def run_fleet(args: argparse.Namespace) -> int:
    check_fleet_flags(args)
    orgs = load_orgs(args.orgs)
    # Every org's credentials are redacted from everything written, whatever their variables
    # are called (the clients register theirs only while they live).
    held = tuple(v for org in orgs for v in org.secret_values(os.environ))
    register_secrets(lambda: held)
    fleet = audit_fleet(orgs, lambda org: audit_org(org, args),
                        lambda org, exc: org_could_not_run(org, exc, args),
                        concurrency=args.org_concurrency)
    outputs = [(path, render_fleet(fleet, fmt)) for fmt, path in getattr(args, "also", []) or []]
    outputs.append((args.output, render_fleet(fleet, args.format)))
    write_outputs(outputs)
    return int(fleet["exitCode"])


def _org_args(org: OrgEntry, args: argparse.Namespace) -> argparse.Namespace:
    """The flags of one org's audit: the fleet's, with the org's URL and rule files."""
    one = copy.copy(args)
    one.org_url, one.admin_url, one.stack = org.url, None, None
    one.policy_config = org.policy_config or args.policy_config
    one.waivers = org.waivers or args.waivers
    one.ignore = org.ignore or args.ignore
    one.format, one.also, one.output = "json", [], None  # no progress bars, no files of its own
    one._report_context = {}
    return one


def audit_org(org: OrgEntry, args: argparse.Namespace) -> dict[str, Any]:
    """One org's audit JSON report (raises on what makes it exit 2 before a report exists)."""
    from sarguard.report.render_json import to_dict

    one = _org_args(org, args)
    preload_rule_files(one)
    env = org.environment(os.environ)
    timings: dict[str, float] = {}
    live = read_live(one, None, timings, env=env)
    findings, warnings = evaluate_live(live, one, timings)
    unread = unread_items(live)
    apply_ignore_file(one.ignore, [], unread, warnings)
    report = new_report("audit", live, findings, warnings, timings, one, unread=unread)
    note_provenance(report, args)
    return to_dict(report)


def org_could_not_run(org: OrgEntry, exc: BaseException, args: argparse.Namespace) -> dict[str, Any]:
    """The org's could-not-run report (exit 2), its reason also on stderr."""
    from sarguard.commands.common import could_not_run_report
    from sarguard.okta.errors import OktaError
    from sarguard.report.render_json import to_dict
    from sarguard.util.redaction import env_secrets, redact

    if isinstance(exc, OktaError):
        message = unreachable_message(exc, org.url)
    elif isinstance(exc, SarguardError):
        message = str(exc)
    else:
        message = f"internal error: {type(exc).__name__}: {exc} — please report it"
    message = redact(redact(org.own_names(message)), env_secrets(os.environ))
    print(f"sarguard audit: org {org.name}: error: {message}", file=sys.stderr)
    one = _org_args(org, args)
    problems = (exc.located_problems() if isinstance(exc, SarguardError)
                and not isinstance(exc, OktaError) else [Problem(message)])
    report = could_not_run_report(one, [Problem(redact(p.message, env_secrets(os.environ)),
                                                 p.file, p.line, p.key_path) for p in problems])
    report.org, report.org_url = org.url, org.url
    note_provenance(report, args)
    return to_dict(report)
