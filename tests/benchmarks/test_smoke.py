"""The benchmark harness, end to end on a tiny org: it must count correctly, never time.

Runs ``sarguard drift`` against a fresh emulator (no latency) and the offline workers at one
brand, side by side (each drives child processes), then renders the results page from what it
got. The Okta SDK baseline is left to ``python -m benchmarks --quick``: importing the SDK alone
takes 4-6 s, which would blow this test's budget; here only the harness's judgement of a
baseline run is checked.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from benchmarks.livebench import LiveRun, LiveSettings, bench_size, check_sdk_result, fewest_calls
from benchmarks.offline import bench_offline, offline_shape
from benchmarks.orggen import OrgShape
from benchmarks.results import live_targets, offline_targets, render_results

TINY = OrgShape(brands=2, languages=("en", "fr"), hooks=3, report_events=1)
# Besides brand templates: notification switches, the hook and its verification, two role
# subscriptions and ThreatInsight.
OTHER_RESOURCES = 6


def quiet(_line: str) -> None:
    """The harness logs progress lines; the test does not need them."""


def test_harness_counts_calls_sees_no_429s_and_writes_results():
    settings = LiveSettings(latency_ms=0, timeout_s=120)
    with ThreadPoolExecutor(max_workers=2) as pool:
        live_job = pool.submit(bench_size, TINY, settings, sarguard_runs=1, sdk_runs=0, log=quiet)
        offline = bench_offline(1, 1, log=quiet)
        size = live_job.result()
    ours = size.sarguard[0]

    # sarguard read the whole org: the harness checks exit 0, no drift and nothing unread.
    assert ours.ok, ours.problems
    # Calls are counted by the emulator, and sarguard's own count agrees.
    assert ours.calls == ours.self_reported_calls
    assert sum(ours.calls_by_bucket.values()) == ours.calls
    # sarguard stays at the fewest calls plus its credential check and two extra log queries.
    fewest = sum(fewest_calls(TINY).values())
    assert size.fewest_total == fewest
    assert fewest <= ours.calls <= fewest + 3
    assert ours.status_429 == 0 and ours.failed_calls == 0
    assert {"declared", "live", "evaluation", "rendering"} <= set(ours.timings)

    # Offline: both workers ran and declared the same resources.
    assert not offline.problems, offline.problems
    shape = offline_shape(1)
    assert offline.resources == len(shape.templates) * (1 + len(shape.languages)) + OTHER_RESOURCES
    assert offline.check[0]["failed"] == 0 and offline.check[0]["findings"] > 0

    text = render_results(command="pytest", started="now", duration_s=1.0, machine=["test"],
                          settings=settings, live=[size], offline=[offline], plots=[])
    assert "## Large-org drift" in text and "## Offline check scaling" in text
    assert f"| API calls | {ours.calls} | not run | fewest {fewest} |" in text
    targets = {t.name: t for t in live_targets(size)}
    assert targets["429s received by sarguard"].met and targets["failed sarguard runs"].met
    assert offline_targets([offline]) == []  # the check-vs-engine target starts at 10 brands

    # A baseline that read less than the org holds is a failed run, not a fast one.
    short = LiveRun("sdk", TINY.brands, 0, 1.0, None, 10, {}, 0, 0)
    check_sdk_result(short, TINY, {"seconds": 0.5, "brands": 2, "customizations": 3,
                                   "settings": 8, "event_hooks": 3, "role_subscriptions": 2,
                                   "errors": []})
    assert short.problems == [f"SDK read 3 customizations, expected {TINY.customizations}"]
