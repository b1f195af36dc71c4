"""The targets' history: each full run is recorded, the last few are kept per suite, and a
target "holds" only when each of the last three runs met it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.history import KEEP, held, load, record, render


@dataclass
class T:
    name: str
    wanted: str
    measured: str
    met: bool | None


def test_runs_are_kept_per_suite_and_a_target_holds_over_three(tmp_path: Path) -> None:
    for i, ratio in enumerate([1.2, 1.6, 1.3, 1.4, 1.45, 1.1, 1.2]):
        record(tmp_path, "make bench", f"2026-12-06 0{i}:00 UTC",
               [T("check, 10 brands", "<= 1.5x", f"{ratio}x", ratio <= 1.5)])
    record(tmp_path, "responder", "2026-12-06 05:30 UTC", [T("ack p99", "<= 150 ms", "188 ms", False)])
    runs = load(tmp_path)
    bench = [r for r in runs if r["suite"] == "make bench"]
    assert len(bench) == KEEP and bench[0]["started"] == "2026-12-06 02:00 UTC"
    assert held(bench, "check, 10 brands") is True
    assert held(bench[:2], "check, 10 brands") is None  # fewer than three runs measured it
    responder = [r for r in runs if r["suite"] == "responder"]
    assert held(responder, "ack p99") is None
    table = render(bench)
    assert table[0].startswith("| target | wanted | 2026-12-06 02:00 UTC")
    assert table[2] == ("| check, 10 brands | <= 1.5x | 1.3x | 1.4x | 1.45x | 1.1x | 1.2x | yes |")


def test_a_miss_in_the_last_three_breaks_the_hold(tmp_path: Path) -> None:
    for i, met in enumerate([True, True, False, True]):
        record(tmp_path, "make bench", f"2026-12-06 0{i}:00 UTC", [T("x", "w", "m", met)])
    runs = load(tmp_path)
    assert held(runs, "x") is False
    assert "m (missed)" in render(runs)[2] and render(runs)[2].endswith("| **no** |")


def test_an_unreadable_history_starts_again(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_text("{not json", "utf-8")
    assert load(tmp_path) == []
    assert len(record(tmp_path, "make bench", "now", [T("x", "w", "m", True)])) == 1


def test_the_responder_records_issue_20s_targets(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from benchmarks.responder.results import responder_targets

    bursts = [{"database": "sqlite", "processes": 1, "ackP99": 123.5},
              {"database": "postgresql", "processes": 2, "ackP99": 188.0}]
    contain = {"singleP99": 282.9, "burstUsers": 1500,
               "burst": {"before (due time)": {"xFloor": 0.96}, "containment first": {"xFloor": 0.98}}}
    targets = responder_targets(bursts, contain, SimpleNamespace(runs=60, ok=True))
    verdicts = {t.name: t.met for t in targets}
    assert verdicts == {
        "burst ack p99 (senders), sqlite, 1 process": True,
        "burst ack p99 (senders), postgresql, 2 processes": False,
        "time to contain, single reports, p99": True,
        "time to contain, 1,500-user burst vs floor": True,
        "kill -9 chain (60 runs)": True,
    }
    runs = record(tmp_path, "responder", "2026-12-06 07:00 UTC", targets)
    assert "188.0 ms (missed)" in "\n".join(render(runs))
