"""``--since`` / ``--until`` values for System Log commands.

Why: Okta keeps System Log events for 90 days; a window reaching further back silently returns
less than asked for, so it is rejected up front with a message that says so.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sarguard.errors import SarguardError

RETENTION = timedelta(days=90)
DEFAULT_SINCE = "30d"
_RELATIVE = re.compile(r"(\d{1,7})\s*([mhdw])", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Spans in config files (``cooldown: 15m``) may also be in seconds; windows start at minutes.
_SPAN = re.compile(r"(\d{1,7})\s*([smhdw])", re.IGNORECASE)
_FORMS = "a duration like 90m, 12h, 30d or 2w, or an ISO 8601 time like 2026-01-31T08:00:00Z"


class DurationError(SarguardError, ValueError):
    """A ``--since``/``--until`` value that cannot be used (message names the option)."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse(option: str, value: str, now: datetime) -> datetime:
    raw = value.strip()
    match = _RELATIVE.fullmatch(raw)
    if match:
        amount = int(match.group(1))
        if amount == 0:
            raise DurationError(f"{option}: {value!r} is an empty window; expected {_FORMS}")
        try:
            return now - timedelta(**{_UNITS[match.group(2).lower()]: amount})
        except OverflowError:
            raise DurationError(f"{option}: {value!r} is too far back") from None
    try:
        return _aware(datetime.fromisoformat(raw)).astimezone(UTC)
    except ValueError:
        raise DurationError(f"{option}: {value!r} is not understood; expected {_FORMS}") from None


def parse_since(value: str | None, now: datetime) -> datetime:
    """The start of the window: ``value`` ago (``30d``...) or an ISO time; default 30 days."""
    now = _aware(now)
    since = _parse("--since", value if value is not None else DEFAULT_SINCE, now)
    if since > now:
        raise DurationError(f"--since: {value!r} is in the future")
    if now - since > RETENTION:
        oldest = (now - RETENTION).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise DurationError(
            f"--since: {value!r} is {(now - since).days} days ago, but Okta keeps System Log "
            f"events for 90 days; use a time after {oldest}"
        )
    return since


def parse_until(value: str | None, now: datetime, since: datetime | None = None) -> datetime:
    """The end of the window: ``now`` by default; ``value`` ago or an ISO time otherwise."""
    now = _aware(now)
    until = now if value is None else _parse("--until", value, now)
    if until > now:
        raise DurationError(f"--until: {value!r} is in the future")
    if since is not None and until <= since:
        raise DurationError(f"--until: {value!r} is not after --since")
    return until


def parse_span(value: str, *, what: str, allow_zero: bool = False) -> timedelta:
    """A length of time such as ``15m``, ``30s``, ``12h``, ``2d`` or ``1w`` (config values).

    ``what`` names the setting in the message; zero is refused unless ``allow_zero``.
    """
    match = _SPAN.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise DurationError(f"{what}: {value!r} is not understood; expected a duration like "
                            "30s, 15m, 12h, 2d or 1w")
    amount = int(match.group(1))
    if amount == 0 and not allow_zero:
        raise DurationError(f"{what}: {value!r} is zero; expected a positive duration")
    try:
        return timedelta(**{_UNITS[match.group(2).lower()]: amount})
    except OverflowError:
        raise DurationError(f"{what}: {value!r} is too long") from None
