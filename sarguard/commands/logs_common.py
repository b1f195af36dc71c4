"""What ``reports`` and ``investigate`` share: org flags, the window, a System Log fetcher."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from sarguard.commands.common import add_project_argument
from sarguard.commands.org import add_org_arguments, make_client


def add_log_arguments(parser: argparse.ArgumentParser, *, until: bool) -> None:
    parser.add_argument("--since", default="30d", metavar="TIME",
                        help="window start: a duration (30d, 12h, 90m, 2w) or an ISO 8601 time (default 30d)")
    if until:
        parser.add_argument("--until", metavar="TIME",
                            help="window end: a duration ago or an ISO 8601 time (default now)")
    parser.add_argument("--stack", metavar="NAME",
                        help="optional: take okta:orgName/okta:baseUrl from this stack's config")
    add_project_argument(parser)
    add_org_arguments(parser)
    parser.add_argument("--format", choices=["text", "json"], default="text", metavar="FORMAT",
                        help="text or json (default: text)")
    parser.add_argument("--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")


def connection_args(args: argparse.Namespace) -> list[str]:
    """The flags that chose this org (as the user gave them), for hint commands to repeat so
    they run as is."""
    out: list[str] = []
    for flag, value in (("--org-url", args.org_url), ("--admin-url", args.admin_url),
                        ("--stack", args.stack), ("--project-dir", args.project_dir)):
        if value:
            out += [flag, str(value)]
    return out


def window(args: argparse.Namespace) -> tuple[datetime, datetime, datetime]:
    from sarguard.systemlog.durations import parse_since, parse_until

    now = datetime.now(UTC)
    since = parse_since(args.since, now)
    until = parse_until(getattr(args, "until", None), now, since=since)
    return now, since, until


def org_client(args: argparse.Namespace):
    """The Okta client for the org the flags (and ``--stack``) name."""
    stack_values = None
    if args.stack:
        from sarguard.pulumi.stack import load_stack_config

        stack_values = load_stack_config(args.stack, args.project_dir).values
    return make_client(args, stack_values)


def fetcher(args: argparse.Namespace, unread: list[str] | None = None, client=None):
    """A System Log fetcher for the org; ``unread`` collects what the run's ``--deadline`` left
    unread (the query then ends with what it has)."""
    from sarguard.evidence.liveread import log_fetcher

    return log_fetcher(client if client is not None else org_client(args), unread)


def unread_text(unread: list[str]) -> str:
    """The lines a partial text answer ends with."""
    return "".join(f"unread (this answer is partial): {reason}\n" for reason in unread)


def unread_json(unread: list[str]) -> list[dict[str, str]]:
    """The ``unread`` entries of a partial JSON answer (the drift/audit report's shape)."""
    from sarguard.model import SECTION_SYSTEM_LOG

    return [{"resource": SECTION_SYSTEM_LOG, "reason": reason} for reason in unread]
