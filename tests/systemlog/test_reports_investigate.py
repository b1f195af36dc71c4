"""`sarguard reports` and `sarguard investigate` command logic (no network: a fake fetcher)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sarguard.model import REPORT_EVENT
from sarguard.systemlog.filters import FilterError
from sarguard.systemlog.investigate import (
    investigate,
    parse_since,
    render_investigation_json,
    render_investigation_text,
)
from sarguard.systemlog.reports import (
    REPORT_FILTER,
    fetch_reports,
    render_reports_json,
    render_reports_text,
    report_rows,
)

from .fakes import FakeLog
from .logfactory import SESSION, USER, at, event, user_target

NOW = at(60 * 24)


def report(minutes: float, activity_at: str | None = "2026-03-02T07:30:00Z", user=USER) -> dict:
    debug = {"suspiciousActivityEventType": "user.authentication.verify",
             "suspiciousActivityEventIp": "198.51.100.9", "suspiciousActivityEventCity": "Pune",
             "suspiciousActivityEventCountry": "India", "suspiciousActivityBrowser": "CHROME",
             "suspiciousActivityOs": "Linux"}
    if activity_at:
        debug["suspiciousActivityTimestamp"] = activity_at
    return event(REPORT_EVENT, at(minutes), targets=[user_target(user)], debug=debug,
                 actor={"id": user, "type": "User", "alternateId": "ann@example.com",
                        "displayName": "Ann User"})


def test_rows_newest_first_with_investigate_commands() -> None:
    rows = report_rows([report(0), report(30, activity_at=None), event("user.session.start")],
                       now=NOW)
    assert [r.report.when for r in rows] == [at(30), at(0)]
    # A day before the reported activity, or before the report when debugData has no time.
    assert rows[1].command == f"sarguard investigate --user {USER} --since 2026-03-01T07:30:00Z"
    assert rows[0].command == f"sarguard investigate --user {USER} --since 2026-03-01T08:30:00Z"


def test_command_start_stays_inside_retention_and_needs_a_valid_id() -> None:
    [row] = report_rows([report(0, activity_at="2025-01-01T00:00:00Z")], now=NOW)
    since = row.command.split("--since ")[1]
    assert parse_since(since, NOW) > NOW - timedelta(days=90)
    [row] = report_rows([report(0, user='bad" id')], now=NOW)
    assert row.command is None


def test_fetch_reports_is_one_bounded_query() -> None:
    log = FakeLog([report(0), event("user.session.start")])
    rows = fetch_reports(log, since=at(-60), until=at(60), now=NOW)
    assert len(rows) == 1
    assert log.calls == [(REPORT_FILTER, at(-60), at(60))]
    assert REPORT_FILTER == f'(eventType eq "{REPORT_EVENT}")'


def test_report_renderers() -> None:
    rows = report_rows([report(0)], now=NOW)
    text = render_reports_text(rows, since=at(-60), until=at(60), width=300)
    assert "1 suspicious activity report(s)" in text and "Pune, India" in text
    assert f"sarguard investigate --user {USER}" in text
    doc = json.loads(render_reports_json(rows, since=at(-60), until=at(60)))
    assert doc["count"] == 1
    assert doc["reports"][0]["activityEventType"] == "user.authentication.verify"
    assert doc["reports"][0]["investigate"] == rows[0].command
    assert "No suspicious activity reports" in render_reports_text([], since=at(0), until=at(1))


def test_investigate_runs_one_query_and_builds_the_timeline() -> None:
    log = FakeLog([event("user.session.start", at(1)), event("user.session.end", at(2))])
    result = investigate(log, user=USER, scope="logout", since=at(0), until=at(10))
    [(filter_, since, until)] = log.calls
    assert filter_ == result.filter and filter_.startswith(f'(actor.id eq "{USER}"')
    assert (since, until) == (at(0), at(10))
    # The fake only honours the eventType part: the logout scope keeps session.end only.
    assert [e.event_type for e in result.timeline.entries] == ["user.session.end"]
    text = render_investigation_text(result)
    assert f"Filter: {result.filter}" in text and "Sign out #1" in text
    doc = json.loads(render_investigation_json(result))
    assert doc["scope"] == "logout" and doc["filter"] == result.filter
    assert doc["since"] == "2026-03-02T08:00:00Z"


def test_investigate_rejects_bad_input_before_fetching() -> None:
    log = FakeLog([])
    with pytest.raises(FilterError, match="--session"):
        investigate(log, session='" or eventType pr or "', since=at(0), until=at(1))
    assert log.calls == []


def test_investigate_by_session_with_all_scope_has_no_event_clause() -> None:
    log = FakeLog([])
    result = investigate(log, session=SESSION, scope="all", since=at(0), until=at(1))
    assert result.filter == f'(authenticationContext.externalSessionId eq "{SESSION}")'
