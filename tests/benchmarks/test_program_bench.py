"""The benchmark's program-running measurements, on a tiny org: they must measure the same
resources on both sides and render their targets, never time anything here."""

from __future__ import annotations

from benchmarks.offline import bench_declared, bench_offline, bench_startup
from benchmarks.results import offline_targets, program_targets


def quiet(_line: str) -> None:
    """The harness logs progress lines; the test does not need them."""


def test_the_raw_program_and_the_declared_side_register_what_the_bare_engine_does():
    size = bench_offline(1, 1, log=quiet, modes=("bare", "check-raw"))
    assert not size.problems, size.problems
    assert size.check_raw and size.check_raw[0]["exit"] in (0, 1)  # it ran and judged
    assert size.check_raw[0]["findings"] > 0
    assert [t.name for t in offline_targets([size])] == []  # targets start at 10 brands

    declared = bench_declared(1, 1, log=quiet)
    assert not declared.problems, declared.problems
    assert declared.ratio is not None and declared.declared and declared.bare


def test_start_up_is_measured_beside_its_floor():
    startup = bench_startup(1, log=quiet)
    assert not startup.problems, startup.problems
    assert startup.check_s and startup.floor_s
    [target] = program_targets(None, startup)
    assert "import pulumi_okta" in target.measured and target.met is not None
