"""--since/--until: relative durations, ISO times, Okta's 90-day retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sarguard.systemlog.durations import DurationError, parse_since, parse_until

NOW = datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "delta"),
    [("30d", timedelta(days=30)), ("12h", timedelta(hours=12)), ("90m", timedelta(minutes=90)),
     ("2w", timedelta(weeks=2)), ("90d", timedelta(days=90)), ("7D", timedelta(days=7)),
     (" 1h ", timedelta(hours=1))],
)
def test_relative(value: str, delta: timedelta) -> None:
    assert parse_since(value, NOW) == NOW - delta


def test_default_is_30_days() -> None:
    assert parse_since(None, NOW) == NOW - timedelta(days=30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-03-01T08:00:00Z", datetime(2026, 3, 1, 8, tzinfo=UTC)),
     ("2026-03-01T10:00:00+02:00", datetime(2026, 3, 1, 8, tzinfo=UTC)),
     ("2026-03-01T08:00:00", datetime(2026, 3, 1, 8, tzinfo=UTC)),
     ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC))],
)
def test_iso(value: str, expected: datetime) -> None:
    got = parse_since(value, NOW)
    assert got == expected and got.tzinfo is not None


def test_naive_now_is_treated_as_utc() -> None:
    assert parse_since("1h", NOW.replace(tzinfo=None)) == NOW - timedelta(hours=1)


@pytest.mark.parametrize("value", ["91d", "13w", "2200h", "2025-12-01T00:00:00Z"])
def test_older_than_retention_is_rejected(value: str) -> None:
    with pytest.raises(DurationError, match="Okta keeps System Log events for 90 days"):
        parse_since(value, NOW)


@pytest.mark.parametrize(
    ("value", "message"),
    [("yesterday", "not understood"), ("-5d", "not understood"), ("5y", "not understood"),
     ("0d", "empty window"), ("9999999w", "too far back"), ("", "not understood"),
     ("2026-04-02T00:00:00Z", "in the future")],
)
def test_bad_values(value: str, message: str) -> None:
    with pytest.raises(DurationError, match=message) as info:
        parse_since(value, NOW)
    assert str(info.value).startswith("--since: ")


def test_until() -> None:
    since = parse_since("2d", NOW)
    assert parse_until(None, NOW, since) == NOW
    assert parse_until("1d", NOW, since) == NOW - timedelta(days=1)
    got = parse_until("2026-03-31T13:00:00+02:00", NOW, since)
    assert got == datetime(2026, 3, 31, 11, tzinfo=UTC)
    assert got.utcoffset() == timedelta(0)
    with pytest.raises(DurationError, match="--until: .* is not after --since"):
        parse_until("3d", NOW, since)
    with pytest.raises(DurationError, match="--until: .* in the future"):
        parse_until("2026-04-30T00:00:00Z", NOW)
