"""``GET /status``: whether the responder can do its job right now, for monitoring.

Why apart from ``/healthz``: ``/healthz`` says the process and the store answer, which is all a
load balancer should gate traffic on (deliveries are durable and must keep arriving while
actions wait). ``/status`` says whether reports are being *answered*: 503 while Okta refuses
the credential, a background loop is down, or the oldest unfinished action has waited longer
than ``status.maxBacklog``; else 200. The same facts go to ``/metrics``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from sarguard.responder.credential import WORKS, CredentialState
from sarguard.responder.metrics import Metrics
from sarguard.responder.store.engine import Store
from sarguard.responder.store.readers import queue_counts
from sarguard.responder.store.schema import Action
from sarguard.responder.supervise import Supervisor

UNFINISHED = ("waiting", "pending", "running")
FINISHED = ("done", "skipped", "failed")


def action_counts(store: Store) -> dict[str, int]:
    """Every action by status (waiting, pending, running, done, skipped, failed)."""
    with store.read() as session:
        rows = session.execute(select(Action.status, func.count()).group_by(Action.status))
        return {status: count for status, count in rows}


def oldest_unfinished(store: Store) -> datetime | None:
    """When the oldest action not yet finished was planned (None when there is none)."""
    with store.read() as session:
        return session.scalar(select(func.min(Action.created_at))
                              .where(Action.status.in_(UNFINISHED)))


@dataclass
class LiveStatus:
    """What ``/status`` and ``/metrics`` read: the credential, the loops, the queue."""

    store: Store
    credential: CredentialState
    supervisor: Supervisor
    max_backlog: timedelta
    clock: Callable[[], datetime]

    def snapshot(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body); reads the store (call from a thread)."""
        counts = action_counts(self.store)
        oldest = oldest_unfinished(self.store)
        age = max((self.clock() - oldest).total_seconds(), 0.0) if oldest else 0.0
        problems = []
        if self.credential.refused:
            problems.append(f"Okta refuses the credential ({self.credential.reason})")
        down = [n for n, s in self.supervisor.loops.items() if s.state not in ("running",
                                                                                "stopped")]
        if down or self.supervisor.fatal:
            problems.append(f"background loop(s) not running: {', '.join(down) or 'all'}")
        if age > self.max_backlog.total_seconds():
            problems.append(f"the oldest waiting action has waited {age:.0f} s (more than "
                            f"status.maxBacklog, {self.max_backlog.total_seconds():.0f} s)")
        body = {
            "status": "degraded" if problems else "ok",
            "problems": problems,
            "credential": self.credential.to_dict(),
            "loops": {n: s.to_dict() for n, s in sorted(self.supervisor.loops.items())},
            "oldestWaitingSeconds": round(age, 3),
            "maxBacklogSeconds": self.max_backlog.total_seconds(),
            "actions": {status: counts.get(status, 0) for status in (*UNFINISHED, *FINISHED)},
        }
        return (503 if problems else 200), body

    def update_metrics(self, metrics: Metrics) -> None:
        """Set the gauges ``/metrics`` serves (reads the store: call from a thread)."""
        metrics.set_queue_depth(queue_counts(self.store))
        oldest = oldest_unfinished(self.store)
        metrics.oldest_waiting.set(max((self.clock() - oldest).total_seconds(), 0.0)
                                   if oldest else 0.0)
        metrics.credential_works.set(1 if self.credential.state == WORKS else 0)
