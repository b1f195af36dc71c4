"""Timestamps as Okta writes them, plus the seed's relative times (``-3d4h``).

Why relative times: the demo must always show *recent* System Log events, so the seed says
"three days ago" and the loader turns that into an absolute time when the emulator starts.
"""

from __future__ import annotations

import re

from sarguard.eventhooks.timefmt import okta_time, parse_okta_time

_RELATIVE = re.compile(r"^-(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNITS = (86400, 3600, 60, 1)


def iso(ts: float) -> str:
    """``2024-05-01T12:00:00.000Z`` (UTC, milliseconds), Okta's timestamp format."""
    return okta_time(ts)


def parse_iso(text: str) -> float:
    """Parse an ISO 8601 timestamp (``Z`` or an offset; naive means UTC) to epoch seconds."""
    return parse_okta_time(text).timestamp()


def relative_seconds(text: str) -> int | None:
    """``-3d4h`` -> seconds in the past (positive); None when ``text`` is not relative."""
    found = _RELATIVE.match(text.strip())
    if not found or not any(found.groups()):
        return None
    return sum(int(g) * unit for g, unit in zip(found.groups(), _UNITS, strict=True) if g)


def resolve_time(text: str, now: float) -> str:
    """A seed time (relative or ISO) as an Okta timestamp; ValueError when it is neither."""
    offset = relative_seconds(text)
    if offset is not None:
        return iso(now - offset)
    return iso(parse_iso(text))
