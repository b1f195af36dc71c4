"""Okta's timestamp format (``2024-05-01T12:00:00.000Z``: UTC, milliseconds)."""

from __future__ import annotations

from datetime import UTC, datetime


def okta_time(when: datetime | float) -> str:
    """``when`` (an aware datetime, or epoch seconds) as Okta writes ``published``/``eventTime``."""
    dt = datetime.fromtimestamp(when, tz=UTC) if isinstance(when, int | float) \
        else when.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_okta_time(text: str) -> datetime:
    """An ISO 8601 timestamp (``Z`` or an offset; naive means UTC); ValueError when it is not."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
