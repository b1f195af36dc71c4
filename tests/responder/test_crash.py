"""Crash safety: ``kill -9`` at seeded random points, restart, and count from the emulator's
System Log: every report's password reset exactly once, sessions cleared at least once, a
notification at least once (``benchmarks/responder/crash.py`` runs the chain; ``make bench``
runs a longer one)."""

from __future__ import annotations

import os

from benchmarks.responder.crash import crash_runs

RUNS = int(os.environ.get("SARGUARD_CRASH_RUNS", "20"))


def test_kill_9_at_random_points_loses_nothing_and_repeats_no_reset(tmp_path) -> None:
    result = crash_runs(RUNS, rng_seed=1409, workdir=tmp_path)
    assert result.problems == []
    assert len(result.kill_delays_ms) == RUNS
