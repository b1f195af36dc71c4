"""When and how long to wait before re-sending a request.

Okta's 429 says exactly when the window resets (``X-Rate-Limit-Reset``, epoch seconds, judged
against the response's ``Date``); everything else transient gets bounded exponential backoff with
jitter so parallel retries do not arrive in lock-step.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

RETRY_STATUSES = frozenset({500, 502, 503, 504})
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0


def header_int(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def header_date(response: httpx.Response) -> float | None:
    """The ``Date`` header as epoch seconds, or None when absent/garbled."""
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def describe_epoch(epoch: float) -> str:
    """An epoch-seconds header value as ISO 8601 UTC (or as the number, when out of range)."""
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"epoch {epoch:.0f}"


def rate_limit_wait(response: httpx.Response, *, now: float, date: float | None) -> float | None:
    """Seconds to wait after a 429: ``reset - Date + 1`` like the SDKs; None without headers.

    ``date`` is the response's ``Date`` when it can be believed (see
    ``RateLimiter.usable_date``), else ``now`` is used.
    """
    reset = header_int(response, "X-Rate-Limit-Reset")
    if reset is None:
        return None
    base = date if date is not None else now
    return max(1.0, reset - base + 1.0)


def backoff_delay(
    attempt: int,
    rng: random.Random,
    *,
    base: float = BACKOFF_BASE_S,
    cap: float = BACKOFF_CAP_S,
) -> float:
    """Bounded exponential backoff with jitter for the ``attempt``-th retry (1-based)."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
