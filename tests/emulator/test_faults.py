"""Injected faults: each kind, rates that are reproducible from rng_seed, runtime changes."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from sarguard.emulator import Emulator, EmulatorError
from sarguard.emulator.faults import Fault, FaultInjector, parse_faults
from tests.emulator.helpers import client_for, small_seed


@pytest.mark.parametrize("kind, status", [("500", 500), ("502", 502), ("503", 503)])
def test_server_errors(emu: Emulator, api, kind: str, status: int) -> None:
    emu.set_faults(f"/api/v1/brands:{kind}")
    r = api.get("/api/v1/brands")
    assert r.status_code == status
    assert api.get("/api/v1/eventHooks").status_code == 200  # other paths are unaffected
    if status == 500:
        assert r.json()["errorCode"] == "E0000009"


def test_429_with_and_without_rate_limit_headers(emu: Emulator, api) -> None:
    emu.set_faults("/api/v1/logs:429")
    r = api.get("/api/v1/logs")
    assert r.status_code == 429 and r.json()["errorCode"] == "E0000047"
    assert r.headers["X-Rate-Limit-Remaining"] == "0" and "X-Rate-Limit-Reset" in r.headers
    emu.set_faults("/api/v1/logs:429-noheaders")
    r = api.get("/api/v1/logs")
    assert r.status_code == 429
    assert not any(h.lower().startswith("x-rate-limit") for h in r.headers)


def test_malformed_is_200_with_broken_json(emu: Emulator, api) -> None:
    emu.set_faults("/api/v1/eventHooks:malformed")
    r = api.get("/api/v1/eventHooks")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)


def test_reset_drops_the_connection(emu: Emulator, api) -> None:
    emu.set_faults("/api/v1/brands:reset")
    with pytest.raises(httpx.TransportError):
        api.get("/api/v1/brands")
    assert emu.requests[-1].status is None
    emu.set_faults(None)
    assert api.get("/api/v1/brands").status_code == 200  # the client recovers on a new connection


def test_timeout_holds_until_the_client_gives_up(emu: Emulator, api) -> None:
    emu.set_faults("/api/v1/threats:timeout")
    with pytest.raises(httpx.ReadTimeout):
        api.get("/api/v1/threats/configuration", timeout=0.3)


def test_stop_releases_held_requests_without_hanging() -> None:
    emu = Emulator(seed=small_seed(), faults="/api/v1:timeout")
    emu.start()
    outcome: list[object] = []

    def call() -> None:
        with client_for(emu, timeout=20) as c:
            try:
                outcome.append(c.get("/api/v1/brands").status_code)
            except httpx.TransportError as exc:
                outcome.append(type(exc).__name__)

    worker = threading.Thread(target=call)
    worker.start()
    for _ in range(200):
        if emu.requests:
            break
        time.sleep(0.01)
    emu.stop()
    worker.join(10)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    assert outcome and isinstance(outcome[0], str)  # dropped, never answered


def test_latency_delays_every_answer(seed) -> None:
    with Emulator(seed=seed, latency_ms=150) as emu, client_for(emu) as api:
        started = time.monotonic()
        assert api.get("/api/v1/brands").status_code == 200
        assert time.monotonic() - started >= 0.15  # a lower bound: cannot flake


def test_rates_are_deterministic_for_a_seed() -> None:
    def pattern(seed: int) -> list[bool]:
        injector = FaultInjector(parse_faults("/api/v1:500@0.5"), rng_seed=seed)
        return [injector.pick("/api/v1/brands") is not None for _ in range(64)]

    assert pattern(7) == pattern(7)
    assert pattern(7) != pattern(8)
    assert 10 < sum(pattern(7)) < 54
    never = FaultInjector(parse_faults("/api/v1:500@0"), rng_seed=1)
    assert all(never.pick("/api/v1/x") is None for _ in range(50))


def test_rate_over_http_matches_the_injector(emu: Emulator, api) -> None:
    emu.set_faults("/api/v1/brands:503@0.5")
    statuses = [api.get("/api/v1/brands").status_code for _ in range(30)]
    assert {200, 503} == set(statuses)


def test_first_matching_fault_wins_and_list_forms() -> None:
    faults = parse_faults(["/api/v1/logs:503", {"path": "/api/v1", "kind": "500", "rate": 1}])
    assert faults == [Fault("/api/v1/logs", "503"), Fault("/api/v1", "500")]
    injector = FaultInjector(faults, 0)
    assert injector.pick("/api/v1/logs").kind == "503"
    assert injector.pick("/api/v1/brands").kind == "500"
    assert injector.pick("/oauth2/v1/token") is None


@pytest.mark.parametrize("spec, fragment", [
    ("/api/v1:explode", "unknown kind"),
    ("api/v1:500", "PATH_PREFIX"),
    ("/api/v1:500@2", "RATE"),
    ("/api/v1:500@x", "RATE"),
    ([42], "expected a string"),
])
def test_bad_fault_specs(spec, fragment: str) -> None:
    with pytest.raises(EmulatorError, match=fragment):
        Emulator(seed=small_seed(), faults=spec)
