"""Reconciliation: no report is lost because a delivery was.

Okta's deliveries are best effort (one retry; a hook stops for the rest of the day after
400,000 events; nothing is replayed). Every ``reconcile`` interval one responder searches the
System Log for report events since the last search (a bounded ``since``/``until`` query, through
the client's rate limiter and so within the logs bucket's share) and records the ones the store
lacks, marked ``reconciled``; they are then planned like any delivery (same dedupe on uuid).

The window trails now by a short grace (deliveries normally win the race, so "reconciled" keeps
meaning "the hook did not bring it") and overlaps the previous one, because the System Log is
only near real time: an event can appear there a little after its ``published`` time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from anyio import to_thread

from sarguard.evidence.live import describe_failure
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaError
from sarguard.okta.logs import aiter_logs
from sarguard.responder.store.engine import Store
from sarguard.responder.store.ingest import ingest_reconciled
from sarguard.responder.store.reconcile_state import release_lease, take_lease
from sarguard.systemlog.durations import RETENTION
from sarguard.systemlog.reports import REPORT_FILTER

log = logging.getLogger("sarguard.responder")
OVERLAP = timedelta(minutes=10)
MAX_GRACE = timedelta(minutes=1)
MAX_EVENTS_PER_RUN = 5000
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class RunResult:
    ran: bool
    found: int = 0
    new: int = 0
    error: str | None = None


class Reconciler:
    def __init__(self, store: Store, client: OktaClient, *, me: int, every: timedelta,
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.client = client
        self.me = me
        self.every = every
        self.grace = min(MAX_GRACE, every)
        self.clock = clock

    async def run_once(self) -> RunResult:
        now = self.clock()
        watermark = await to_thread.run_sync(take_lease, self.store, self.me, now, LEASE)
        if watermark is None:
            return RunResult(False)
        oldest = now - RETENTION + timedelta(hours=1)
        since = max(watermark - OVERLAP, oldest)
        until = now - self.grace
        if until <= since:
            await to_thread.run_sync(lambda: release_lease(
                self.store, self.me, now, watermark=None, found=0, error=None))
            return RunResult(True)
        events: list[dict[str, Any]] = []
        try:
            async for event in aiter_logs(self.client, since=since, until=until,
                                          filter=REPORT_FILTER):
                events.append(event)
                if len(events) >= MAX_EVENTS_PER_RUN:
                    break
        except OktaError as exc:
            reason = describe_failure(exc, "the System Log")
            log.error("reconciliation: %s", reason)
            await to_thread.run_sync(lambda: release_lease(
                self.store, self.me, self.clock(), watermark=None, found=0, error=reason))
            return RunResult(True, error=reason)
        reached = until
        if len(events) >= MAX_EVENTS_PER_RUN:  # the rest on the next run, from the last seen
            from sarguard.systemlog import logevent as le

            reached = max((le.published(e) for e in events if le.published(e)), default=until)
        new = await to_thread.run_sync(ingest_reconciled, self.store, events, self.clock())
        await to_thread.run_sync(lambda: release_lease(
            self.store, self.me, self.clock(), watermark=max(reached, watermark), found=new,
            error=None))
        if new:
            log.warning("reconciliation: %d report event(s) found in the System Log that no "
                        "delivery brought", new)
        return RunResult(True, found=len(events), new=new)
