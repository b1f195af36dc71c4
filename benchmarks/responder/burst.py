"""The burst: 20 concurrent senders, 2,000 deliveries of 1-10 report events each, against the
responder, as Okta's hook would send them (envelope, auth header), with 5% of the deliveries
sent again (Okta's retry after a lost answer; on PostgreSQL the retry goes to the other process,
as a load balancer may do).

Measured: the acknowledgement latency each sender saw (p50/p99/max; Okta allows 3 s, the target
is p99 <= 150 ms), events lost (sent but not in the store: must be 0), duplicate actions (the
emulator's System Log: more than one password reset or session clear for a user: must be 0),
and, per answered report, the time from its delivery to its last action (p50/p99), plus the time
until the whole queue drained. Reports come from a pool of users with the 15-minute cooldown on,
so most are linked to an earlier report by the same user: that is the cooldown deciding, under
concurrency (and across processes on PostgreSQL), that one response is enough.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.responder.harness import (
    EMU_TOKEN,
    HOOK_SECRET,
    EmulatorProcess,
    ResponderProcess,
    ack_histogram,
    acted_on,
    bench_user,
    delivery_body,
    free_port,
    responder_env,
    seed,
    wait_until,
    write_config,
)
from sarguard.emulator.notifysink import NotificationSink
from sarguard.eventhooks import build_report_event
from sarguard.eventhooks.logevent import ClientContext, Principal
from sarguard.eventhooks.report import ReportedActivity


@dataclass(frozen=True)
class BurstSettings:
    deliveries: int = 2000
    senders: int = 20
    min_events: int = 1
    max_events: int = 10
    users: int = 1500
    redeliver_share: float = 0.05
    rng_seed: int = 20261201
    workers: int = 4


@dataclass
class BurstResult:
    database: str  # sqlite | postgresql
    processes: int
    settings: BurstSettings
    ack_ms: list[float] = field(default_factory=list)
    ack_at_s: list[float] = field(default_factory=list)  # when each of those began (burst clock)
    statuses: Counter[int] = field(default_factory=Counter)
    events_sent: int = 0
    events_stored: int = 0
    reports_answered: int = 0
    reports_linked: int = 0
    done_ms: list[float] = field(default_factory=list)  # delivery -> last action, per response
    drain_s: float = 0.0
    burst_s: float = 0.0
    server_ack: dict[float, float] = field(default_factory=dict)  # the responders' histogram
    duplicate_resets: int = 0
    duplicate_clears: int = 0
    users_reset: int = 0
    notifications: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.events_sent - self.events_stored


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _event(rng: random.Random, n: int, users: int) -> dict[str, Any]:
    index = rng.randrange(users)
    client = ClientContext(ip=f"198.51.100.{rng.randrange(1, 250)}", city="Lyon", country="France")
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    activity = ReportedActivity(event_type="user.session.start", event_id=f"act-{n}",
                                transaction_id=f"tx-{n}", timestamp=stamp, client=client)
    return build_report_event(
        uuid=str(uuid.UUID(int=rng.getrandbits(128))), published=stamp,
        user=Principal(id=bench_user(index), type="User", alternate_id=f"user{index}@bench.test",
                       display_name=f"User {index}"),
        reporter=client, activity=activity, request_id=f"req-{n}", session_id=None)


def _plan(settings: BurstSettings) -> list[list[dict[str, Any]]]:
    rng = random.Random(settings.rng_seed)
    counter = 0
    batches = []
    for _ in range(settings.deliveries):
        size = rng.randint(settings.min_events, settings.max_events)
        batch = []
        for _ in range(size):
            batch.append(_event(rng, counter, settings.users))
            counter += 1
        batches.append(batch)
    return batches


def _send_all(urls: list[str], batches: list[list[dict[str, Any]]], settings: BurstSettings,
              result: BurstResult) -> None:
    rng = random.Random(settings.rng_seed + 1)
    jobs: list[tuple[int, str, bytes]] = []
    for index, batch in enumerate(batches):
        body = delivery_body(batch, org_url="https://bench.okta.com")
        jobs.append((index, urls[index % len(urls)], body))
        if rng.random() < settings.redeliver_share:  # Okta's retry, maybe to the other process
            jobs.append((index, urls[(index + 1) % len(urls)], body))
    rng.shuffle(jobs)
    lock = threading.Lock()
    queue = list(reversed(jobs))
    burst_started = time.perf_counter()

    def sender() -> None:
        with httpx.Client(timeout=10, trust_env=False) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    _index, url, body = queue.pop()
                started = time.perf_counter()
                try:
                    status = client.post(url, content=body, headers={
                        "Authorization": HOOK_SECRET, "Content-Type": "application/json"}).status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    result.ack_ms.append(elapsed)
                    result.ack_at_s.append(started - burst_started)
                    result.statuses[status] += 1

    threads = [threading.Thread(target=sender) for _ in range(settings.senders)]
    burst_started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.burst_s = time.perf_counter() - burst_started


def _store_numbers(database: str, result: BurstResult) -> bool:
    from sqlalchemy import func, select

    from sarguard.responder.store.engine import open_store
    from sarguard.responder.store.schema import Action, Event, Report

    store = open_store(database, pool_size=1)
    try:
        with store.read() as session:
            open_actions = session.scalar(select(func.count()).select_from(Action).where(
                Action.status.in_(("waiting", "pending", "running")))) or 0
            unplanned = session.scalar(select(func.count()).select_from(Event).where(
                Event.planned.is_(False))) or 0
            if open_actions or unplanned:
                return False
            result.events_stored = session.scalar(select(func.count()).select_from(Event)) or 0
            rows = session.execute(select(Report.disposition, Report.received_at,
                                          Report.finished_at)).all()
    finally:
        store.dispose()
    result.reports_answered = sum(1 for d, _, _ in rows if d == "respond")
    result.reports_linked = sum(1 for d, _, _ in rows if d == "cooldown")
    result.done_ms = [(f - r).total_seconds() * 1000 for d, r, f in rows
                      if d == "respond" and f is not None]
    return True


def run_burst(database_kind: str, *, processes: int, settings: BurstSettings = BurstSettings(),
              database_url: str | None = None, log: Callable[[str], None] = print) -> BurstResult:
    """One burst against ``processes`` responders on one store; returns what was measured."""
    result = BurstResult(database=database_kind, processes=processes, settings=settings)
    folder = Path(tempfile.mkdtemp(prefix="sarguard-burst-"))
    database = database_url or f"sqlite:///{folder / 'responder.db'}"
    batches = _plan(settings)
    result.events_sent = len({e["uuid"] for b in batches for e in b})
    emu = EmulatorProcess(seed(settings.users), folder, control_token="burst-control-token-01")
    with NotificationSink() as sink:
        config = write_config(folder / "responder.yaml", org_url=emu.url, database=database,
                              extra=f'reconcile: "off"\ncooldown: 15m\nworkers: {settings.workers}\n')
        env = responder_env(sink.url)
        running = [ResponderProcess(config, free_port(), env, folder / f"responder-{i}.log")
                   for i in range(processes)]
        try:
            log(f"  {database_kind}, {processes} process(es): {settings.deliveries} deliveries, "
                f"{result.events_sent} events, {settings.senders} senders")
            started = time.perf_counter()
            _send_all([p.url for p in running], batches, settings, result)
            wait_until(lambda: _store_numbers(database, result), 1800, "the queue drained",
                       interval=0.5)
            result.drain_s = time.perf_counter() - started
            for process in running:
                for bound, count in ack_histogram(process.base).items():
                    result.server_ack[bound] = result.server_ack.get(bound, 0.0) + count
        finally:
            for process in running:
                process.stop()
        try:
            _okta_numbers(emu.url, result)
        finally:
            emu.stop()
        result.notifications = len(sink.messages)
    if result.lost:
        result.problems.append(f"{result.lost} event(s) lost")
    if result.duplicate_resets or result.duplicate_clears:
        result.problems.append(f"duplicate actions: {result.duplicate_resets} reset(s), "
                               f"{result.duplicate_clears} clear(s)")
    if result.users_reset != result.reports_answered:
        result.problems.append(f"{result.reports_answered} reports answered but "
                               f"{result.users_reset} users reset")
    bad = sum(n for s, n in result.statuses.items() if s != 204)
    if bad:
        result.problems.append(f"{bad} deliveries not answered 204: {dict(result.statuses)}")
    if result.problems:
        result.problems.append(f"the logs and the store are kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _okta_numbers(org_url: str, result: BurstResult) -> None:
    resets = acted_on(org_url, EMU_TOKEN, "user.account.reset_password")
    clears = acted_on(org_url, EMU_TOKEN, "user.session.clear")
    result.users_reset = len(resets)
    result.duplicate_resets = sum(n - 1 for n in resets.values() if n > 1)
    result.duplicate_clears = sum(n - 1 for n in clears.values() if n > 1)


def histogram_quantile(buckets: dict[float, float], share: float) -> float:
    """The upper bound (ms) of the bucket holding the ``share`` quantile."""
    total = max(buckets.values(), default=0.0)
    for bound in sorted(buckets):
        if total and buckets[bound] >= share * total:
            return bound * 1000
    return float("nan")


def summary(result: BurstResult) -> dict[str, Any]:
    ack, done = result.ack_ms, result.done_ms
    return {
        "database": result.database, "processes": result.processes,
        "deliveries": sum(result.statuses.values()), "eventsSent": result.events_sent,
        "ackP50": percentile(ack, 0.5), "ackP99": percentile(ack, 0.99), "ackMax": max(ack),
        "lost": result.lost, "duplicateActions": result.duplicate_resets + result.duplicate_clears,
        "answered": result.reports_answered, "linked": result.reports_linked,
        "doneP50": percentile(done, 0.5), "doneP99": percentile(done, 0.99),
        "burstS": result.burst_s, "drainS": result.drain_s,
        "notifications": result.notifications,
        "meanAck": statistics.fmean(ack) if ack else float("nan"),
        "serverAckP99": histogram_quantile(result.server_ack, 0.99),
        "serverWithinTarget": (result.server_ack.get(0.15, 0.0)
                               / max(result.server_ack.get(float("inf"), 1.0), 1.0)),
    }
