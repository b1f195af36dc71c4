"""``sarguard investigate (--user ID | --ip ADDR | --session ID)``: seed 003's System Log queries."""

from __future__ import annotations

import argparse

from sarguard.commands.logs_common import add_log_arguments, fetcher, window
from sarguard.systemlog.filters import build_filter
from sarguard.systemlog.investigate import (
    investigate,
    render_investigation_json,
    render_investigation_text,
)
from sarguard.systemlog.scopes import DEFAULT_SCOPE, SCOPES
from sarguard.util.output import write_output
from sarguard.util.termwidth import table_width


def add_arguments(parser: argparse.ArgumentParser) -> None:
    subject = parser.add_argument_group("subject (at least one; combined with AND)")
    subject.add_argument("--user", metavar="ID", help="Okta user id (00u...): actor.id or target.id")
    subject.add_argument("--ip", metavar="ADDR", help="client IP address")
    subject.add_argument("--session", metavar="ID", help="external session id")
    parser.add_argument("--scope", choices=list(SCOPES), default=DEFAULT_SCOPE, metavar="SCOPE",
                        help=f"which events: {', '.join(SCOPES)} (default {DEFAULT_SCOPE}; "
                             "'all' = no event filter)")
    parser.add_argument("--query-only", action="store_true",
                        help="print the System Log filter for the Admin Console and stop (no API call)")
    add_log_arguments(parser, until=True)


def run(args: argparse.Namespace) -> int:
    if args.query_only:
        query = build_filter(user=args.user, ip=args.ip, session=args.session, scope=args.scope)
        if args.format == "json":
            import json

            write_output(json.dumps({"filter": query, "scope": args.scope}, indent=2), args.output)
        else:
            write_output(query, args.output)
        return 0
    _, since, until = window(args)
    build_filter(user=args.user, ip=args.ip, session=args.session, scope=args.scope)  # validate first
    result = investigate(fetcher(args), since=since, until=until, user=args.user, ip=args.ip,
                         session=args.session, scope=args.scope)
    text = (render_investigation_json(result) if args.format == "json"
            else render_investigation_text(result, width=table_width(args.output)))
    write_output(text, args.output)
    return 0
