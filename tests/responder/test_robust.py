"""Nothing stalls on one bad event (issue 20 §1): a hostile corpus, then a normal report.

Every hostile event reaches the responder the way an attacker holding the hook secret (or a
hostile org, through reconciliation) would send it; each must end answered 204 or 400 (never a
500 Okta would retry, never a hang), and whatever planning or acting does with it, the normal
report that follows must be acted on.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.responder.harness import delivery_body
from sarguard.responder.store.engine import open_store
from sarguard.responder.store.ingest import ingest_delivery
from sarguard.responder.store.migrate import upgrade
from sarguard.responder.store.planning import plan_batch
from sarguard.responder.store.schema import Action, Event, Report
from sarguard.responder.supervise import MAX_RESTARTS, Supervisor
from sarguard.systemlog import logevent as le
from tests.responder.conftest import ALICE, BOB, SECRET, sqlite_url, wait_until, write_config
from tests.responder.test_app import report_event

EXTREME_TIMES = ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z",
                 "0001-01-01T00:00:00+14:00", "2026-01-01T00:00:00+14:00",
                 "2026-01-01T00:00:00-14:00", "not a time", "1" * 5000)
WRONG = (12345, -1.5e308, [], ["x", 1], {}, {"nested": {"deeper": [1, 2]}}, None, True, "")
HUGE = "\u00e9" * 150_000


def hostile_events() -> Iterator[dict[str, Any]]:
    """Report events for ALICE, each broken in one way."""
    n = 0

    def base() -> dict[str, Any]:
        nonlocal n
        n += 1
        return report_event(f"hostile-{n:04d}", ALICE)

    for when in EXTREME_TIMES:
        event = base()
        event["published"] = when
        yield event
        event = base()
        event["debugContext"]["debugData"]["suspiciousActivityTimestamp"] = when
        yield event
    for key in list(report_event("x")):
        for value in WRONG:
            event = base()
            event[key] = copy.deepcopy(value)
            yield event
    for path in (("actor", "id"), ("actor", "alternateId"), ("actor", "displayName"),
                 ("client", "ipAddress"), ("client", "geographicalContext"),
                 ("debugContext", "debugData"), ("outcome", "result")):
        for value in (*WRONG, HUGE, "nul\u0000 and a lone surrogate \ud800"):
            event = base()
            node = event
            for part in path[:-1]:
                node = node.setdefault(part, {}) if isinstance(node, dict) else node
            node[path[-1]] = copy.deepcopy(value)
            yield event
    for key in ("suspiciousActivityEventIp", "suspiciousActivityEventCity",
                "suspiciousActivityBrowser", "suspiciousActivityEventLatitude"):
        for value in (*WRONG, HUGE, "\u0000\ud800"):
            event = base()
            event["debugContext"]["debugData"][key] = copy.deepcopy(value)
            yield event
    event = base()
    event["displayMessage"] = HUGE
    yield event


def post(url: str, body: bytes) -> int:
    return httpx.post(url, content=body, timeout=30, trust_env=False,
                      headers={"Authorization": SECRET,
                               "Content-Type": "application/json"}).status_code


def test_a_hostile_corpus_then_a_normal_report_which_is_acted_on(tmp_path, org, sink,
                                                                 start_responder,
                                                                 database_url) -> None:
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=database_url, extra="cooldown: 15m\n")
    responder = start_responder(config)
    statuses = []
    corpus = list(hostile_events())
    for event in corpus:
        statuses.append(post(responder.url, delivery_body([event])))
    # duplicate uuids inside one delivery (different bodies), and a whole batch at once
    twin = report_event("hostile-twin", ALICE)
    other = copy.deepcopy(twin)
    other["published"] = "9999-12-31T23:59:59-14:00"
    statuses.append(post(responder.url, delivery_body([twin, other, twin])))
    statuses.append(post(responder.url, delivery_body(corpus[:40])))
    assert set(statuses) <= {204, 400}, statuses
    assert statuses.count(204) > len(corpus) // 2  # most reach planning: the point of the test

    normal = report_event("the-normal-report", BOB)
    normal["published"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert post(responder.url, delivery_body([normal])) == 204

    wait_until(lambda: len(org.log("user.session.clear", BOB)) == 1, timeout=120)
    wait_until(lambda: responder.status()["events"]["awaitingPlanning"] == 0, timeout=60)
    with responder.server.store.read() as session:
        stuck = session.query(Event).filter(Event.planned.is_(False)).count()
        failed = session.query(Report).filter(Report.disposition == "failed").all()
        reports = session.query(Report).count()
    assert stuck == 0
    assert reports >= 2  # every stored report event became a report (failed ones included)
    for report in failed:
        reason = json.loads(report.summary)["planningError"]
        assert reason and SECRET not in reason
    health = httpx.get(f"{responder.base_url}/healthz", trust_env=False, timeout=10)
    assert health.status_code == 200
    status = httpx.get(f"{responder.base_url}/status", trust_env=False, timeout=10).json()
    assert status["status"] == "ok", status
    assert all(loop["restarts"] == 0 and loop["state"] in ("running", "stopped")
               for loop in status["loops"].values()), status
    print(f"{len(corpus)} hostile events, {len(failed)} failed reports, {reports} reports")


def test_an_event_whose_planning_raises_fails_alone_and_is_notified(tmp_path, monkeypatch
                                                                    ) -> None:
    """Any exception (not only a database error) fails that event, with the redacted reason,
    and a notify row (purpose planFailed) tells the SOC; the events after it are planned."""
    from sarguard.responder.config import load_config
    from sarguard.responder.store import planning

    store = open_store(sqlite_url(tmp_path))
    upgrade(store)
    monkeypatch.setenv("SINK_URL", "json://127.0.0.1:9/x")
    config = load_config(write_config(tmp_path / "r.yaml", org_url="https://acme.okta.com",
                                      database=sqlite_url(tmp_path)), dict(os.environ))
    real = planning.summarize_report

    def exploding(body: Any) -> Any:
        if body.get("uuid") == "bad":
            raise ZeroDivisionError(f"boom with the secret {SECRET}")
        return real(body)

    monkeypatch.setattr(planning, "summarize_report", exploding)
    from sarguard.responder.hookauth import HookSecrets

    held = HookSecrets(SECRET)  # what a serving responder holds (so the registry knows it)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    ingest_delivery(store, body="{}", event_id="e", source="s", now=now,
                    events=[report_event("bad", ALICE), report_event("good", BOB)])
    planned = plan_batch(store, config, now)
    assert planned.count == 2
    assert dict((u, d) for u, d, _r, _id in planned.outcomes) == {"bad": "failed",
                                                                   "good": "respond"}
    assert planned.failures == (("bad", "ZeroDivisionError"),)
    with store.read() as session:
        bad = session.query(Report).filter(Report.event_uuid == "bad").one()
        assert bad.outcome == "failed"
        reason = json.loads(bad.summary)["planningError"]
        assert reason.startswith("ZeroDivisionError: boom") and SECRET not in reason
        [notify] = session.query(Action).filter(Action.report_id == bad.id).all()
        assert notify.kind == "notify" and notify.status == "pending"
        assert json.loads(notify.options)["purpose"] == "planFailed"
        good = session.query(Report).filter(Report.event_uuid == "good").one()
        assert good.disposition == "respond"
    # `sarguard responder status` says why, in JSON and in its text table
    from sarguard.responder.status import render_status_text
    from sarguard.responder.store.readers import status_summary

    summary = status_summary(store)
    views = {v["eventId"]: v for v in summary["recent"]}
    assert views["bad"]["planningError"] == reason and views["good"]["planningError"] is None
    text = render_status_text(summary, width=400)
    assert "failed (planning: ZeroDivisionError: boom with the secret ***)" in text
    assert SECRET not in text
    del held
    store.dispose()


def test_times_arithmetic_cannot_hold_are_kept_as_text_and_use_the_receipt_time(tmp_path
                                                                               ) -> None:
    store = open_store(sqlite_url(tmp_path))
    upgrade(store)
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    events = []
    for i, when in enumerate(EXTREME_TIMES):
        event = report_event(f"t{i}", ALICE)
        event["published"] = when
        events.append(event)
    ingest_delivery(store, body="{}", event_id="e", source="s", events=events, now=now)
    with store.read() as session:
        stored = {e.uuid: e for e in session.query(Event)}
    for i, when in enumerate(EXTREME_TIMES):
        assert json.loads(stored[f"t{i}"].body)["published"] == when  # kept as text
    # the two ordinary offsets keep their instant; the rest have none (receipt time is used)
    assert stored["t4"].published == datetime(2025, 12, 31, 10, tzinfo=UTC)
    assert stored["t5"].published == datetime(2026, 1, 1, 14, tzinfo=UTC)
    assert {u for u, e in stored.items() if e.published is None} == {
        "t0", "t1", "t2", "t3", "t6", "t7"}
    store.dispose()


def test_logevent_times_never_raise() -> None:
    assert le.parse_time("9999-12-31T23:59:59-14:00") is None  # no UTC equivalent
    assert le.parse_time("0001-01-01T00:00:00+14:00") is None
    assert le.parse_time("9999-12-31T23:59:59Z") is not None
    edge = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=14)))
    assert le.iso(edge) == "9999-12-31T23:59:59-14:00"
    assert le.iso(datetime(2026, 1, 1, 1, tzinfo=UTC)) == "2026-01-01T01:00:00Z"


def test_a_loop_that_dies_is_restarted_and_the_sixth_death_in_a_minute_gives_up() -> None:
    now = [0.0]
    fatal: list[str] = []
    restarted: list[str] = []
    sup = Supervisor(on_fatal=fatal.append, on_restart=restarted.append, clock=lambda: now[0])
    deaths = [0]

    async def dies() -> None:
        deaths[0] += 1
        now[0] += 1.0
        raise RuntimeError(f"bug number {deaths[0]}")

    async def main() -> None:
        import sarguard.responder.supervise as supervise

        supervise.RESTART_DELAY_S = 0
        await sup.start("planner", dies)

    asyncio.run(main())
    assert restarted == ["planner"] * MAX_RESTARTS
    assert deaths[0] == MAX_RESTARTS + 1
    assert fatal and "planner" in fatal[0] and "bug number 6" in fatal[0]
    assert sup.loops["planner"].state == "down" and not sup.all_running


def test_deaths_spread_over_more_than_a_minute_are_only_restarts() -> None:
    now = [0.0]
    fatal: list[str] = []
    sup = Supervisor(on_fatal=fatal.append, clock=lambda: now[0])
    deaths = [0]

    async def dies_then_stops() -> None:
        deaths[0] += 1
        now[0] += 30.0
        if deaths[0] <= 10:
            raise RuntimeError("again")

    async def main() -> None:
        import sarguard.responder.supervise as supervise

        supervise.RESTART_DELAY_S = 0
        await sup.start("worker-0", dies_then_stops)

    asyncio.run(main())
    assert fatal == [] and deaths[0] == 11 and sup.loops["worker-0"].restarts == 10


@pytest.fixture(autouse=True)
def _restore_restart_delay() -> Iterator[None]:
    import sarguard.responder.supervise as supervise

    saved = supervise.RESTART_DELAY_S
    yield
    supervise.RESTART_DELAY_S = saved


def test_loop_restarts_and_failed_events_reach_metrics(tmp_path: Path) -> None:
    from sarguard.responder.metrics import Metrics

    metrics = Metrics()
    metrics.loop_restarts.labels("planner").inc()
    metrics.failed_events.labels("OverflowError").inc()
    text = metrics.render().decode()
    assert 'sarguard_responder_loop_restarts_total{loop="planner"} 1.0' in text
    assert 'sarguard_responder_failed_events_total{reason="OverflowError"} 1.0' in text
    assert "sarguard_responder_oldest_waiting_seconds" in text
    assert "sarguard_responder_credential_works" in text


@pytest.mark.parametrize("depth", [65, 5000, 200_000])
def test_json_nested_too_deep_is_a_400_not_a_500(tmp_path, caplog, depth: int) -> None:
    """Okta retries a 5xx and never a 4xx: a body no delivery could be is a 400."""
    from sarguard.responder.app import AppDeps, build_app
    from sarguard.responder.hookauth import HookSecrets
    from sarguard.responder.metrics import Metrics
    from tests.responder.conftest import serving

    event = report_event("deep", ALICE)
    event["debugContext"]["debugData"]["x"] = "@@"
    text = delivery_body([event]).decode()
    body = text.replace('"@@"', "[" * depth + "]" * depth).encode()
    store = open_store(sqlite_url(tmp_path))
    upgrade(store)
    deps = AppDeps(store=store, secrets=HookSecrets(SECRET), path="/okta/events",
                   auth_header="Authorization", metrics=Metrics())
    with serving(build_app(deps)) as http:
        answer = http.post("/okta/events", content=body, headers={
            "Authorization": SECRET, "Content-Type": "application/json"})
        assert answer.status_code in (400, 413), answer.text
        if len(body) <= 1024 * 1024:
            assert answer.status_code == 400 and "nests deeper than 64" in answer.text
        assert http.post("/okta/events", content=delivery_body([report_event("fine", BOB)]),
                         headers={"Authorization": SECRET,
                                  "Content-Type": "application/json"}).status_code == 204
    deps.writer.stop()
    store.dispose()


def test_duplicates_are_logged_with_what_they_duplicate(tmp_path, caplog) -> None:
    from sarguard.responder.app import AppDeps, build_app
    from sarguard.responder.hookauth import HookSecrets
    from sarguard.responder.metrics import Metrics
    from tests.responder.conftest import serving

    store = open_store(sqlite_url(tmp_path))
    upgrade(store)
    deps = AppDeps(store=store, secrets=HookSecrets(SECRET), path="/okta/events",
                   auth_header="Authorization", metrics=Metrics())
    headers = {"Authorization": SECRET, "Content-Type": "application/json"}
    with caplog.at_level(logging.INFO, logger="sarguard.responder"), \
            serving(build_app(deps)) as http:
        first = report_event("dup-1", ALICE)
        assert http.post("/okta/events", content=delivery_body([first, first]),
                         headers=headers).status_code == 204
        assert http.post("/okta/events", content=delivery_body([first]),
                         headers=headers).status_code == 204
    deps.writer.stop()
    store.dispose()
    steps = [(r.sarguard_step, r.getMessage()) for r in caplog.records
             if hasattr(r, "sarguard_step")]
    assert steps == [
        ("received", f"delivery #1: event dup-1 received (user {ALICE})"),
        ("duplicate", "delivery #1: event dup-1 is a duplicate of an earlier event of this "
                      "delivery (not planned again)"),
        ("duplicate", "delivery #2: event dup-1 is a duplicate of delivery #1 (not planned "
                      "again)"),
    ]


def test_two_emulator_runs_of_one_seed_never_share_an_event_uuid_or_delivery_id() -> None:
    """Issue 20 §12: a new report taken for a redelivery because two runs repeated a uuid."""
    from sarguard.emulator import Emulator
    from sarguard.emulator.control_client import ControlClient
    from tests.responder.conftest import responder_seed

    seen: list[dict[str, Any]] = []
    for _run in range(2):
        with Emulator(seed=responder_seed(), token="emulator-control-token-1") as emu:
            seen.append(ControlClient(emu.url, emu.token).report({"userId": ALICE}))
    first, second = seen
    uuids = [{e["uuid"] for e in answer["events"]} for answer in seen]
    assert uuids[0].isdisjoint(uuids[1])
    assert first["reportEvent"] != second["reportEvent"]
    report = next(e for e in first["events"] if e["uuid"] == first["reportEvent"])
    debug = report["debugContext"]["debugData"]
    assert debug["suspiciousActivityEventType"] == (
        "system.email.new_device_notification.sent_message")
    assert debug["suspiciousActivityEventId"] == first["reportedEvent"] != first["activityEvent"]


def test_a_loop_that_keeps_dying_stops_the_server_for_a_non_zero_exit(tmp_path, org, sink,
                                                                      start_responder,
                                                                      monkeypatch) -> None:
    import sarguard.responder.supervise as supervise
    from sarguard.responder.service import ResponderGaveUp, Runtime

    async def broken_planner(self: Runtime) -> None:
        raise RuntimeError("a bug in the planner")

    monkeypatch.setattr(supervise, "RESTART_DELAY_S", 0.01)
    monkeypatch.setattr(Runtime, "planner", broken_planner)
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path))
    responder = start_responder(config)
    wait_until(lambda: not responder._thread.is_alive(), timeout=60)  # it stopped by itself
    assert responder.server.gave_up and "planner" in responder.server.gave_up
    assert responder.server.runtime.metrics.loop_restarts.labels("planner")._value.get() == 5
    from sarguard.errors import SarguardError

    assert issubclass(ResponderGaveUp, SarguardError)  # serve() raises it: the CLI exits 2


def test_an_outcome_the_database_aborts_as_a_deadlock_victim_is_recorded_again(
        tmp_path, org, sink, start_responder, monkeypatch) -> None:
    """Issue 20 §10's burst: PostgreSQL chose ``queue.finish`` as a deadlock's victim, the worker
    loop died and the action stayed ``running`` under a live responder for ever."""
    from sqlalchemy.exc import OperationalError

    from sarguard.responder.store import queue

    class DeadlockDetected(Exception):
        sqlstate = "40P01"

    real, aborted = queue.finish, []

    def finish(store: Any, action_id: int, *args: Any) -> bool:
        if not aborted:
            aborted.append(action_id)
            raise OperationalError("UPDATE reports ...", {}, DeadlockDetected("deadlock"))
        return real(store, action_id, *args)

    monkeypatch.setattr(queue, "finish", finish)
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path))
    responder = start_responder(config)
    assert post(responder.url, delivery_body([report_event("victim", ALICE)])) == 204

    def settled() -> dict[str, Any] | None:
        recent = responder.status()["recent"]
        return recent[0] if recent and recent[0]["outcome"] != "pending" else None

    report = wait_until(settled, timeout=60)
    assert aborted and report["outcome"] == "done"
    assert not [a for a in report["actions"] if a["status"] in ("pending", "waiting", "running")]
    assert responder.server.runtime.metrics.loop_restarts.labels("worker")._value.get() == 0


def test_an_action_that_raises_fails_alone_and_the_queue_goes_on(tmp_path, org, sink,
                                                                 start_responder,
                                                                 monkeypatch) -> None:
    from sarguard.responder.actions import Executor

    real = Executor.clear_sessions

    async def exploding(self: Executor, claimed: Any) -> Any:
        if claimed.user_id == ALICE:
            raise KeyError(f"a bug, holding {SECRET}")
        return await real(self, claimed)

    monkeypatch.setattr(Executor, "clear_sessions", exploding)
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path))
    responder = start_responder(config)
    for uuid, user in (("boom", ALICE), ("fine", BOB)):
        assert post(responder.url, delivery_body([report_event(uuid, user)])) == 204
    wait_until(lambda: len(org.log("user.session.clear", BOB)) == 1)

    def settled() -> dict[str, Any] | None:
        recent = {r["eventId"]: r for r in responder.status()["recent"]}
        done = all(r["outcome"] != "pending" for r in recent.values()) and len(recent) == 2
        return recent if done else None

    recent = wait_until(settled, timeout=60)
    clear = recent["boom"]["actions"][0]
    assert clear["kind"] == "clearSessions" and clear["status"] == "failed"
    assert clear["lastError"].startswith("internal error: KeyError") and SECRET not in \
        clear["lastError"]
    assert recent["boom"]["outcome"] in ("partial", "failed")
    assert recent["fine"]["outcome"] == "done"
    assert org.log("user.session.clear", ALICE) == []
