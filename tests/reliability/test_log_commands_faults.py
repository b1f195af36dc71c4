"""``reports`` and ``investigate`` read only the System Log: a fault there either clears (same
answer) or stops the command with one clear line and exit 2, never a partial list."""

from __future__ import annotations

import pytest

from tests.reliability import matrix
from tests.reliability.checks import assert_fatal, assert_no_traceback
from tests.reliability.cliresult import CliRun
from tests.reliability.families import KINDS
from tests.reliability.harness import FAST_TIMEOUT, SAFE_TIMEOUT, LiveHarness

COMMANDS = {
    "reports": ("reports",),
    "investigate": ("investigate", "--user", "00u1alice0000demo002", "--scope", "all"),
}
LIST_KEY = {"reports": "reports", "investigate": "entries"}
# reports meets every kind; investigate shares its fetch path, so one of each failure shape.
CASES = [("reports", kind) for kind in KINDS] + [
    ("investigate", kind) for kind in ("429", "503", "timeout", "reset", "malformed")]
_BASE: dict[str, set[str]] = {}


def _run(live: LiveHarness, command: str, url: str, kind: str | None = None) -> CliRun:
    timeout = FAST_TIMEOUT if kind == "timeout" else SAFE_TIMEOUT
    return live.run(*COMMANDS[command], "--org-url", url, "--format", "json",
                    "--timeout", timeout)


def _ids(run: CliRun, command: str) -> set[str]:
    assert run.report is not None, run.err
    items = run.report[LIST_KEY[command]]
    return {str(item.get("eventId") or item.get("uuid")) for item in items}


def _baseline(live: LiveHarness, command: str) -> set[str]:
    if command not in _BASE:
        run = _run(live, command, live.emulator("in-sync").url)
        assert run.code == 0, run.err
        _BASE[command] = _ids(run, command)
        assert _BASE[command], "the seed must have events for this query"
    return _BASE[command]


@pytest.mark.parametrize(("command", "kind"), CASES)
def test_log_fault_that_clears_gives_the_same_answer(live, record_cell, command: str,
                                                     kind: str) -> None:
    base = _baseline(live, command)
    emu = live.emulator("in-sync", faults=f"/api/v1/logs:{kind}")
    live.clock.on_sleep(lambda n: emu.set_faults(None) if n >= 2 else None)
    run = _run(live, command, emu.url, kind)
    record_cell(f"{command} cmd", f"{kind} (clears)", matrix.RECOVERED)
    assert_no_traceback(run)
    assert run.code == 0, run.err
    assert _ids(run, command) == base
    assert any(r.status != 200 or kind == "malformed" for r in emu.requests
               if r.path == "/api/v1/logs"), "the fault never fired"


@pytest.mark.parametrize(("command", "kind"), CASES)
def test_log_fault_that_persists_stops_with_a_clear_error(live, record_cell, command: str,
                                                          kind: str) -> None:
    emu = live.emulator("in-sync", faults=f"/api/v1/logs:{kind}")
    run = _run(live, command, emu.url, kind)
    record_cell(f"{command} cmd", kind, matrix.FATAL)
    assert_fatal(run, command, "cannot read the System Log: GET /api/v1/logs")
    assert "after 4 attempts" in run.err
