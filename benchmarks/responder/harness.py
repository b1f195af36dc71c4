"""What the responder measurements (and the responder's tests) share: an emulated org with many
users, a hook pointed at the responder, deliveries as Okta sends them, responder processes
(started, killed, waited for), a responder.yaml, and what the org's System Log and the store say
was done."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from sarguard.eventhooks import build_envelope
from sarguard.model import REPORT_EVENT

HOOK_SECRET = "bench-hook-secret-0123456789abcdefghij"
EMU_TOKEN = "bench-emulator-api-token-0123456789"
LISTENING = re.compile(r"listening on (http://\S+)")


def bench_user(index: int) -> str:
    return f"00u1bench{index:011d}"


def seed(users: int) -> dict[str, Any]:
    people = [{"id": "00u1benchAdmin000000", "login": "admin@bench.test", "firstName": "Ada",
               "lastName": "Admin"}]
    people += [{"id": bench_user(i), "login": f"user{i}@bench.test", "firstName": "User",
                "lastName": str(i)} for i in range(users)]
    return {"org": {"name": "bench"}, "users": people,
            "tokens": [{"token": EMU_TOKEN, "user": people[0]["id"]}]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float, what: str,
               interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def write_config(path: Path, *, org_url: str, database: str, extra: str = "",
                 actions: str | None = None, previous_secret_env: str | None = None) -> Path:
    steps = actions or textwrap.dedent("""\
          - clearSessions: {revokeOAuthTokens: true}
          - resetPassword: {sendEmail: true}
          - notify: {urls: ["${SINK_URL}"]}
        """)
    previous = (f", previousSecretEnv: {previous_secret_env}, previousSecretUntil: '2999-12-31'"
                if previous_secret_env else "")
    path.write_text(textwrap.dedent(f"""\
        path: /okta/events
        org: {{url: {org_url}}}
        hook: {{authHeader: Authorization, secretEnv: SARGUARD_EVENT_HOOK_SECRET{previous}}}
        database: {database}
        actions:
        """) + textwrap.indent(textwrap.dedent(steps), "  ") + textwrap.dedent(extra), "utf-8")
    return path


def add_hook(org_url: str, api_token: str, url: str, secret: str = HOOK_SECRET, *,
             verify: bool = True) -> str:
    """Create (and, with ``verify``, verify) an event hook for the report event (Okta's Event
    Hooks API)."""
    body = {"name": "responder", "events": {"type": "EVENT_TYPE", "items": [REPORT_EVENT]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": url, "headers": [],
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": secret}}}}
    with httpx.Client(base_url=org_url, headers={"Authorization": f"SSWS {api_token}"},
                      trust_env=False, timeout=30) as api:
        answer = api.post("/api/v1/eventHooks", json=body)
        answer.raise_for_status()
        hook_id = answer.json()["id"]
        if verify:
            api.post(f"/api/v1/eventHooks/{hook_id}/lifecycle/verify").raise_for_status()
    return hook_id


def delivery_body(events: list[dict[str, Any]], *, event_id: str | None = None,
                  org_url: str = "http://127.0.0.1") -> bytes:
    """One delivery as Okta's hook sends it: the envelope around ``events``."""
    return json.dumps(build_envelope(events, org_url=org_url, hook_id="who1bench",
                                     event_id=event_id or str(uuid.uuid4()),
                                     event_time="2026-12-01T00:00:00.000Z")).encode()


def deliver(url: str, events: list[dict[str, Any]], secret: str = HOOK_SECRET, *,
            event_id: str | None = None) -> int:
    """POST one delivery of ``events`` with ``secret`` as the auth header; the HTTP status."""
    return httpx.post(url, content=delivery_body(events, event_id=event_id), timeout=30,
                      trust_env=False, headers={"Authorization": secret,
                                                "Content-Type": "application/json"}).status_code


def acted_on(org_url: str, api_token: str, event_type: str) -> Counter[str]:
    """How many ``event_type`` events the org's System Log holds per target user, every page."""
    counts: Counter[str] = Counter()
    with httpx.Client(base_url=org_url, headers={"Authorization": f"SSWS {api_token}"},
                      trust_env=False, timeout=120) as api:
        url: str | None = "/api/v1/logs"
        params: dict[str, Any] | None = {"filter": f'eventType eq "{event_type}"', "limit": 1000,
                                         "since": "2000-01-01T00:00:00.000Z",
                                         "until": "2100-01-01T00:00:00.000Z"}
        while url:
            page = api.get(url, params=params)
            page.raise_for_status()
            counts.update(t["id"] for e in page.json() for t in e.get("target") or []
                          if t.get("type") == "User")
            url, params = page.links.get("next", {}).get("url"), None
    return counts


def store_summary(database_url: str) -> dict[str, Any]:
    """What ``sarguard responder status`` reads from the store (opened and closed again)."""
    from sarguard.responder.store.engine import open_store
    from sarguard.responder.store.readers import status_summary

    store = open_store(database_url, pool_size=1)
    try:
        return status_summary(store)
    finally:
        store.dispose()


def nothing_left(summary: dict[str, Any]) -> bool:
    """No action pending, waiting or running in a store summary."""
    actions = summary["actions"]
    return actions["pending"] + actions["waiting"] + actions["running"] == 0


def responder_env(sink_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKTA_")}
    env.update({"OKTA_API_TOKEN": EMU_TOKEN, "SARGUARD_EVENT_HOOK_SECRET": HOOK_SECRET,
                "SINK_URL": sink_url, "PYTHONUNBUFFERED": "1", **extra})
    return env


class ResponderProcess:
    """``sarguard responder serve`` as a child process (its log kept in a file)."""

    def __init__(self, config: Path, port: int, env: dict[str, str], log_path: Path, *,
                 python: list[str] | None = None) -> None:
        """``python``: how to start sarguard's CLI (default ``python -m sarguard``; a benchmark
        may pass ``python -c CODE`` to run it with a setting changed, for a baseline)."""
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen(
            [*(python or [sys.executable, "-m", "sarguard"]), "responder", "serve", "--config",
             str(config), "--port", str(port)], env=env, stdout=subprocess.PIPE,
            stderr=self._log)
        line = self._read_line(timeout=60)
        match = LISTENING.search(line)
        if match is None:
            self.kill()
            raise RuntimeError(f"the responder did not start: {line!r}; log: "
                               f"{log_path.read_text('utf-8', 'replace')[-3000:]}")
        self.url = match.group(1)
        self.base = self.url.split("/okta/")[0]
        wait_until(self.healthy, 60, "responder /healthz")

    def _read_line(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        os.set_blocking(self.proc.stdout.fileno(), False)
        buffer = b""
        while time.monotonic() < deadline:
            chunk = self.proc.stdout.read()
            if chunk:
                buffer += chunk
                if b"\n" in buffer:
                    return buffer.decode("utf-8", "replace")
            elif self.proc.poll() is not None:
                return buffer.decode("utf-8", "replace")
            time.sleep(0.01)
        return buffer.decode("utf-8", "replace")

    def healthy(self) -> bool:
        try:
            return httpx.get(self.base + "/healthz", timeout=2, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """``kill -9``: no shutdown, no cleanup, whatever it was doing."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self) -> int:
        """SIGTERM and wait: a graceful shutdown."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self._log.close()
        return code


class EmulatorProcess:
    """``sarguard emulator`` in a child process, so the measuring process's own threads (the
    senders) do not share a GIL with the org the responder calls."""

    def __init__(self, seed_doc: dict[str, Any], folder: Path, *, control_token: str,
                 latency_ms: float = 0.0, rate_limits: str | None = None) -> None:
        import yaml

        seed_path = folder / "seed.yaml"
        seed_path.write_text(yaml.safe_dump(seed_doc, sort_keys=False), "utf-8")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = control_token
        self._log = (folder / "emulator.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sarguard", "emulator", "--seed", str(seed_path), "--port",
             str(self.port), "--token", control_token, "--latency-ms", str(latency_ms),
             *(["--rate-limit", rate_limits] if rate_limits else [])],
            stdout=self._log, stderr=self._log)
        wait_until(self._up, 60, "the emulator")

    def _up(self) -> bool:
        try:
            return httpx.get(self.url + "/api/v1/users/me", timeout=2, trust_env=False, headers={
                "Authorization": f"SSWS {EMU_TOKEN}"}).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._log.close()


def ack_histogram(base_url: str) -> dict[float, float]:
    """The responder's own acknowledgement histogram (``/metrics``): upper bound -> count."""
    text = httpx.get(base_url + "/metrics", timeout=10, trust_env=False).text
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if line.startswith("sarguard_responder_ack_seconds_bucket{"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float("inf") if bound == "+Inf" else float(bound)] = float(line.rsplit(" ", 1)[1])
    return buckets
