"""Drive the CLI in-process against emulators that share a virtual clock with it.

Why in-process: a case costs ~0.1 s instead of ~1 s for a subprocess, so the whole matrix
stays fast; the CLI is still entered exactly as a user's shell would (``sarguard.cli.main``).
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import sarguard.okta.factory as factory
import sarguard.pulumi.declared as declared
from sarguard.cli import main
from sarguard.emulator import Emulator
from tests.conftest import REPO_ROOT
from tests.reliability.caches import bundled_seed, cached_run_program
from tests.reliability.cliresult import CliRun
from tests.reliability.hostile import Behaviour, HostileServer
from tests.reliability.vclock import VirtualClock

OAUTH_VARS = ("OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "OKTA_API_PRIVATE_KEY_ID",
              "OKTA_API_SCOPES")
ORG_VARS = ("OKTA_ORG_NAME", "OKTA_BASE_URL", "OKTA_API_TOKEN")
HELD_REQUEST_S = 2.0  # how long the emulator holds a "timeout" request (real seconds)
FAST_TIMEOUT = "0.15"  # --timeout for cases whose fault is a slow answer (local answers: ~5 ms)
SAFE_TIMEOUT = "5"  # --timeout otherwise: a hang fails the case quickly instead of in 30 s


@dataclass
class OAuthApp:
    client_id: str
    key_id: str
    pem: str
    scopes: tuple[str, ...]


def ec_private_key_pem() -> tuple[Any, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return key, pem


@dataclass
class LiveHarness:
    """Emulators on a shared virtual clock, the CLI's client wired to it, and a CLI runner."""

    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    clock: VirtualClock = field(default_factory=VirtualClock)
    emulators: list[Emulator] = field(default_factory=list)
    servers: list[HostileServer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.overrides: dict[str, Any] = {"clock": self.clock, "sleep": self.clock.sleep,
                                          "rng": random.Random(20240601)}
        self.monkeypatch.setattr(factory, "CLIENT_OVERRIDES", self.overrides)
        self.clear_credentials()
        self.monkeypatch.setenv("SARGUARD_NO_PROGRESS", "1")

    def memoize_declared(self) -> None:
        """Run each stack's program once per process. The declared side is not what a fault
        case varies, and the mock engine is the slowest step of a drift run."""
        self.monkeypatch.setattr(declared, "run_program", cached_run_program)

    def clear_credentials(self) -> None:
        for name in (*OAUTH_VARS, *ORG_VARS):
            self.monkeypatch.delenv(name, raising=False)

    def emulator(self, seed: Any = "in-sync", **kwargs: Any) -> Emulator:
        if isinstance(seed, str):
            seed = bundled_seed(seed)
        emu = Emulator(seed=seed, clock=self.clock, **kwargs)
        emu.fault_timeout_s = HELD_REQUEST_S
        emu.start(port=0)
        self.emulators.append(emu)
        self.monkeypatch.setenv("OKTA_API_TOKEN", emu.token)
        return emu

    def hostile(self, emu: Emulator, behaviour: Behaviour, prefix: str) -> HostileServer:
        """A hostile server in front of ``emu`` (127.0.0.1 only), on the shared clock."""
        server = HostileServer(emu, behaviour, prefix, self.clock)
        self.servers.append(server)
        return server

    def oauth(self, emu: Emulator, scopes: tuple[str, ...], *, client_id: str = "0oaRelApp",
              key_id: str = "kidRel1", pem: str | None = None, dpop: bool = False) -> OAuthApp:
        """Register a service app with ``scopes`` and switch the environment to it."""
        if pem is None:
            key, pem = ec_private_key_pem()
        else:
            key = serialization.load_pem_private_key(pem.encode(), password=None)
        emu.add_oauth_client(client_id, key.public_key(), list(scopes), dpop=dpop)
        self.monkeypatch.delenv("OKTA_API_TOKEN", raising=False)
        self.monkeypatch.setenv("OKTA_API_CLIENT_ID", client_id)
        self.monkeypatch.setenv("OKTA_API_PRIVATE_KEY", pem)
        self.monkeypatch.setenv("OKTA_API_PRIVATE_KEY_ID", key_id)
        self.monkeypatch.setenv("OKTA_API_SCOPES", " ".join(scopes))
        return OAuthApp(client_id, key_id, pem, tuple(scopes))

    def run(self, *argv: str) -> CliRun:
        """``sarguard ARGV`` in-process; parses stdout as a JSON report when it is one."""
        self.capsys.readouterr()
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        report = None
        if out.lstrip().startswith("{"):
            report = json.loads(out)
        return CliRun(code, out, err, report)

    def bounded(self, seconds: float, call: Callable[[], CliRun]) -> CliRun:
        """``call()`` with a hang guard: the run must end within ``seconds`` (generous)."""
        done: list[CliRun] = []
        failed: list[BaseException] = []

        def target() -> None:
            try:
                done.append(call())
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                failed.append(exc)

        worker = threading.Thread(target=target, daemon=True)
        worker.start()
        worker.join(seconds)
        if worker.is_alive():
            pytest.fail(f"the run did not end within {seconds:g} s (a hang)")
        if failed:
            raise failed[0]
        return done[0]

    def drift(self, emu: Emulator | HostileServer, *extra: str, timeout: str = SAFE_TIMEOUT) -> CliRun:
        # The runs sleep on the shared virtual clock, where concurrent waits add up: a fault that
        # persists could reach the default 600 s deadline in virtual time, depending on where
        # earlier tests left the clock. The deadline has its own tests (test_deadline.py, which
        # pass --deadline after this one: the last value wins).
        return self.run("drift", "--stack", "demo", "--org-url", emu.url, "--format", "json",
                        "--project-dir", str(REPO_ROOT), "--timeout", timeout,
                        "--deadline", "86400", *extra)

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()
        for emu in self.emulators:
            emu.stop()
        self.emulators.clear()
