"""Two drift runs at once against one org both finish with the right report.

They run in threads of one process: the CLI, the client (one event loop per run) and the Pulumi
mock engine (process-global, serialized by sarguard.pulumi.mockengine) must not step on each other.
With a tight shared rate limit the runs also compete for one bucket: they must wait, not fail.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from sarguard.cli import main
from tests.conftest import REPO_ROOT
from tests.reliability.cliresult import CliRun, drift_items, triples


def _drift(url: str, output: Path) -> int:
    return main(["drift", "--stack", "demo", "--org-url", url, "--project-dir", str(REPO_ROOT),
                 "--format", "json", "--output", str(output), "--timeout", "5"])


def _report(code: int, path: Path) -> CliRun:
    return CliRun(code, "", "", json.loads(path.read_text("utf-8")))


@pytest.mark.parametrize("rate_limit", [None, "/api/v1=16/min"], ids=["unlimited", "tight"])
def test_two_drift_runs_at_once_both_report_correctly(live, tmp_path, rate_limit) -> None:
    emu = live.emulator("demo", rate_limits=rate_limit)
    code = _drift(emu.url, tmp_path / "serial.json")
    serial = _report(code, tmp_path / "serial.json")
    assert serial.code == 1 and drift_items(serial), "the demo org has known drift"
    emu.reset_stats()

    barrier = threading.Barrier(2)
    codes: dict[int, int] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            codes[n] = _drift(emu.url, tmp_path / f"run{n}.json")
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads), "a run hung"
    for n in (1, 2):
        run = _report(codes[n], tmp_path / f"run{n}.json")
        assert run.code == serial.code and not run.unread, (run.code, run.unread)
        assert drift_items(run) == drift_items(serial)
        assert triples(run) == triples(serial)
    if rate_limit:
        # Both runs drew on one bucket of 16 a minute and more than 16 calls were needed:
        # at least one run waited for a window (virtual time), none gave up.
        used = [r for r in emu.requests if r.bucket == "/api/v1"]
        assert len(used) > 16, len(used)
        waited = [_report(codes[n], tmp_path / f"run{n}.json").api for n in (1, 2)]
        assert any(a["rate_limit_waits"] or a["rate_limited"] for a in waited), waited
