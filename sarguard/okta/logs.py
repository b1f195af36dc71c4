"""System Log queries, always bounded (``since`` and ``until``) so that pagination ends.

Polling queries (no ``until``) always return a ``next`` link; a bounded query's links run out.
The logs bucket is small (typically 50-120 calls a minute), so pages are fetched one after the
other at the largest page size (1000) and the rate limiter keeps the run within its share.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaConfigError
from sarguard.okta.shapes import check_shape

LOGS_PATH = "/api/v1/logs"
MAX_LOG_PAGE = 1000


def okta_timestamp(value: datetime, *, name: str) -> str:
    """ISO 8601 in UTC with milliseconds, as the System Log API expects."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise OktaConfigError(f"{name}: expected a timezone-aware datetime")
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def log_params(
    *, since: datetime, until: datetime, filter: str | None, limit: int
) -> dict[str, str | int]:
    """Query parameters for one bounded query (validated)."""
    start = okta_timestamp(since, name="since")
    end = okta_timestamp(until, name="until")
    if since >= until:
        raise OktaConfigError(f"since ({start}) must be earlier than until ({end})")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LOG_PAGE:
        raise OktaConfigError(f"limit: expected a page size from 1 to {MAX_LOG_PAGE}")
    params: dict[str, str | int] = {
        "since": start,
        "until": end,
        "limit": limit,
        "sortOrder": "ASCENDING",
    }
    if filter:
        params["filter"] = filter
    return params


async def aiter_logs(
    client: OktaClient,
    *,
    since: datetime,
    until: datetime,
    filter: str | None = None,
    limit: int = MAX_LOG_PAGE,
) -> AsyncIterator[dict[str, Any]]:
    """Yield the System Log events between ``since`` and ``until`` (oldest first)."""
    params = log_params(since=since, until=until, filter=filter, limit=limit)
    index = 0
    async for event in client.paginate(LOGS_PATH, params=params):
        check_shape("logEvent", event, LOGS_PATH, at=(index,))
        index += 1
        yield event


def iter_logs(
    client: OktaClient,
    *,
    since: datetime,
    until: datetime,
    filter: str | None = None,
    limit: int = MAX_LOG_PAGE,
) -> Iterator[dict[str, Any]]:
    """Synchronous ``aiter_logs``: runs its own event loop, one page at a time.

    Must not be called from inside a running event loop (use ``aiter_logs`` there).
    """
    params_check = log_params(since=since, until=until, filter=filter, limit=limit)
    del params_check  # validate eagerly, before the generator is first advanced
    return _drive(client, aiter_logs(client, since=since, until=until, filter=filter, limit=limit))


def _drive(client: OktaClient, agen: AsyncIterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                item = loop.run_until_complete(agen.__anext__())
            except StopAsyncIteration:
                return
            yield item
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            loop.run_until_complete(aclose())
        loop.run_until_complete(client.aclose())
        loop.close()
