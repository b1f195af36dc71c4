"""The demo's second act: repair the report hook through Okta's API, let a user report, watch
the responder answer it, look at the store, and drill the responder.

``hook_endpoint`` is the one place that decides what the hook points at: ``sarguard responder``
(in this process, on a loopback port) with a demo responder.yaml — a SQLite store in a
temporary folder, clear sessions, reset the password, notify a loopback JSON sink.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HOOK_ID = "who1sarHook000000001"  # the demo seed's report hook
AUTH_HEADER = "Authorization"
SINK_ENV = "SARGUARD_DEMO_SINK_URL"
DEMO_CONFIG = """\
    # The demo's responder.yaml (see README, "The responder"): what it does with each report.
    path: /okta/events
    org: {{url: {org_url}}}
    hook: {{authHeader: {auth_header}, secretEnv: SARGUARD_EVENT_HOOK_SECRET}}
    database: {database}
    actions:
      - clearSessions: {{revokeOAuthTokens: true}}
      - resetPassword: {{sendEmail: true}}
      - notify: {{urls: ["${{{sink_env}}}"], onDone: true}}   # the SOC hears first, then what was done
    exclude: {{logins: ["breakglass-*@example.com"]}}
    cooldown: 15m
    reconcile: 1m
    # The demo org is small: three users reporting one network make a campaign here (default 5).
    campaign: {{minUsers: 3, window: 30m, blockIp: {{zone: BlockedIpZone, maxEntries: 50}}}}
"""
# The demo's campaign: three users report sign-ins from one public /24 (outside every private,
# reserved and documentation range, so the responder may block it).
CAMPAIGN_USERS = ("bruno.rossi@example.com", "chloe.martin@example.com", "oscar.ops@example.com")
CAMPAIGN_NETWORK = "81.2.69"


@dataclass
class HookEndpoint:
    """Where the demo points the hook, and how to see what arrived there."""

    url: str
    name: str
    received: Callable[[], list[dict[str, Any]]]  # the events it recorded, once each
    wait_for: Callable[[int, float], bool]  # (count, timeout): until that many were answered
    config: Path | None = None
    database: str | None = None
    notifications: Callable[[], list[dict[str, Any]]] = list


@contextmanager
def hook_endpoint(secret: str, org_url: str, workdir: Path) -> Iterator[HookEndpoint]:
    """``sarguard responder`` serving the demo config; ``secret`` is the hook's auth value."""
    from sarguard.emulator.notifysink import NotificationSink
    from sarguard.responder.config import load_config
    from sarguard.responder.extra import require_extra

    require_extra()
    from sarguard.responder.service import ResponderServer

    database = f"sqlite:///{workdir / 'responder.db'}"
    config_path = workdir / "responder.yaml"
    config_path.write_text(textwrap.dedent(DEMO_CONFIG).format(
        org_url=org_url, auth_header=AUTH_HEADER, database=database, sink_env=SINK_ENV), "utf-8")
    with NotificationSink() as sink:
        os.environ[SINK_ENV] = sink.url
        os.environ["SARGUARD_EVENT_HOOK_SECRET"] = secret
        server = ResponderServer(load_config(config_path, os.environ), host="127.0.0.1", port=0,
                                 env=os.environ)
        handler = _show_responder_log()
        thread = threading.Thread(target=server.run, name="responder", daemon=True)
        thread.start()
        try:
            _wait(lambda: server.started, 30)
            yield HookEndpoint(
                url=server.url, name="sarguard responder", config=config_path,
                database=database, notifications=lambda: list(sink.messages),
                received=lambda: _events(server.store),
                wait_for=lambda count, timeout: _wait(lambda: _answered(server.store, count),
                                                      timeout),
            )
        finally:
            server.request_stop()
            thread.join(timeout=30)
            server.close()
            logging.getLogger("sarguard.responder").removeHandler(handler)


def _show_responder_log() -> logging.Handler:
    """The responder's own log lines, indented, in the demo's output (secrets masked)."""
    from sarguard.responder.logsetup import RedactSecrets

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  responder: %(message)s"))
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("sarguard.responder")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _events(store: Any) -> list[dict[str, Any]]:
    import json

    from sqlalchemy import select

    from sarguard.responder.store.schema import Event

    with store.read() as session:
        return [json.loads(body) for body in session.scalars(select(Event.body)
                                                             .order_by(Event.received_at))]


def _answered(store: Any, count: int) -> bool:
    from sarguard.responder.store.readers import status_summary

    summary = status_summary(store)
    actions = summary["actions"]
    return (summary["reports"]["total"] >= count
            and actions["pending"] + actions["waiting"] + actions["running"] == 0)


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


def show_response(org_url: str, token: str, endpoint: HookEndpoint, user_id: str) -> bool:
    """What the response did, as Okta and the SOC see it: the emulator's System Log events for
    the user and the notification the sink received. True when both are there."""
    with httpx.Client(base_url=org_url, headers={"Authorization": f"SSWS {token}"},
                      trust_env=False, timeout=30) as api:
        query = ('eventType eq "user.session.clear" or eventType eq '
                 '"user.account.reset_password"')
        events = api.get("/api/v1/logs", params={"filter": query, "limit": 100}).json()
        status = api.get(f"/api/v1/users/{user_id}").json().get("status")
    mine = [e for e in events if any(t.get("id") == user_id for t in e.get("target") or [])]
    for event in mine:
        print(f"  System Log: {event['published']} {event['eventType']} "
              f"({event.get('displayMessage')})")
    print(f"  the user's status is now {status}")
    notes = endpoint.notifications()
    for note in notes:
        print(f"  notification: {note.get('title')}")
        for line in str(note.get("message", "")).splitlines()[:12]:
            print(f"    | {line}")
    kinds = {e["eventType"] for e in mine}
    return kinds == {"user.session.clear", "user.account.reset_password"} and bool(notes) \
        and status == "RECOVERY"


def show_campaign(org_url: str, token: str, control_token: str, endpoint: HookEndpoint) -> bool:
    """Three users report activity from one public /24: one campaign message, and the addresses
    in the org's IP block list (``BlockedIpZone``), each a ``zone.update`` in the System Log."""
    from sarguard.emulator.control_client import ControlClient

    with ControlClient(org_url, control_token) as control:
        for index, login in enumerate(CAMPAIGN_USERS):
            control.report({"userId": login, "ip": f"{CAMPAIGN_NETWORK}.{20 + index}",
                            "city": "Kyiv", "country": "Ukraine"})

    def campaign_notes() -> list[dict[str, Any]]:
        return [n for n in endpoint.notifications()
                if str(n.get("title", "")).startswith("CAMPAIGN: ")]

    with httpx.Client(base_url=org_url, headers={"Authorization": f"SSWS {token}"},
                      trust_env=False, timeout=30) as api:
        def blocked() -> list[str]:
            zones = api.get("/api/v1/zones").json()
            zone = next((z for z in zones if z.get("name") == "BlockedIpZone"), {})
            return [g["value"] for g in zone.get("gateways") or []]

        ok = _wait(lambda: bool(campaign_notes()) and len(blocked()) >= len(CAMPAIGN_USERS), 60)
        for note in campaign_notes()[:1]:
            print(f"  notification: {note.get('title')}")
            for line in str(note.get("message", "")).splitlines()[:8]:
                print(f"    | {line}")
        print(f"  BlockedIpZone now blocks: {', '.join(blocked()) or 'nothing'}")
        updates = api.get("/api/v1/logs", params={"filter": 'eventType eq "zone.update"',
                                                  "limit": 100}).json()
        print(f"  System Log: {len(updates)} zone.update event(s); undo one with "
              f"`sarguard responder unblock {CAMPAIGN_NETWORK}.20 --config {endpoint.config}`")
    return ok
