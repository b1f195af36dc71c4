"""System Log reader: always bounded, largest page, follows next links, respects its bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from sarguard.evidence.live import iter_logs
from sarguard.okta.errors import OktaConfigError
from tests.okta.fakeokta import ORG, FakeClock, FakeOkta, json_response, make_client

SINCE = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
UNTIL = SINCE + timedelta(hours=2)
FILTER = 'eventType eq "user.account.report_suspicious_activity_by_enduser"'


def log_pages(request: httpx.Request) -> httpx.Response:
    page = int(request.url.params.get("after", "0"))
    headers = {}
    if page < 2:
        headers["Link"] = f'<{ORG}/api/v1/logs?after={page + 1}&limit=1000>; rel="next"'
    return json_response([{"uuid": f"e{page}a"}, {"uuid": f"e{page}b"}], headers=headers)


def test_bounded_query_pages_to_the_end() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", log_pages)
    client = make_client(fake)
    events = list(iter_logs(client, since=SINCE, until=UNTIL, filter=FILTER))
    assert [e["uuid"] for e in events] == ["e0a", "e0b", "e1a", "e1b", "e2a", "e2b"]
    first = fake.requests[0].url.params
    assert first["since"] == "2026-03-01T12:00:00.123Z"
    assert first["until"] == "2026-03-01T14:00:00.123Z"
    assert first["limit"] == "1000" and first["filter"] == FILTER
    assert client.stats.calls_by_bucket == {"/api/v1/logs": 3}


def test_times_are_sent_in_utc() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", [])
    plus2 = timezone(timedelta(hours=2))
    list(iter_logs(make_client(fake), since=datetime(2026, 3, 1, 14, tzinfo=plus2),
                   until=datetime(2026, 3, 1, 15, tzinfo=plus2), filter=None))
    params = fake.requests[0].url.params
    assert params["since"] == "2026-03-01T12:00:00.000Z" and "filter" not in params


def test_stopping_early_sends_no_more_requests() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/logs", log_pages)
    events = iter_logs(make_client(fake), since=SINCE, until=UNTIL, filter=None)
    assert next(events)["uuid"] == "e0a"
    events.close()
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("since", "until", "limit", "fragment"),
    [(SINCE.replace(tzinfo=None), UNTIL, 1000, "timezone-aware"),
     (UNTIL, SINCE, 1000, "earlier than"),
     (SINCE, UNTIL, 1001, "page size")],
)
def test_unbounded_or_bad_queries_are_refused(since, until, limit, fragment) -> None:
    fake = FakeOkta(FakeClock())
    with pytest.raises(OktaConfigError, match=fragment):
        iter_logs(make_client(fake), since=since, until=until, filter=None, limit=limit)
    assert fake.requests == []
