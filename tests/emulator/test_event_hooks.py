"""Event hooks: create/replace/delete rules, the write-only secret, lifecycle and verification
against a real endpoint served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sarguard.emulator import Emulator
from tests.emulator.helpers import HOOK_ID, REPORT

HOOKS = "/api/v1/eventHooks"
SECRET = "Bearer hook-secret-value-123"


def hook_body(uri: str = "https://soar.example.com/in", secret: str | None = "s3cret-value",
              **extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"uri": uri, "headers": [{"key": "X-Source", "value": "okta"}]}
    if secret is not None:
        config["authScheme"] = {"type": "HEADER", "key": "Authorization", "value": secret}
    return {"name": "new hook", "events": {"type": "EVENT_TYPE", "items": [REPORT]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": config}, **extra}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """The slow mode answers after the emulator gave up: a broken pipe is expected."""


class HookEndpoint:
    """A loopback hook endpoint whose answer to the verification challenge tests choose."""

    def __init__(self) -> None:
        self.mode = "echo"  # echo | wrong | error | slow
        self.requests: list[dict[str, str]] = []
        self.release = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                endpoint.requests.append({k.lower(): v for k, v in self.headers.items()})
                challenge = self.headers.get("x-okta-verification-challenge", "")
                if endpoint.mode == "slow":
                    endpoint.release.wait(5)
                status, answer = 200, {"verification": challenge}
                if endpoint.mode == "wrong":
                    answer = {"verification": "something else"}
                elif endpoint.mode == "error":
                    status = 500
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/okta/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       kwargs={"poll_interval": 0.02})
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[HookEndpoint]:
    hook = HookEndpoint()
    yield hook
    hook.close()


def test_seeded_hook_hides_its_secret_everywhere(api) -> None:
    listed = api.get(HOOKS)
    one = api.get(f"{HOOKS}/{HOOK_ID}")
    for response in (listed, one):
        assert response.status_code == 200
        assert "hook-secret-value" not in response.text
    auth = one.json()["channel"]["config"]["authScheme"]
    assert auth == {"type": "HEADER", "key": "Authorization"}


def test_create_is_active_unverified_and_never_echoes_the_value(api) -> None:
    r = api.post(HOOKS, json=hook_body())
    assert r.status_code == 200
    hook = r.json()
    assert (hook["status"], hook["verificationStatus"]) == ("ACTIVE", "UNVERIFIED")
    assert "s3cret-value" not in r.text
    assert "value" not in hook["channel"]["config"]["authScheme"]
    assert hook["id"].startswith("who") and len(hook["id"]) == 20
    assert "s3cret-value" not in api.get(f"{HOOKS}/{hook['id']}").text


@pytest.mark.parametrize("mutate, field", [
    (lambda b: b["channel"]["config"].update(uri="http://soar.example.com/in"), "HTTPS"),
    (lambda b: b["events"].update(items=[]), "events"),
    (lambda b: b["channel"].update(version="2.0"), "channel.version"),
    (lambda b: b.pop("name"), "name"),
    (lambda b: b["channel"]["config"]["authScheme"].update(type="BASIC"), "authScheme"),
])
def test_create_validation(api, mutate, field: str) -> None:
    body = hook_body()
    mutate(body)
    r = api.post(HOOKS, json=body)
    assert r.status_code == 400
    assert field in json.dumps(r.json())


def test_channel_change_makes_hook_unverified(api, emu: Emulator) -> None:
    current = api.get(f"{HOOKS}/{HOOK_ID}").json()
    # a read-modify-write that only renames keeps the verification (the secret is kept too)
    current["name"] = "renamed"
    r = api.put(f"{HOOKS}/{HOOK_ID}", json=current)
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["verificationStatus"]) == ("renamed", "VERIFIED")
    assert emu.state.event_hooks[HOOK_ID].auth_value == SECRET
    current["channel"]["config"]["uri"] = "https://soar.example.com/elsewhere"
    r = api.put(f"{HOOKS}/{HOOK_ID}", json=current)
    assert r.json()["verificationStatus"] == "UNVERIFIED"


def test_new_secret_also_counts_as_a_channel_change(api) -> None:
    current = api.get(f"{HOOKS}/{HOOK_ID}").json()
    current["channel"]["config"]["authScheme"]["value"] = "rotated-secret"
    r = api.put(f"{HOOKS}/{HOOK_ID}", json=current)
    assert r.json()["verificationStatus"] == "UNVERIFIED"
    assert "rotated-secret" not in r.text


def test_delete_requires_inactive(api) -> None:
    r = api.delete(f"{HOOKS}/{HOOK_ID}")
    assert r.status_code == 403
    assert api.get(f"{HOOKS}/{HOOK_ID}").status_code == 200
    r = api.post(f"{HOOKS}/{HOOK_ID}/lifecycle/deactivate")
    assert r.status_code == 200 and r.json()["status"] == "INACTIVE"
    assert "activate" in r.json()["_links"]
    assert api.delete(f"{HOOKS}/{HOOK_ID}").status_code == 204
    assert api.get(f"{HOOKS}/{HOOK_ID}").status_code == 404


def test_activate_deactivate_round_trip(api) -> None:
    assert api.post(f"{HOOKS}/{HOOK_ID}/lifecycle/deactivate").json()["status"] == "INACTIVE"
    r = api.post(f"{HOOKS}/{HOOK_ID}/lifecycle/activate")
    assert r.json()["status"] == "ACTIVE" and "deactivate" in r.json()["_links"]
    assert api.post(f"{HOOKS}/whoNope/lifecycle/activate").status_code == 404


def test_verify_calls_the_loopback_endpoint_with_the_challenge(api, endpoint) -> None:
    hook = api.post(HOOKS, json=hook_body(uri=endpoint.url)).json()
    r = api.post(f"{HOOKS}/{hook['id']}/lifecycle/verify")
    assert r.status_code == 200, r.text
    assert r.json()["verificationStatus"] == "VERIFIED"
    (call,) = endpoint.requests
    assert call["x-okta-verification-challenge"]
    assert call["authorization"] == "s3cret-value"  # the hook's own header is sent to it
    assert call["x-source"] == "okta"


@pytest.mark.parametrize("mode", ["wrong", "error"])
def test_verify_fails_when_the_endpoint_does_not_echo(api, endpoint, mode: str) -> None:
    endpoint.mode = mode
    hook = api.post(HOOKS, json=hook_body(uri=endpoint.url)).json()
    r = api.post(f"{HOOKS}/{hook['id']}/lifecycle/verify")
    assert r.status_code == 400 and r.json()["errorCode"] == "E0000001"
    assert len(endpoint.requests) == 2  # Okta retries once
    assert api.get(f"{HOOKS}/{hook['id']}").json()["verificationStatus"] == "UNVERIFIED"


def test_verify_times_out_on_a_slow_endpoint(api, emu: Emulator, endpoint) -> None:
    emu.hook_verify_timeout = 0.2
    endpoint.mode = "slow"
    hook = api.post(HOOKS, json=hook_body(uri=endpoint.url)).json()
    r = api.post(f"{HOOKS}/{hook['id']}/lifecycle/verify")
    endpoint.release.set()
    assert r.status_code == 400
    assert "timeout" in r.json()["errorCauses"][0]["errorSummary"]


def test_verify_of_remote_hook_needs_no_network_unless_flagged(api, emu: Emulator) -> None:
    current = api.get(f"{HOOKS}/{HOOK_ID}").json()
    current["channel"]["config"]["uri"] = "https://soar.example.com/moved"
    api.put(f"{HOOKS}/{HOOK_ID}", json=current)
    r = api.post(f"{HOOKS}/{HOOK_ID}/lifecycle/verify")
    assert r.json()["verificationStatus"] == "VERIFIED"
    with emu.state.lock:
        emu.state.event_hooks[HOOK_ID].verification_fails = True
    assert api.post(f"{HOOKS}/{HOOK_ID}/lifecycle/verify").status_code == 400
