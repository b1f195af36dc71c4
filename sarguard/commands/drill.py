"""``sarguard drill``: probe a real event hook endpoint as Okta would, judged as DRILL-01..05.

The endpoint comes from the stack (``--stack``: ``eventHook.url``, ``authHeader`` and custom
``headers``) or from ``--url``/``--auth-header``; the auth value only from
``SARGUARD_EVENT_HOOK_SECRET``. The report (kind ``drill``) is written like every other report,
in every format, with the same exit codes. No Okta API call, no Okta credentials.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from sarguard.commands.argtypes import ranged
from sarguard.commands.common import add_output_arguments, add_project_argument, emit_timed
from sarguard.errors import UsageError

if TYPE_CHECKING:
    from sarguard.drill.target import DrillTarget

MAX_TIMEOUT_S = 300.0


_timeout = ranged(float, lambda n: 0 < n <= MAX_TIMEOUT_S, "seconds, e.g. 10",
                  f"more than 0 and at most {MAX_TIMEOUT_S:g} seconds")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--stack", metavar="NAME",
                        help="take the hook URL, auth header name and custom headers from "
                             "stacks/Pulumi.<NAME>.yaml (sarguard:settings.eventHook)")
    source.add_argument("--url", metavar="URL",
                        help="the endpoint to drill, e.g. https://soar.example.com/okta/events")
    parser.add_argument("--auth-header", metavar="NAME", default=None,
                        help="the auth header's name with --url (default Authorization); its "
                             "value is read from SARGUARD_EVENT_HOOK_SECRET, never from a flag")
    add_project_argument(parser)
    parser.add_argument("--timeout", type=_timeout, default=10.0, metavar="SECONDS",
                        help="how long to wait for an answer at all (default 10); Okta's 3 s "
                             "budget is fixed and judged separately")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from sarguard.drill.catalog import DRILL_CONTROLS
    from sarguard.drill.runner import run_drill
    from sarguard.drill.target import SECRET_ENV, make_target
    from sarguard.report.model import Report

    secret = os.environ.get(SECRET_ENV) or None
    if args.stack:
        if args.auth_header:
            raise UsageError("--auth-header goes with --url; with --stack the header name comes "
                             "from eventHook.authHeader")
        target = _stack_target(args, secret)
    elif args.url:
        target = make_target(args.url, args.auth_header or "Authorization", secret)
    else:
        raise UsageError("give --stack NAME (the hook from the stack's settings) or --url URL")
    result = run_drill(target, timeout=args.timeout)
    report = Report(kind="drill", findings=result.findings, controls=list(DRILL_CONTROLS),
                    stack=args.stack, evidence=result.evidence, strict=args.strict,
                    timings={"drill": result.seconds}, warnings=list(result.warnings))
    return emit_timed(report, args)


def _stack_target(args: argparse.Namespace, secret: str | None) -> DrillTarget:
    from sarguard.drill.target import make_target
    from sarguard.pulumi.declared import load_stack_settings
    from sarguard.pulumi.stack import load_stack_config

    config = load_stack_config(args.stack, args.project_dir)
    hook = load_stack_settings(config).event_hook
    if hook is None:
        raise UsageError(f"{config.relative_stack_file()}: declares no eventHook; nothing to drill")
    if not hook.auth_header:
        raise UsageError(f"{config.relative_stack_file()}: eventHook declares no authHeader, so the "
                         "hook sends no auth value to drill (SAR-06 fails for it); add one, or "
                         "drill with --url URL --auth-header NAME")
    from sarguard.util.urlsecrets import placeholder_names

    if placeholder_names(hook.url):
        raise UsageError(f"{config.relative_stack_file()}: eventHook.url holds {{secret:NAME}} "
                         "placeholders whose values are Pulumi secrets sarguard does not decrypt; "
                         "drill with --url and the endpoint's full URL")
    return make_target(hook.url, hook.auth_header, secret, hook.headers)
