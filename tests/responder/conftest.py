"""Fixtures for the responder: configs, an emulated org with users, a JSON sink, a responder
running in a thread (or a process), and the emulator's view of what happened."""

from __future__ import annotations

import contextlib
import copy
import os
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.responder import harness
from sarguard.emulator import Emulator
from sarguard.emulator.control_client import ControlClient
from sarguard.emulator.notifysink import NotificationSink

SECRET = "responder-hook-secret-0123456789abcdef"
PREVIOUS = "responder-previous-secret-9876543210"
EMU_TOKEN = "emulator-token-for-responder-tests"
ALICE = "00u1respAlice0000001"
BOB = "00u1respBob000000002"
CAROL = "00u1respCarol0000003"
BREAKGLASS = "00u1respBreak0000004"
SUSPENDED = "00u1respSusp00000005"
USERS = [
    {"id": "00u1respAdmin0000000", "login": "ada.admin@acme.test", "firstName": "Ada",
     "lastName": "Admin"},
    {"id": ALICE, "login": "alice@acme.test", "firstName": "Alice", "lastName": "Nguyen"},
    {"id": BOB, "login": "bob@acme.test", "firstName": "Bob", "lastName": "Stone"},
    {"id": CAROL, "login": "carol@acme.test", "firstName": "Carol", "lastName": "Diaz"},
    {"id": BREAKGLASS, "login": "breakglass-1@acme.test", "firstName": "Break",
     "lastName": "Glass"},
    {"id": SUSPENDED, "login": "sam@acme.test", "firstName": "Sam", "lastName": "Held",
     "status": "SUSPENDED"},
]
ACTIONS = """\
  - clearSessions: {revokeOAuthTokens: true}
  - resetPassword: {sendEmail: true}
  - notify: {urls: ["${SINK_URL}"]}
"""


def responder_seed(extra_users: int = 0) -> dict[str, Any]:
    users = copy.deepcopy(USERS)
    users += [{"id": f"00u1bench{i:011d}", "login": f"user{i}@acme.test", "firstName": "User",
               "lastName": str(i)} for i in range(extra_users)]
    return {"org": {"name": "acme"}, "users": users,
            "tokens": [{"token": EMU_TOKEN, "user": users[0]["id"]}]}


def write_config(path: Path, *, org_url: str, database: str, actions: str = ACTIONS,
                 extra: str = "") -> Path:
    """The harness's responder.yaml with the previous secret's variable and reconciliation off."""
    return harness.write_config(path, org_url=org_url, database=database, actions=actions,
                                extra='reconcile: "off"\n' + textwrap.dedent(extra),
                                previous_secret_env="SARGUARD_PREVIOUS_SECRET")


def wait_until(condition: Callable[[], Any], timeout: float = 30.0, interval: float = 0.02) -> Any:
    """Poll ``condition`` until truthy (returned) or fail after ``timeout`` (a hang guard)."""
    try:
        return harness.wait_until(condition, timeout, "the condition", interval)
    except TimeoutError as exc:
        raise AssertionError(str(exc)) from None


class Org:
    """The emulated org and a few Okta-API and control calls on it."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.api = httpx.Client(base_url=emu.url, headers={"Authorization": f"SSWS {EMU_TOKEN}"},
                                trust_env=False, timeout=10)
        self.control = ControlClient(emu.url, emu.token)

    def add_hook(self, url: str, secret: str = SECRET, *, verify: bool = True) -> str:
        return harness.add_hook(self.emu.url, EMU_TOKEN, url, secret, verify=verify)

    def report(self, user: str, **fields: Any) -> dict[str, Any]:
        return self.control.report({"userId": user, **fields})

    def log(self, event_type: str, user_id: str | None = None) -> list[dict[str, Any]]:
        """The emulator's System Log events of a type (about ``user_id`` when given)."""
        params = {"filter": f'eventType eq "{event_type}"', "limit": 1000,
                  "since": "2000-01-01T00:00:00.000Z"}
        events = self.api.get("/api/v1/logs", params=params).json()
        if user_id is None:
            return events
        return [e for e in events if any(t.get("id") == user_id for t in e.get("target") or [])]

    def status(self, user_id: str) -> str:
        return self.api.get(f"/api/v1/users/{user_id}").json()["status"]

    def close(self) -> None:
        self.api.close()


@pytest.fixture
def responder_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "OKTA_API_PRIVATE_KEY_ID",
                 "OKTA_API_SCOPES", "OKTA_ORG_NAME", "OKTA_BASE_URL", "SARGUARD_PREVIOUS_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SARGUARD_EVENT_HOOK_SECRET", SECRET)
    monkeypatch.setenv("OKTA_API_TOKEN", EMU_TOKEN)


@pytest.fixture
def org(responder_env: None) -> Iterator[Org]:
    with Emulator(seed=responder_seed(), token="emulator-control-token-1") as emu:
        emu.delivery_timeout = 3.0
        org = Org(emu)
        yield org
        org.close()
        assert emu.errors == []


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[NotificationSink]:
    with NotificationSink() as running:
        monkeypatch.setenv("SINK_URL", running.url)
        yield running


class RunningResponder:
    """A ``ResponderServer`` serving in a thread (stop() waits for a clean shutdown)."""

    def __init__(self, config_path: Path, env: dict[str, str] | None = None) -> None:
        from sarguard.responder.config import load_config
        from sarguard.responder.service import ResponderServer

        environ = dict(os.environ if env is None else env)
        self.config = load_config(config_path, environ)
        self.server = ResponderServer(self.config, host="127.0.0.1", port=0, env=environ)
        self.url = self.server.url
        self.base_url = self.server.base_url
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        wait_until(lambda: self.server.started or self.error or not self._thread.is_alive(), 30)
        if self.error:
            raise self.error

    def _run(self) -> None:
        try:
            self.server.run()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.error = exc

    def stop(self) -> None:
        self.server.request_stop()
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the responder did not stop"
        self.server.close()

    def status(self) -> dict[str, Any]:
        from sarguard.responder.store.readers import status_summary

        return status_summary(self.server.store)


@pytest.fixture
def start_responder() -> Iterator[Callable[..., RunningResponder]]:
    started: list[RunningResponder] = []

    def start(config_path: Path, env: dict[str, str] | None = None) -> RunningResponder:
        responder = RunningResponder(config_path, env)
        started.append(responder)
        return responder

    yield start
    for responder in started:
        with contextlib.suppress(AssertionError):
            responder.stop()


@contextlib.contextmanager
def serving(app: Any) -> Iterator[httpx.Client]:
    """Serve an ASGI app with uvicorn on a free loopback port, in a thread; yield a client."""
    import uvicorn

    from sarguard.responder.service import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 30)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", trust_env=False,
                          timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def sqlite_url(tmp_path: Path, name: str = "responder.db") -> str:
    return f"sqlite:///{tmp_path / name}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One PostgreSQL 15 server per test process (see ``benchmarks/responder/pgserver.py``)."""
    from benchmarks.responder.pgserver import PgServer, PgUnavailable

    try:
        server = PgServer()
    except PgUnavailable as exc:
        pytest.skip(str(exc))
    with server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind the responder supports."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("pg_server").new_database()
