"""``sarguard emulator report --url URL --user ID``: a user reports suspicious activity.

Writes, on a running emulator, the reported activity and the report event, and lets the emulator
deliver them; ``--wait`` waits for the deliveries and shows how each ended. The emulator's token
comes from ``--token`` or ``SARGUARD_EMULATOR_TOKEN``. Exit 0 when the report was written (and,
with ``--wait``, every delivery arrived), 1 when a delivery failed, 2 when the emulator could
not be asked (unreachable, wrong token, unknown user).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from sarguard.emulator.reported import REPORTABLE
from sarguard.util.output import write_output

TOKEN_ENV = "SARGUARD_EMULATOR_TOKEN"


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", required=True, metavar="URL",
                        help="the running emulator, e.g. http://127.0.0.1:41297 (loopback only)")
    parser.add_argument("--user", required=True, metavar="ID_OR_LOGIN",
                        help="the reporting user's id or login")
    parser.add_argument("--token", dest="report_token", default=None, metavar="TOKEN",
                        help=f"the emulator's token (default: ${TOKEN_ENV})")
    parser.add_argument("--reported-event-type", default="user.session.start",
                        choices=list(REPORTABLE),
                        help="what the user reports (default: a sign-on, user.session.start)")
    for name, example in (("ip", "203.0.113.45"), ("city", "Lagos"), ("state", "Lagos"),
                          ("country", "Nigeria"), ("browser", "CHROME"), ("os", "Windows 10")):
        parser.add_argument(f"--{name}", default=None, metavar=name.upper(),
                            help=f"where the reported activity came from, e.g. {example!r}")
    parser.add_argument("--wait", type=float, nargs="?", const=15.0, default=None,
                        metavar="SECONDS",
                        help="wait for the deliveries (default 15 s when given) and show them")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def run_report(args: argparse.Namespace) -> int:
    from sarguard.emulator.control_client import ControlClient

    body: dict[str, Any] = {"userId": args.user, "reportedEventType": args.reported_event_type}
    for name in ("ip", "city", "state", "country", "browser", "os"):
        if getattr(args, name):
            body[name] = getattr(args, name)
    token = args.report_token or os.environ.get(TOKEN_ENV, "")
    with ControlClient(args.url, token) as client:
        answer = client.report(body)
        queued = [str(i) for i in answer.get("deliveries") or []]
        deliveries = client.wait_for(queued, args.wait) if args.wait is not None and queued \
            else []
        if args.format == "json":
            text = json.dumps({**answer, "deliveryResults": deliveries}, indent=2)
        else:
            text = _text(answer, queued, deliveries, waited=args.wait is not None)
        write_output(text, None)  # the token masked, should the emulator's answer echo it
    failed = [d for d in deliveries if d.get("status") != "delivered"]
    return 1 if failed else 0


def _text(answer: dict[str, Any], queued: list[str], deliveries: list[dict[str, Any]],
          waited: bool) -> str:
    events = {e.get("uuid"): e for e in answer.get("events") or []}
    report = events.get(answer.get("reportEvent"), {})
    reported = events.get(answer.get("reportedEvent"), {})
    actor = report.get("actor") or {}
    lines = [f"report written: {answer.get('reportEvent')} by {actor.get('alternateId')} "
             f"({actor.get('id')})",
             f"reported activity: {reported.get('eventType')} {answer.get('reportedEvent')} "
             f"from {(reported.get('client') or {}).get('ipAddress')}"]
    if not queued:
        lines.append("deliveries: none (no ACTIVE and VERIFIED hook is subscribed to these events)")
        return "\n".join(lines)
    if not waited:
        lines.append(f"deliveries queued: {', '.join(queued)}")
        return "\n".join(lines)
    for d in deliveries:
        attempts = d.get("attempts") or []
        timing = ", ".join(f"#{a.get('attempt')} {a.get('httpStatus') or '-'} in "
                           f"{a.get('durationMs')} ms" for a in attempts) or "no attempt"
        reason = f": {d.get('reason')}" if d.get("reason") else ""
        lines.append(f"delivery {d.get('id')} to {d.get('hookName')}: {d.get('status')} "
                     f"({timing}){reason}")
    return "\n".join(lines)
