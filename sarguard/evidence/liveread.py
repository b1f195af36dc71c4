"""Read a live org (configuration + System Log) into one OrgState. The only place the live
commands touch the network; controls and drift then work on the result.

The System Log queries go out in the same event loop as the configuration reads, right after
the credential check: they draw on their own (small) rate bucket, so running them alongside
the configuration instead of after it takes their round trips off the run's critical path.
Their answers are then replayed, in query order, to the same evidence collector as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from sarguard.evidence.live import describe_failure, read_live_state
from sarguard.model import OrgState
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaAuthError, OktaDeadlineError, OktaError
from sarguard.okta.logs import aiter_logs, iter_logs
from sarguard.systemlog.evidence import QUERIES, SystemLogUnavailable, attach_system_log
from sarguard.systemlog.filters import event_types_filter

Progress = Callable[[str, int, int], None]
LogFetcher = Callable[[str | None, datetime, datetime], Iterator[dict[str, Any]]]
# filter -> the events it returned, or the exception that stopped it
Prefetched = dict[str | None, list[dict[str, Any]] | BaseException]


def _log_failure(exc: BaseException) -> BaseException:
    """The exception a fetch raises for ``exc``: the exact unread reason (e.g. the scope)."""
    if isinstance(exc, OktaAuthError) or not isinstance(exc, OktaError):
        return exc
    return SystemLogUnavailable(describe_failure(exc, "the System Log"))


def log_fetcher(client: OktaClient, unread: list[str] | None = None) -> LogFetcher:
    """A System Log fetcher whose failures carry the exact unread reason (e.g. the scope).

    ``unread``: when the run's deadline passes, the query ends with what it has read so far
    and the reason goes into this list (the caller writes its partial report and exits 2);
    without it the deadline fails the query like any other failure."""

    def fetch(filter_: str | None, since: datetime, until: datetime) -> Iterator[dict[str, Any]]:
        try:
            yield from iter_logs(client, since=since, until=until, filter=filter_)
        except OktaDeadlineError as exc:
            if unread is None:
                raise _log_failure(exc) from None
            unread.append(describe_failure(exc, "the System Log"))
        except OktaError as exc:
            raise _log_failure(exc) from None

    return fetch


async def prefetch_logs(client: OktaClient, since: datetime, until: datetime) -> Prefetched:
    """Run every evidence query of :data:`QUERIES` concurrently; never raises."""

    async def one(filter_: str) -> list[dict[str, Any]] | BaseException:
        try:
            return [e async for e in aiter_logs(client, since=since, until=until, filter=filter_)]
        except Exception as exc:  # noqa: BLE001 - replayed to the collector, which decides
            return exc

    filters = [event_types_filter(types) for types in QUERIES.values()]
    results = await asyncio.gather(*(one(f) for f in filters))
    return dict(zip(filters, results, strict=True))


def replay_fetcher(prefetched: Prefetched, fallback: LogFetcher) -> LogFetcher:
    """Serve prefetched answers (failures raised as a live fetch would); ask ``fallback`` for
    any query that was not prefetched."""

    def fetch(filter_: str | None, since: datetime, until: datetime) -> Iterator[dict[str, Any]]:
        if filter_ not in prefetched:
            yield from fallback(filter_, since, until)
            return
        found = prefetched[filter_]
        if isinstance(found, BaseException):
            raise _log_failure(found) from None
        yield from found

    return fetch


async def _read_with_logs(client: OktaClient, since: datetime, until: datetime,
                          progress: Progress | None, found: list[Any]) -> None:
    """Results go into ``found`` rather than being returned: ``asyncio.run`` reprs its
    finished main task on the way out, and a large org's state takes long to repr."""
    try:
        await client.check_credentials()  # before any query: a refused token costs one call
        found.extend(await asyncio.gather(read_live_state(client, progress=progress),
                                          prefetch_logs(client, since, until)))
    finally:
        await client.aclose()


def read_org(client: OktaClient, *, since: datetime | None, until: datetime | None,
             progress: Progress | None = None, brands: Iterable[str] | None = None) -> OrgState:
    """Configuration, and (when a window is given) System Log evidence over ``since..until``.

    ``brands`` limits the brands read (by key ``default``, id or name; configuration only)."""
    if since is None or until is None:
        from sarguard.evidence.live import read_live_state_sync

        return read_live_state_sync(client, brands=brands, progress=progress)
    if brands is not None:
        raise ValueError("read_org: brands limits a configuration-only read (no System Log window)")
    found: list[Any] = []
    asyncio.run(_read_with_logs(client, since, until, progress, found))
    state, prefetched = found
    attach_system_log(state, replay_fetcher(prefetched, log_fetcher(client)), since=since,
                      until=until)
    state.meta["api"] = client.stats.as_dict()
    if client.stats.warnings:
        state.meta["warnings"] = list(client.stats.warnings)
    return state
