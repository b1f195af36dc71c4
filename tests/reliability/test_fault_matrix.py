"""Every emulator fault on every endpoint family the live reader calls, through ``sarguard drift``.

Two shapes per cell: the fault clears after two failed attempts (the run must recover and
conclude exactly what a fault-free run does), or it persists (exit 2, the family's controls
``not_evaluated``, its resources ``unread``; never a false "in sync" or a false pass). The org
is the in-sync seed, so any drift item or non-zero-but-not-2 exit in a faulted run is wrong.
"""

from __future__ import annotations

import pytest

from tests.reliability import baselines, matrix
from tests.reliability.checks import assert_fail_closed, assert_fatal, assert_recovered
from tests.reliability.families import FAMILIES, KINDS, Family
from tests.reliability.harness import FAST_TIMEOUT, SAFE_TIMEOUT

MAX_ATTEMPTS = 4  # the client's default


def _timeout(kind: str) -> str:
    return FAST_TIMEOUT if kind == "timeout" else SAFE_TIMEOUT


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_fault_that_clears_is_retried_to_the_same_report(live, record_cell, family: Family,
                                                         kind: str) -> None:
    live.memoize_declared()
    base = baselines.ssws_drift(live)
    emu = live.emulator("in-sync", faults=f"{family.prefix}:{kind}")
    live.clock.on_sleep(lambda n: emu.set_faults(None) if n >= 2 else None)
    run = live.drift(emu, timeout=_timeout(kind))
    record_cell(family.name, f"{kind} (clears)", matrix.RECOVERED)
    assert_recovered(run, base)
    # The fault was live for the first attempts: the run got there by retrying.
    assert run.api["retries"] >= 1, run.api
    if kind.startswith("429"):
        assert run.api["rate_limited"] >= 1, run.api


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_fault_that_persists_fails_closed(live, record_cell, family: Family, kind: str) -> None:
    live.memoize_declared()
    base = baselines.ssws_drift(live)
    emu = live.emulator("in-sync", faults=f"{family.prefix}:{kind}")
    run = live.drift(emu, timeout=_timeout(kind))
    if family.fatal:
        record_cell(family.name, kind, matrix.FATAL)
        assert_fatal(run, "drift", family.prefix)
        assert f"after {MAX_ATTEMPTS} attempts" in run.err
        return
    record_cell(family.name, kind, matrix.FAIL_CLOSED)
    assert_fail_closed(run, base, family)
    assert run.api["retries"] >= MAX_ATTEMPTS - 1, run.api
    reasons = " ".join(u["reason"] for u in run.unread)
    assert f"after {MAX_ATTEMPTS} attempts" in reasons, reasons
