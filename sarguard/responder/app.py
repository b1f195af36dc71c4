"""The ASGI app (Starlette): the hook endpoint, ``/healthz``, ``/status`` and ``/metrics``.

The hook endpoint follows Okta's delivery contract:

* ``GET`` with ``X-Okta-Verification-Challenge`` → ``{"verification": <challenge>}`` (an echo:
  it reveals and changes nothing, so it needs no auth);
* ``POST``: the auth header is checked first, in constant time (401 when missing or wrong, before
  the body is read); a body over 1 MiB is a 413; anything that is not Okta's JSON envelope a 400
  (Okta never retries a 4xx). A valid delivery is stored in one transaction, then answered 204
  with no body. Nothing is planned or acted on inside the request: Okta allows 3 seconds.

Each event of an accepted delivery is logged: ``received`` (the delivery, the uuid, the user)
or ``duplicate`` (of which delivery, or of reconciliation).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sarguard.eventhooks import VERIFICATION_HEADER, EnvelopeError, parse_envelope
from sarguard.eventhooks.verification import verification_answer
from sarguard.responder.hookauth import HookSecrets
from sarguard.responder.intake import IngestWriter
from sarguard.responder.livestatus import LiveStatus
from sarguard.responder.logsetup import step
from sarguard.responder.metrics import Metrics
from sarguard.responder.store.engine import Store
from sarguard.responder.store.ingest import SAME_DELIVERY, Arrived, Ingested
from sarguard.responder.store.readers import queue_counts

log = logging.getLogger("sarguard.responder")
MAX_BODY = 1024 * 1024
MAX_CHALLENGE = 1024
MAX_UUID = 128  # the store's key length; Okta's uuids are 36


class _TooLarge(Exception):
    pass


class InFlight:
    """How many deliveries are being answered right now (the background work yields to them)."""

    def __init__(self) -> None:
        self.count = 0


@dataclass
class AppDeps:
    """What the app needs from the service around it."""

    store: Store
    secrets: HookSecrets
    path: str
    auth_header: str
    metrics: Metrics
    on_ingested: Callable[[], None] = lambda: None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    in_flight: InFlight = field(default_factory=InFlight)
    writer: IngestWriter | None = None
    live: LiveStatus | None = None  # /status (and the live gauges of /metrics) when serving

    def __post_init__(self) -> None:
        if self.writer is None:
            self.writer = IngestWriter(self.store, self.clock)


async def _read_capped(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _TooLarge
    return bytes(body)


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _log_received(stored: Ingested, events: tuple[Any, ...]) -> None:
    """One line per event of an accepted delivery: received, or a duplicate of what."""
    seen: set[str] = set()
    for event in events:
        uuid = str(event.get("uuid"))
        repeated = uuid in seen
        seen.add(uuid)
        actor = event.get("actor")
        user = actor.get("id") if isinstance(actor, dict) else None
        user = user[:128] if isinstance(user, str) else None
        ids = {"delivery": stored.delivery_id, "uuid": uuid[:MAX_UUID], "user": user}
        of = stored.duplicates.get(uuid)
        if repeated or (of is not None and of != SAME_DELIVERY):
            of = SAME_DELIVERY if repeated and of in (None, SAME_DELIVERY) else of
            step(log, logging.INFO, "duplicate", f"delivery #{stored.delivery_id}: event "
                 f"{uuid[:MAX_UUID]} is a duplicate of {of} (not planned again)", of=of, **ids)
        else:
            step(log, logging.INFO, "received", f"delivery #{stored.delivery_id}: event "
                 f"{uuid[:MAX_UUID]} received (user {user or 'none'})", **ids)


def build_app(deps: AppDeps) -> Starlette:
    metrics = deps.metrics

    def answer(outcome: str, started: float, response: Response) -> Response:
        metrics.deliveries.labels(outcome).inc()
        metrics.ack_seconds.observe(time.perf_counter() - started)
        return response

    async def verify(request: Request) -> Response:
        challenge = request.headers.get(VERIFICATION_HEADER)
        if challenge is None:
            return PlainTextResponse(f"missing {VERIFICATION_HEADER} (Okta's one-time "
                                     "verification)", status_code=400)
        if len(challenge) > MAX_CHALLENGE:
            return PlainTextResponse("verification challenge too long", status_code=400)
        return JSONResponse(verification_answer(challenge))

    async def deliver(request: Request) -> Response:
        started = time.perf_counter()
        if not deps.secrets.accepts(request.headers.get(deps.auth_header)):
            return answer("unauthorized", started, Response(status_code=401))
        try:
            body = await _read_capped(request)
        except _TooLarge:
            return answer("too_large", started, PlainTextResponse(
                "delivery larger than 1 MiB", status_code=413))
        if not _is_json(request.headers.get("content-type")):
            return answer("invalid", started, PlainTextResponse(
                "expected Content-Type: application/json", status_code=400))
        try:
            envelope = parse_envelope(body)
        except EnvelopeError as exc:
            return answer("invalid", started, PlainTextResponse(str(exc), status_code=400))
        if any(len(uuid) > MAX_UUID for uuid in envelope.uuids):
            return answer("invalid", started, PlainTextResponse(
                f"an event uuid is longer than {MAX_UUID} characters", status_code=400))
        if not all(uuid.isprintable() for uuid in envelope.uuids):
            return answer("invalid", started, PlainTextResponse(
                "an event uuid holds control characters or is not valid Unicode",
                status_code=400))
        try:
            stored = await deps.writer.submit(Arrived(
                body.decode("utf-8"), envelope.event_id, envelope.source, envelope.events))
        except Exception as exc:  # noqa: BLE001 - whatever it was, Okta must retry
            log.error("could not store a delivery (%s); answering 500 so Okta retries once",
                      type(exc).__name__)
            return answer("error", started, PlainTextResponse("store unavailable",
                                                              status_code=500))
        if stored.new_events:
            metrics.events.labels("delivery").inc(stored.new_events)
            deps.on_ingested()
        # Logged once this 204 and the others of its group commit are on their way: the writer
        # resumed them all at once, and up to ten lines each would hold back the later ones.
        asyncio.get_running_loop().call_soon(_log_received, stored, envelope.events)
        outcome = "accepted" if stored.new_events else "duplicate"
        return answer(outcome, started, Response(status_code=204))

    async def hook(request: Request) -> Response:
        if request.method == "GET":
            return await verify(request)
        deps.in_flight.count += 1
        try:
            return await deliver(request)
        finally:
            deps.in_flight.count -= 1

    async def healthz(request: Request) -> Response:
        ok = await run_in_threadpool(deps.store.ping)
        return JSONResponse({"status": "ok" if ok else "store unreachable"},
                            status_code=200 if ok else 503)

    async def status(request: Request) -> Response:
        if deps.live is None:
            return JSONResponse({"status": "not serving"}, status_code=503)
        try:
            code, body = await run_in_threadpool(deps.live.snapshot)
        except SQLAlchemyError as exc:
            return JSONResponse({"status": "degraded", "problems": [
                f"the store failed ({type(exc).__name__})"]}, status_code=503)
        return JSONResponse(body, status_code=code)

    async def metrics_endpoint(request: Request) -> Response:
        try:
            if deps.live is not None:
                await run_in_threadpool(deps.live.update_metrics, metrics)
            else:
                metrics.set_queue_depth(await run_in_threadpool(queue_counts, deps.store))
        except SQLAlchemyError:
            pass  # the counters are still worth serving; healthz reports the store
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    routes: list[Any] = [
        Route(deps.path, hook, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    return Starlette(routes=routes)
