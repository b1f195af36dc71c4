"""Prometheus metrics for ``GET /metrics`` (prometheus-client, one registry per app).

Deliveries by outcome, acknowledgement latency, actions by kind and outcome, new events by
origin, failed events by reason, loop restarts, and, read at scrape time (so they are right on
PostgreSQL, where other responders fill and drain the same queue), the queue depth, the oldest
waiting action's age and whether Okta accepts the credential.
"""

from __future__ import annotations

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
DELIVERY_OUTCOMES = ("accepted", "duplicate", "unauthorized", "too_large", "invalid", "error")
QUEUE_STATUSES = ("waiting", "pending", "running")


class Metrics:
    def __init__(self) -> None:
        disable = getattr(prometheus_client, "disable_created_metrics", None)
        if disable is not None:  # no *_created series: they say nothing an alert needs
            disable()
        self.registry = CollectorRegistry(auto_describe=True)
        self.deliveries = Counter(
            "sarguard_responder_deliveries", "Event hook deliveries received, by outcome",
            ["outcome"], registry=self.registry)
        self.ack_seconds = Histogram(
            "sarguard_responder_ack_seconds",
            "Time from receiving a delivery to answering it (Okta allows 3 s)",
            buckets=ACK_BUCKETS, registry=self.registry)
        self.events = Counter(
            "sarguard_responder_events", "New events recorded, by how they arrived",
            ["origin"], registry=self.registry)
        self.actions = Counter(
            "sarguard_responder_actions", "Action attempts, by kind and outcome",
            ["kind", "outcome"], registry=self.registry)
        self.queue_depth = Gauge(
            "sarguard_responder_queue_depth", "Actions not yet finished, by status",
            ["status"], registry=self.registry)
        self.reconcile_runs = Counter(
            "sarguard_responder_reconcile_runs", "System Log reconciliation runs, by outcome",
            ["outcome"], registry=self.registry)
        self.oldest_waiting = Gauge(
            "sarguard_responder_oldest_waiting_seconds",
            "Age of the oldest action not yet finished (0 when none)", registry=self.registry)
        self.credential_works = Gauge(
            "sarguard_responder_credential_works",
            "1 when Okta's last answer accepted the credential, 0 when it refused it or no call "
            "was made yet", registry=self.registry)
        self.loop_restarts = Counter(
            "sarguard_responder_loop_restarts", "Background loops restarted after dying, by loop",
            ["loop"], registry=self.registry)
        self.failed_events = Counter(
            "sarguard_responder_failed_events", "Events that could not be planned, by reason",
            ["reason"], registry=self.registry)
        for outcome in DELIVERY_OUTCOMES:
            self.deliveries.labels(outcome)
        for origin in ("delivery", "reconciled"):
            self.events.labels(origin)

    def set_queue_depth(self, counts: dict[str, int]) -> None:
        for status in QUEUE_STATUSES:
            self.queue_depth.labels(status).set(counts.get(status, 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)
