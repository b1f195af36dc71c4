"""``sarguard investigate (--user ID | --ip ADDR | --session ID)``: seed 003's System Log queries."""

from __future__ import annotations

import argparse

from sarguard.commands.logs_common import (
    add_log_arguments,
    fetcher,
    org_client,
    unread_json,
    window,
)
from sarguard.systemlog.filters import FilterError, build_filter, is_okta_id, validate_login
from sarguard.systemlog.investigate import (
    investigate,
    render_investigation_json,
    render_investigation_text,
)
from sarguard.systemlog.scopes import DEFAULT_SCOPE, SCOPES
from sarguard.util.output import write_output
from sarguard.util.termwidth import table_width

_ANY_ID = "00u00000000000000000"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    subject = parser.add_argument_group("subject (at least one; combined with AND)")
    subject.add_argument("--user", metavar="ID_OR_LOGIN",
                         help="Okta user id (00u...) or login (one lookup resolves it to the id): "
                              "actor.id or target.id")
    subject.add_argument("--ip", metavar="ADDR", help="client IP address")
    subject.add_argument("--session", metavar="ID", help="external session id")
    parser.add_argument("--scope", choices=list(SCOPES), default=DEFAULT_SCOPE, metavar="SCOPE",
                        help=f"which events: {', '.join(SCOPES)} (default {DEFAULT_SCOPE}; "
                             "'all' = no event filter)")
    parser.add_argument("--query-only", action="store_true",
                        help="print the System Log filter for the Admin Console and stop (no API call)")
    add_log_arguments(parser, until=True)


def run(args: argparse.Namespace) -> int:
    login = args.user is not None and not is_okta_id(args.user)
    if args.query_only:
        if login:
            raise FilterError(f"--user: {args.user!r} is not an Okta id; --query-only makes no "
                              "API call, so it cannot look a login up: give the user's id (00u…)")
        query = build_filter(user=args.user, ip=args.ip, session=args.session, scope=args.scope)
        if args.format == "json":
            import json

            write_output(json.dumps({"filter": query, "scope": args.scope}, indent=2), args.output)
        else:
            write_output(query, args.output)
        return 0
    _, since, until = window(args)
    user = validate_login(args.user) if login else args.user
    # Validate every subject before any API call (a login stands as an id-shaped placeholder).
    build_filter(user=_ANY_ID if login else user, ip=args.ip, session=args.session,
                 scope=args.scope)
    client = org_client(args)
    resolved = None
    if login:
        user, resolved = _resolve_login(client, user)
    unread: list[str] = []  # what the run's --deadline left unread: a partial timeline, exit 2
    result = investigate(fetcher(args, unread, client), since=since, until=until, user=user,
                         ip=args.ip, session=args.session, scope=args.scope)
    result.resolved = resolved
    result.unread = unread_json(unread)
    text = (render_investigation_json(result) if args.format == "json"
            else render_investigation_text(result, width=table_width(args.output)))
    write_output(text, args.output)
    return 2 if unread else 0


def _resolve_login(client, login: str) -> tuple[str, dict[str, str]]:
    """``--user LOGIN`` -> the user's id, with one ``GET /api/v1/users/{login}``."""
    from sarguard.okta.users import lookup_user

    user = lookup_user(client, login)
    user_id = user.get("id") if user else None
    if not isinstance(user_id, str) or not is_okta_id(user_id):
        raise FilterError(f"--user: Okta has no user with the login {login!r} "
                          "(GET /api/v1/users/{login} found none)")
    return user_id, {"login": login, "id": user_id}
