"""Time to contain (issue 20 item 10): how soon a reported user's sessions are cleared, on the
emulator with 150 ms of latency per call and Okta-shaped rate-limit buckets — 600 calls a minute
for ``/api/v1/users`` and 120 for ``/api/v1/logs``, the management limits Okta documents
(https://developer.okta.com/docs/reference/rl-global-mgmt/) — of which the responder's client
uses its default share (50%).

* **single reports**: one report at a time, delivery → sessions cleared (the emulator's
  ``user.session.clear`` event's ``published`` minus the moment the delivery was sent), p50/p99
  over 50 (target p99 <= 1 s);
* **a burst**: one report each from many users at once; the time until every user's sessions
  are cleared, against the floor the users bucket allows (the clears / this process's share of
  the bucket per minute), target <= 1.15x the floor; run twice in the same run, with the claim
  order before issue 20 (due time, then id) as the baseline and with containment first.
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.responder.burst import percentile
from benchmarks.responder.harness import (
    EMU_TOKEN,
    HOOK_SECRET,
    EmulatorProcess,
    ResponderProcess,
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

LATENCY_MS = 150.0
USERS_PER_MIN = 600
LOGS_PER_MIN = 120
SHARE = 0.5  # the responder's OktaClient default max_api_capacity (50%)
ACTIONS = """\
  - clearSessions: {revokeOAuthTokens: true}
  - resetPassword: {sendEmail: true}
  - notify: {urls: ["${SINK_URL}"]}
"""
# The responder with the claim order before issue 20: the baseline, in the same run.
BASELINE = ("import sys; from sarguard.responder.store import queue; "
            "queue.CONTAINMENT_FIRST = False; from sarguard.cli import main; "
            "sys.exit(main(sys.argv[1:]))")


@dataclass(frozen=True)
class ContainSettings:
    singles: int = 50
    burst_users: int = 1500
    users_per_min: int = USERS_PER_MIN
    logs_per_min: int = LOGS_PER_MIN
    senders: int = 20
    workers: int = 4
    arrival_s: float = 0.0  # spread the burst's deliveries over this long (0: as fast as sent)


@dataclass
class ContainResult:
    settings: ContainSettings
    single_ms: list[float] = field(default_factory=list)
    burst_s: dict[str, float] = field(default_factory=dict)  # order -> time to contain
    floor_s: float = 0.0
    problems: list[str] = field(default_factory=list)


def _report(index: int, n: int) -> dict[str, Any]:
    """One user's report, from an address of its own network (no campaign forms)."""
    client = ClientContext(ip=f"100.{64 + index // 65536 % 64}.{index // 256 % 256}.{index % 256}",
                           city="Lyon", country="France")
    now = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    activity = ReportedActivity(event_type="user.session.start", event_id=f"act-{n}",
                                transaction_id=f"tx-{n}", timestamp=stamp, client=client)
    return build_report_event(
        uuid=str(uuid.uuid4()), published=stamp,
        user=Principal(id=bench_user(index), type="User", alternate_id=f"user{index}@bench.test",
                       display_name=f"User {index}"),
        reporter=client, activity=activity, request_id=f"req-{n}", session_id=None)


def _post(client: httpx.Client, url: str, events: list[dict[str, Any]]) -> int:
    return client.post(url, content=delivery_body(events, org_url="https://bench.okta.com"),
                       headers={"Authorization": HOOK_SECRET,
                                "Content-Type": "application/json"}).status_code


def _clears(org_url: str) -> dict[str, float]:
    """Each user's first ``user.session.clear`` time (epoch seconds), from the System Log."""
    found: dict[str, float] = {}
    with httpx.Client(base_url=org_url, headers={"Authorization": f"SSWS {EMU_TOKEN}"},
                      trust_env=False, timeout=120) as api:
        url: str | None = "/api/v1/logs"
        params: dict[str, Any] | None = {"filter": 'eventType eq "user.session.clear"',
                                         "limit": 1000, "since": "2000-01-01T00:00:00.000Z",
                                         "until": "2100-01-01T00:00:00.000Z"}
        while url:
            page = api.get(url, params=params)
            if page.status_code == 429:  # the bench shares the emulator's logs bucket
                time.sleep(float(page.headers.get("X-Rate-Limit-Reset", time.time() + 5))
                           - time.time() + 1)
                continue
            page.raise_for_status()
            for event in page.json():
                at = datetime.fromisoformat(event["published"].replace("Z", "+00:00")).timestamp()
                for target in event.get("target") or []:
                    if target.get("type") == "User":
                        found[target["id"]] = min(found.get(target["id"], at), at)
            url, params = page.links.get("next", {}).get("url"), None
    return found


class _Stack:
    """An emulator (latency, buckets) and one responder on a fresh SQLite store."""

    def __init__(self, settings: ContainSettings, users: int, *, baseline: bool) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sarguard-contain-"))
        limits = (f"/api/v1/users={settings.users_per_min}/min,"
                  f"/api/v1/logs={settings.logs_per_min}/min")
        self.emu = EmulatorProcess(seed(users), self.folder, control_token="contain-control-01",
                                   latency_ms=LATENCY_MS, rate_limits=limits)
        self.sink = NotificationSink().__enter__()
        config = write_config(self.folder / "responder.yaml", org_url=self.emu.url,
                              database=f"sqlite:///{self.folder / 'responder.db'}",
                              actions=ACTIONS, extra=f'reconcile: "off"\ncooldown: 15m\n'
                                                     f"workers: {settings.workers}\n")
        prefix = [sys.executable, "-c", BASELINE] if baseline else None
        from sarguard.responder.store.engine import open_store

        self.database = f"sqlite:///{self.folder / 'responder.db'}"
        self.responder = ResponderProcess(config, free_port(), responder_env(self.sink.url),
                                          self.folder / "responder.log", python=prefix)
        self.store = open_store(self.database, pool_size=1)

    def cleared(self) -> int:
        """How many session clears the store records as done."""
        from sqlalchemy import func, select

        from sarguard.responder.store.schema import Action

        with self.store.read() as session:
            return session.scalar(select(func.count()).select_from(Action).where(
                Action.kind == "clearSessions", Action.status == "done")) or 0

    def close(self, keep: bool) -> None:
        self.store.dispose()
        self.responder.stop()
        self.emu.stop()
        self.sink.__exit__(None, None, None)
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)


def _singles(settings: ContainSettings, result: ContainResult) -> None:
    # Okta's own users bucket: one report at a time never waits for a window
    stack = _Stack(replace(settings, users_per_min=USERS_PER_MIN), settings.singles,
                   baseline=False)
    sent: dict[str, float] = {}
    try:
        with httpx.Client(timeout=30, trust_env=False) as client:
            for index in range(settings.singles):
                user = bench_user(index)
                sent[user] = time.time()
                status = _post(client, stack.responder.url, [_report(index, index)])
                if status != 204:
                    result.problems.append(f"single report {index}: HTTP {status}")
                # one at a time: the next report once this one's clear is done (the store
                # says so; the System Log is read once at the end, so the bench does not spend
                # the logs bucket the responder's timelines draw on)
                wait_until(lambda n=index + 1: stack.cleared() >= n, 60,
                           f"the clear for {user}", interval=0.02)
        clears = _clears(stack.emu.url)
        result.single_ms = [(clears[u] - t) * 1000 for u, t in sent.items() if u in clears]
    finally:
        stack.close(keep=bool(result.problems))


def _burst(settings: ContainSettings, result: ContainResult, *, baseline: bool) -> None:
    order = "before (due time)" if baseline else "containment first"
    stack = _Stack(settings, settings.burst_users, baseline=baseline)
    users = [bench_user(i) for i in range(settings.burst_users)]
    jobs = list(reversed(range(settings.burst_users)))
    lock = threading.Lock()

    def sender() -> None:
        with httpx.Client(timeout=30, trust_env=False) as client:
            while True:
                with lock:
                    if not jobs:
                        return
                    index = jobs.pop()
                if settings.arrival_s:  # paced: report n leaves at n/N of the arrival time
                    time.sleep(max(0.0, started + settings.arrival_s * index
                                   / settings.burst_users - time.time()))
                status = _post(client, stack.responder.url, [_report(index, index)])
                if status != 204:
                    with lock:
                        result.problems.append(f"burst report {index}: HTTP {status}")

    started = time.time()
    try:
        threads = [threading.Thread(target=sender) for _ in range(settings.senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        floor = result.floor_s or 60.0
        wait_until(lambda: stack.cleared() >= len(users), max(600.0, floor * 4),
                   "every user's sessions cleared", interval=0.5)
        clears = _clears(stack.emu.url)
        missing = [u for u in users if u not in clears]
        if missing:
            result.problems.append(f"{order}: {len(missing)} user(s) without a clear event")
            return
        result.burst_s[order] = max(clears[u] for u in users) - started
    except TimeoutError as exc:
        result.problems.append(f"{order}: {exc}")
    finally:
        stack.close(keep=bool(result.problems))


def run_contain(settings: ContainSettings = ContainSettings(), log: Any = print) -> ContainResult:
    result = ContainResult(settings=settings)
    allowed = max(1, math.floor(settings.users_per_min * SHARE))
    result.floor_s = settings.burst_users / allowed * 60.0
    log(f"  time to contain: {settings.singles} single reports, then a burst of "
        f"{settings.burst_users} users twice (floor {result.floor_s:.0f} s)")
    _singles(settings, result)
    _burst(settings, result, baseline=True)
    _burst(settings, result, baseline=False)
    return result


def contain_summary(result: ContainResult) -> dict[str, Any]:
    single = result.single_ms
    return {
        "singles": len(single), "singleP50": percentile(single, 0.5),
        "singleP99": percentile(single, 0.99), "floorS": result.floor_s,
        "burst": {order: {"s": s, "xFloor": s / result.floor_s if result.floor_s else math.nan}
                  for order, s in result.burst_s.items()},
        "burstUsers": result.settings.burst_users,
        "usersPerMin": result.settings.users_per_min, "logsPerMin": result.settings.logs_per_min,
    }
