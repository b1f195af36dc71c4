"""Baseline: read what ``sarguard drift`` reads, with Okta's official Python SDK, the way its
documentation shows (one awaited call after another, following ``Link`` cursors with the SDK's
``PaginationHelper``, default page sizes).

Reads: the brands; per brand its email templates; per link-carrying template its settings
(recipients) and its customizations; the event hooks; both admin roles' report subscription;
ThreatInsight. (The notification switches live on an internal endpoint the SDK has no method
for, so the baseline reads one section fewer than sarguard.)

Run it as a script against any org (the token comes from ``OKTA_API_TOKEN``, never a flag)::

    OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true OKTA_API_TOKEN=... \\
        python benchmarks/sdk_baseline.py --org-url http://127.0.0.1:PORT

It prints one JSON object: wall time, items read, SDK errors. The SDK refuses ``http://`` org
URLs unless ``OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true``, which the script sets only for
loopback URLs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

LINK_TEMPLATES = ("NewSignOnNotification", "AuthenticatorEnrolled", "AuthenticatorReset",
                  "PasswordChanged")
ROLES = ("SUPER_ADMIN", "ORG_ADMIN")
NOTIFICATION = "REPORT_SUSPICIOUS_ACTIVITY"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class BaselineResult:
    """What one baseline read saw; ``errors`` holds SDK error messages (never credentials)."""

    seconds: float = 0.0
    brands: int = 0
    templates: int = 0
    settings: int = 0
    customizations: int = 0
    event_hooks: int = 0
    role_subscriptions: int = 0
    threat_insight: bool = False
    errors: list[str] = field(default_factory=list)


async def _all_pages(call: Callable[..., Awaitable[Any]], *args: Any,
                     errors: list[str]) -> list[Any]:
    """Every item of a listed collection, page by page, as the SDK's docs paginate."""
    from okta.pagination import PaginationHelper

    items: list[Any] = []
    result, resp, err = await call(*args)
    while True:
        if err is not None:
            errors.append(_error_text(err))
            return items
        items.extend(result or [])
        after = PaginationHelper.extract_next_cursor(dict(resp.headers)) if resp else None
        if not after:
            return items
        result, resp, err = await call(*args, after=after)


def _error_text(err: Any) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text[:200]


async def read_org_with_sdk(org_url: str, token: str) -> BaselineResult:
    """Read the org through ``okta.client.Client`` and count what came back."""
    from okta.client import Client

    out = BaselineResult()
    started = time.perf_counter()
    client = Client({"orgUrl": org_url, "token": token})
    brands = await _all_pages(client.list_brands, errors=out.errors)
    out.brands = len(brands)
    for brand in brands:
        templates = await _all_pages(client.list_email_templates, brand.id, errors=out.errors)
        out.templates += len(templates)
        for name in LINK_TEMPLATES:
            settings, _, err = await client.get_email_settings(brand.id, name)
            if err is not None:
                out.errors.append(_error_text(err))
            elif settings is not None:
                out.settings += 1
            items = await _all_pages(client.list_email_customizations, brand.id, name,
                                     errors=out.errors)
            out.customizations += len(items)
    hooks = await _all_pages(client.list_event_hooks, errors=out.errors)
    out.event_hooks = len(hooks)
    for role in ROLES:
        sub, _, err = await client.get_subscriptions_notification_type_role(role, NOTIFICATION)
        if err is not None:
            out.errors.append(_error_text(err))
        elif sub is not None:
            out.role_subscriptions += 1
    threat, _, err = await client.get_current_configuration()
    if err is not None:
        out.errors.append(_error_text(err))
    out.threat_insight = threat is not None
    out.seconds = round(time.perf_counter() - started, 3)
    return out


def run(org_url: str, token: str) -> BaselineResult:
    """Synchronous entry point (allows plain http only for a loopback org)."""
    if urlsplit(org_url).scheme == "http":
        if (urlsplit(org_url).hostname or "") not in LOOPBACK:
            raise ValueError(f"--org-url: plain http is allowed only for loopback, got {org_url}")
        os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"
    result = asyncio.run(read_org_with_sdk(org_url, token))
    result.errors = [e.replace(token, "[redacted]") for e in result.errors]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org-url", required=True, help="the org, e.g. https://acme.okta.com")
    args = parser.parse_args(argv)
    token = os.environ.get("OKTA_API_TOKEN")
    if not token:
        print("sdk_baseline: error: set OKTA_API_TOKEN", file=sys.stderr)
        return 2
    try:
        result = run(args.org_url, token)
    except ValueError as exc:
        print(f"sdk_baseline: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(result)))
    return 0 if not result.errors else 1


if __name__ == "__main__":
    sys.exit(main())
