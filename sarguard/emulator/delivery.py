"""Event hook delivery: every System Log event an API call writes goes to every ACTIVE and
VERIFIED hook subscribed to its type, the way Okta delivers (okta/okta-developer-docs
``docs/concepts/event-hooks/index.md``).

* Events written together (one API call) travel together: one delivery per hook, batched.
* ``POST`` of Okta's envelope with ``Accept``/``Content-Type: application/json``, the hook's
  custom headers and its auth header; 3 s for the whole call; a 2xx answer delivers; at most one
  retry, and none after a 4xx. A delivery that fails writes ``event_hook.delivery`` (outcome
  FAILURE, the hook as target, the reason) to the System Log.
* Loopback URLs only: a hook elsewhere is a failed delivery saying so, and nothing is sent — the
  emulator never sends traffic off the machine.
* Deliveries run on worker threads, never on the thread answering the API call, so a slow
  endpoint cannot slow the emulator down. ``log()`` shows every delivery, its attempts, status
  and timing, and never a header value.
"""

from __future__ import annotations

import json
import queue
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sarguard.emulator.hookhttp import call
from sarguard.emulator.state import EventHook, OrgStore
from sarguard.emulator.timeutil import iso
from sarguard.eventhooks import (
    DELIVERY_FAILURE_EVENT_TYPE,
    MAX_ATTEMPTS,
    TIMEOUT_S,
    ClientContext,
    Principal,
    build_envelope,
    build_log_event,
    delivery_headers,
    is_retryable,
    new_uuid,
)
from sarguard.util.netutil import is_loopback_host

WORKERS = 4
OKTA_SYSTEM = Principal("0oa1oktaSystem000001", "SystemPrincipal", "system@okta.com", "Okta System")
_OKTA_CLIENT = ClientContext(ip="127.0.0.1", raw_user_agent="Okta-Integrations", os="Unknown",
                             device="Unknown")


@dataclass
class Attempt:
    number: int
    started: str
    duration_ms: int
    http_status: int | None
    outcome: str  # "delivered" | "failed"
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"attempt": self.number, "started": self.started, "durationMs": self.duration_ms,
                "httpStatus": self.http_status, "outcome": self.outcome, "reason": self.reason}


@dataclass
class Delivery:
    """One envelope for one hook: queued, then delivered or failed after its attempts."""

    id: str
    hook: EventHook  # a snapshot taken when the events were written
    events: list[dict[str, Any]]
    event_id: str
    queued: str
    status: str = "queued"  # queued | delivering | delivered | failed
    reason: str | None = None
    finished: str | None = None
    attempts: list[Attempt] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "hookId": self.hook.id, "hookName": self.hook.name,
            "url": self.hook.uri, "eventId": self.event_id,
            "eventTypes": [e.get("eventType") for e in self.events],
            "eventUuids": [e.get("uuid") for e in self.events],
            "status": self.status, "reason": self.reason, "queued": self.queued,
            "finished": self.finished, "attempts": [a.to_dict() for a in self.attempts],
        }


class DeliveryEngine:
    """Queues deliveries when events are written; worker threads send them."""

    def __init__(self, store: OrgStore, clock: Callable[[], float], org_url: Callable[[], str],
                 timeout_s: float = TIMEOUT_S) -> None:
        self.store = store
        self.clock = clock
        self.org_url = org_url
        self.timeout_s = timeout_s
        self.errors: list[str] = []
        self._deliveries: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._done = threading.Condition()
        self._workers: list[threading.Thread] = []

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._workers:
            return
        for n in range(WORKERS):
            worker = threading.Thread(target=self._work, args=(self._queue,), daemon=True,
                                      name=f"sarguard-emulator-delivery-{n}")
            worker.start()
            self._workers.append(worker)

    def stop(self) -> None:
        """Stop the workers: a call in flight ends within its timeout; queued deliveries are
        dropped (marked failed, nothing sent) so a restarted emulator starts clean."""
        workers, self._workers = self._workers, []
        old, self._queue = self._queue, queue.Queue()
        while True:
            try:
                pending = old.get_nowait()
            except queue.Empty:
                break
            if pending is not None:
                self._finish(pending, "failed", "the emulator stopped before delivering")
        for _ in workers:
            old.put(None)

    # -- the API side ----------------------------------------------------------------------

    def publish(self, events: Sequence[dict[str, Any]]) -> list[str]:
        """Queue one delivery per subscribed ACTIVE+VERIFIED hook; return their ids.

        Called with the org lock held (from a handler), so the hooks' state is the state at the
        moment the events were written.
        """
        ids: list[str] = []
        with self.store.lock:
            hooks = [h for h in self.store.event_hooks.values()
                     if h.status == "ACTIVE" and h.verification_status == "VERIFIED"]
            for hook in hooks:
                subscribed = [e for e in events if e.get("eventType") in hook.events]
                if not subscribed:
                    continue
                # Random, never seeded: a delivery id must not repeat across runs.
                delivery = Delivery(id=f"dlv{secrets.token_hex(9)}",
                                    hook=EventHook(**vars(hook)),
                                    events=[dict(e) for e in subscribed],
                                    event_id=new_uuid(), queued=iso(self.clock()))
                with self._done:
                    self._deliveries.append(delivery)
                ids.append(delivery.id)
                self._queue.put(delivery)
        return ids

    def log(self, hook_id: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        with self._done:
            return [d.to_dict() for d in self._deliveries
                    if (hook_id is None or d.hook.id == hook_id)
                    and (status is None or d.status == status)]

    def wait(self, ids: Sequence[str] | None = None, timeout: float = 30.0) -> bool:
        """Until the given deliveries (default: all) are finished; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._done:
            while True:
                pending = [d for d in self._deliveries if d.finished is None
                           and (ids is None or d.id in ids)]
                remaining = deadline - time.monotonic()
                if not pending:
                    return True
                if remaining <= 0:
                    return False
                self._done.wait(remaining)

    # -- the worker side -------------------------------------------------------------------

    def _work(self, work: queue.Queue[Delivery | None]) -> None:
        while True:
            delivery = work.get()
            if delivery is None:
                return
            try:
                self._deliver(delivery)
            except Exception as exc:  # noqa: BLE001 - a bug must not kill the worker silently
                self.errors.append(f"delivery {delivery.id}: {type(exc).__name__}")
                self._finish(delivery, "failed", "internal emulator error")

    def _deliver(self, delivery: Delivery) -> None:
        hook = delivery.hook
        with self._done:
            delivery.status = "delivering"
        host = urlsplit(hook.uri).hostname
        if not is_loopback_host(host):
            self._fail(delivery, f"the emulator delivers only to loopback URLs and {host} is not "
                                 "one; nothing was sent")
            return
        body = json.dumps(build_envelope(delivery.events, org_url=self.org_url(), hook_id=hook.id,
                                         event_id=delivery.event_id,
                                         event_time=iso(self.clock())),
                          separators=(",", ":")).encode("utf-8")
        headers = delivery_headers(hook.headers, hook.auth_key, hook.auth_value)
        reason = None
        for number in range(1, MAX_ATTEMPTS + 1):
            started = iso(self.clock())
            result = call("POST", hook.uri, headers, body, self.timeout_s)
            status = result.status
            delivered = status is not None and 200 <= status < 300
            reason = None if delivered else (result.reason or f"the endpoint answered HTTP {status}")
            with self._done:
                delivery.attempts.append(Attempt(number, started, round(result.elapsed_s * 1000),
                                                 status, "delivered" if delivered else "failed",
                                                 reason))
            if delivered:
                self._finish(delivery, "delivered", None)
                return
            if not is_retryable(status):
                break
        self._fail(delivery, reason or "the delivery failed")

    def _finish(self, delivery: Delivery, status: str, reason: str | None) -> None:
        with self._done:
            delivery.status, delivery.reason = status, reason
            delivery.finished = iso(self.clock())
            self._done.notify_all()

    def _fail(self, delivery: Delivery, reason: str) -> None:
        hook = delivery.hook
        event = build_log_event(
            uuid=new_uuid(), published=iso(self.clock()),
            event_type=DELIVERY_FAILURE_EVENT_TYPE, display_message="Event hook delivery failed",
            actor=OKTA_SYSTEM, client=_OKTA_CLIENT, transaction_id=self.store.ids.new("Zem"),
            severity="WARN", targets=[Principal(hook.id, "EventHook", hook.name, hook.name)],
            outcome="FAILURE", reason=f"Event hook delivery failed: {reason}",
            debug_data={"eventHookId": hook.id, "deliveryId": delivery.id,
                        "deliveryEventId": delivery.event_id,
                        "deliveryEventType": ",".join(sorted({str(e.get("eventType"))
                                                              for e in delivery.events}))},
        )
        self.store.add_log_event(event)  # not published: delivery failures are not eligible
        self._finish(delivery, "failed", reason)
