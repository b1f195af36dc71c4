"""Reconciliation's System Log queries: bounded (``since`` and ``until``: a polling query would
never end), filtered on the report event, starting where the last search ended (with an
overlap: the log is only near real time), one responder at a time, failures recorded.

Sources: Okta's System Log API (reference/okta-management-openapi.yaml, ``GET /api/v1/logs``):
``since``/``until``/``filter``/``limit``/``sortOrder``; a query without ``until`` is a polling
query whose ``next`` link never runs out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sarguard.responder.reconcile import OVERLAP, Reconciler
from sarguard.responder.store.engine import open_store
from sarguard.responder.store.migrate import upgrade
from sarguard.responder.store.readers import status_summary
from sarguard.responder.store.reconcile_state import ensure_state, take_lease
from sarguard.systemlog.reports import REPORT_FILTER
from tests.okta.fakeokta import FakeClock, FakeOkta, error, make_client, run
from tests.responder.conftest import sqlite_url
from tests.responder.test_app import report_event

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    opened = open_store(sqlite_url(tmp_path))
    upgrade(opened)
    ensure_state(opened, START)
    yield opened
    opened.dispose()


def test_a_run_searches_a_bounded_window_for_report_events(store) -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", [report_event("lost-1")])
    now = START + timedelta(minutes=5)
    reconciler = Reconciler(store, make_client(fake), me=1, every=timedelta(minutes=5),
                            clock=lambda: now)
    result = run(reconciler.run_once())
    assert (result.ran, result.found, result.new) == (True, 1, 1)
    [query] = fake.requests
    assert query.url.params["filter"] == REPORT_FILTER
    assert query.url.params["since"] == "2026-03-01T11:50:00.000Z"  # the first serve - overlap
    assert query.url.params["until"] == "2026-03-01T12:04:00.000Z"  # now - grace (1 min)
    assert query.url.params["sortOrder"] == "ASCENDING"
    summary = status_summary(store)
    assert summary["events"]["reconciled"] == 1
    assert summary["reconcile"]["searchedUntil"] == "2026-03-01T12:04:00Z"
    assert summary["reconcile"]["lastFound"] == 1
    # The next run starts from there (with the overlap); a known event is not new again.
    later = now + timedelta(minutes=5)
    reconciler.clock = lambda: later
    assert run(reconciler.run_once()).new == 0
    assert fake.requests[1].url.params["since"] == (
        (START + timedelta(minutes=4) - OVERLAP).strftime("%Y-%m-%dT%H:%M:%S.000Z"))


def _until_advisory_lock_released(store, key: int, limit_s: float = 30.0) -> None:
    """PostgreSQL releases a dead session's advisory locks when its backend notices the closed
    connection, a moment after the client drops it: wait for that (a condition, bounded), as a
    surviving responder would see it on its next poll."""
    import time

    from sqlalchemy import text

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        with store.writer.connect() as conn:
            held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                     "AND objid = :key AND granted"), {"key": key}).scalar()
        if not held:
            return
        time.sleep(0.05)
    raise AssertionError(f"advisory lock {key} still held {limit_s} s after its session died")


def test_one_responder_reconciles_at_a_time(pg_server) -> None:
    """PostgreSQL: a live holder keeps the lease; a dead one (its advisory lock released, as
    on ``kill -9``) loses it at once, not when the lease runs out."""
    from sqlalchemy import text

    shared = open_store(pg_server.new_database())
    upgrade(shared)
    ensure_state(shared, START)
    holder = shared.writer.connect()
    holder.execute(text("SELECT pg_advisory_lock(1)"))
    holder.commit()
    try:
        assert take_lease(shared, 1, START, timedelta(minutes=10)) is not None
        assert take_lease(shared, 2, START + timedelta(minutes=1), timedelta(minutes=10)) is None
        holder.invalidate()  # owner 1 dies, its lease still has 9 minutes to run
        _until_advisory_lock_released(shared, 1)
        assert take_lease(shared, 2, START + timedelta(minutes=1), timedelta(minutes=10))
    finally:
        shared.dispose()


def test_on_sqlite_a_lease_left_by_a_killed_process_is_taken_over(store) -> None:
    """SQLite: one serving process per file, so a lease held by another owner is a dead one's."""
    assert take_lease(store, 1, START, timedelta(minutes=10)) is not None
    assert take_lease(store, 2, START, timedelta(minutes=10)) is not None


def test_a_failed_search_is_recorded_with_the_reason_and_the_watermark_kept(store) -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", lambda r: error(403, "E0000006", "You do not have permission"))
    now = START + timedelta(minutes=5)
    result = run(Reconciler(store, make_client(fake), me=1, every=timedelta(minutes=5),
                            clock=lambda: now).run_once())
    assert result.error is not None and "lacks permission" in result.error
    state = status_summary(store)["reconcile"]
    assert state["searchedUntil"] == "2026-03-01T12:00:00Z"  # unchanged: searched again next time
    assert "lacks permission" in state["lastError"]
