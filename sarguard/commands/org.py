"""Flags and set-up shared by the commands that read an org (drift, audit, reports, investigate)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any

from sarguard.commands.argtypes import ranged

_percent = ranged(int, lambda n: 1 <= n <= 100, "a whole percentage 1-100")
_positive = ranged(int, lambda n: n >= 1, "a positive whole number")
_seconds = ranged(float, lambda n: 0 <= n < float("inf"), "a number of seconds",
                  "a number of seconds, 0 or more")
_deadline = ranged(float, lambda n: 0 < n < float("inf"), "a number of seconds",
                   "a number of seconds greater than 0")
DEFAULT_DEADLINE_S = 600.0


ORG_FROM_ENV = "OKTA_ORG_NAME + OKTA_BASE_URL"


def add_org_arguments(parser: argparse.ArgumentParser, *, for_catalog: bool = False,
                      org_from_stack: bool = True, deadline: bool = True) -> None:
    """``--org-url``, ``--admin-url``, ``--max-api-capacity``, ``--concurrency``, ``--timeout``,
    ``--max-wait`` and (``deadline``: the commands that read an org) ``--deadline``.

    ``org_from_stack`` False: the command reads no stack's ``okta:*`` config (``import`` writes
    its stack; ``events`` reads none), so ``--org-url``'s help names only the environment."""
    group = parser.add_argument_group(
        "org options" + (" (accepted for symmetry; the catalog is bundled)" if for_catalog else ""))
    default = (f"okta:orgName + okta:baseUrl from the stack, then {ORG_FROM_ENV}"
               if org_from_stack else ORG_FROM_ENV)
    group.add_argument("--org-url", metavar="URL",
                       help=f"the org, e.g. https://acme.okta.com (default: {default})")
    group.add_argument("--admin-url", metavar="URL",
                       help="admin host for the notification switches on a custom domain "
                            "(default: {org}-admin.{domain})")
    group.add_argument("--max-api-capacity", type=_percent, default=50, metavar="PERCENT",
                       help="share of each Okta rate-limit bucket this run may use (default 50)")
    group.add_argument("--concurrency", type=_positive, default=8, metavar="N",
                       help="requests in flight at once (default 8)")
    group.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="the longest one request may take, connect to last byte (default 30)")
    group.add_argument("--max-wait", type=_seconds, default=120.0, metavar="SECONDS",
                       help="the longest single wait for a rate limit this run accepts; evidence "
                            "that would need a longer one is unread and the run exits 2 "
                            "(default 120)")
    if deadline:
        group.add_argument("--deadline", type=_deadline, default=DEFAULT_DEADLINE_S,
                           metavar="SECONDS",
                           help="the longest the run may read the org, rate-limit waits included; "
                                "what is not read by then is unread and the run exits 2, its reports "
                                f"written (import writes nothing) (default {DEFAULT_DEADLINE_S:g})")


def make_client(args: argparse.Namespace, stack_config: Mapping[str, Any] | None = None,
                env: Mapping[str, str] | None = None):
    """An Okta API client from the flags, the stack's okta:* config and the environment."""
    from sarguard.okta.factory import client_from_env

    return client_from_env(
        dict(os.environ if env is None else env),
        org_url=args.org_url,
        admin_url=args.admin_url,
        stack_config=stack_config,
        max_api_capacity=args.max_api_capacity,
        concurrency=args.concurrency,
        timeout=args.timeout,
        max_wait=args.max_wait,
        deadline=getattr(args, "deadline", None),
    )
