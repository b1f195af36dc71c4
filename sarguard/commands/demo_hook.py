"""The demo's second act: repair the report hook through Okta's API, drill it, act out a report
and watch it arrive.

``hook_endpoint`` is the one place that decides what the hook points at: a loopback receiver
for now (:class:`~sarguard.emulator.receiver.HookReceiver`); the responder replaces it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

HOOK_ID = "who1sarHook000000001"  # the demo seed's report hook
AUTH_HEADER = "Authorization"


@dataclass
class HookEndpoint:
    """Where the demo points the hook, and how to see what arrived there."""

    url: str
    name: str
    received: Callable[[], list[dict[str, Any]]]  # the events it recorded, once each
    wait_for: Callable[[int, float], bool]  # (count, timeout): until that many events arrived


@contextmanager
def hook_endpoint(secret: str) -> Iterator[HookEndpoint]:
    """A loopback event hook endpoint that checks ``secret`` in the ``Authorization`` header."""
    from sarguard.emulator.receiver import HookReceiver

    with HookReceiver(secret, AUTH_HEADER) as receiver:
        yield HookEndpoint(
            url=receiver.url, name="loopback hook receiver",
            received=lambda: list(receiver.events.values()),
            wait_for=lambda count, timeout: receiver.wait_for(
                lambda r: len(r.events) >= count, timeout),
        )


def new_secret() -> str:
    return f"Bearer {secrets.token_urlsafe(24)}"


def repair_hook(org_url: str, token: str, endpoint: HookEndpoint, secret: str) -> bool:
    """Through Okta's API: activate the hook, point it at ``endpoint`` (with ``secret`` as its
    auth value) and verify it. Prints each call; True when the hook ends ACTIVE and VERIFIED."""
    base = f"/api/v1/eventHooks/{HOOK_ID}"
    with httpx.Client(base_url=org_url, headers={"Authorization": f"SSWS {token}"},
                      trust_env=False, timeout=30) as api:
        def show(response: httpx.Response, what: str) -> dict[str, Any]:
            body = response.json() if response.content else {}
            print(f"  {response.request.method} {response.request.url.path} -> "
                  f"{response.status_code}  {what}: status {body.get('status')}, "
                  f"verificationStatus {body.get('verificationStatus')}", flush=True)
            return body

        show(api.post(f"{base}/lifecycle/activate"), "activate")
        hook = api.get(base).json()
        hook["channel"]["config"]["uri"] = endpoint.url
        hook["channel"]["config"]["authScheme"] = {"type": "HEADER", "key": AUTH_HEADER,
                                                   "value": secret}
        show(api.put(base, json=hook), f"point it at {endpoint.url} with a new secret")
        final = show(api.post(f"{base}/lifecycle/verify"),
                     "verify (the emulator sends the challenge to the endpoint)")
    return final.get("status") == "ACTIVE" and final.get("verificationStatus") == "VERIFIED"


def show_deliveries(org_url: str, token: str, endpoint: HookEndpoint) -> bool:
    """Print the emulator's delivery log and what the endpoint recorded; True when at least one
    delivery arrived and the endpoint holds a report."""
    from sarguard.emulator.control_client import ControlClient

    with ControlClient(org_url, token) as control:
        log = control.deliveries()
    for d in log:
        attempts = ", ".join(f"#{a['attempt']} HTTP {a['httpStatus'] or '-'} in "
                             f"{a['durationMs']} ms" for a in d.get("attempts") or [])
        print(f"  delivery {d['id']} -> {d['hookName']}: {d['status']} "
              f"({', '.join(d['eventTypes'])}; {attempts or 'no attempt'})")
    events = endpoint.received()
    print(f"  {endpoint.name} recorded {len(events)} event(s):")
    for event in events:
        actor = event.get("actor") or {}
        drill = " [drill: recorded, never acted on]" if _is_drill(event) else ""
        print(f"    {event.get('published')} {event.get('eventType')} by "
              f"{actor.get('alternateId')}{drill}")
    reports = [e for e in events if not _is_drill(e)]
    return any(d["status"] == "delivered" for d in log) and bool(reports)


def _is_drill(event: dict[str, Any]) -> bool:
    from sarguard.eventhooks import is_drill

    return is_drill(event)
