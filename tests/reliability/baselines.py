"""Fault-free reference runs, made once per process and reused by every case."""

from __future__ import annotations

from tests.reliability.cliresult import CliRun
from tests.reliability.families import READ_SCOPES
from tests.reliability.harness import LiveHarness

_CACHE: dict[str, CliRun] = {}


def ssws_drift(live: LiveHarness) -> CliRun:
    """``drift --stack demo`` against the in-sync org with an SSWS token: exit 0, all read."""
    if "ssws" not in _CACHE:
        emu = live.emulator("in-sync")
        run = live.drift(emu)
        assert run.code == 0 and not run.unread and not run.not_evaluated, (run.code, run.err)
        _CACHE["ssws"] = run
    return _CACHE["ssws"]


def oauth_drift(live: LiveHarness) -> CliRun:
    """The same with a service app holding every read scope: only the internal endpoint,
    which takes SSWS only, is unread."""
    if "oauth" not in _CACHE:
        emu = live.emulator("in-sync")
        live.oauth(emu, READ_SCOPES)
        run = live.drift(emu)
        assert run.code == 2 and run.report is not None, run.err
        _CACHE["oauth"] = run
        live.clear_credentials()  # the case sets up its own
    return _CACHE["oauth"]
