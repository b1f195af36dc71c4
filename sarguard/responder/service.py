"""``sarguard responder serve``: wire the store, the app, the workers and reconciliation.

Start-up, in order: the hook secret from the environment, the store (SQLite: take the serve
lock first), migrations, the Okta client (refusing OAuth scopes that cannot do the job), then
uvicorn on a socket bound before the app starts (``--port 0`` picks a free port and the
"listening on" line says which). The background tasks run in uvicorn's event loop: a planner
(recorded events → reports and actions), ``workers`` workers (claim → act → record), a
heartbeat (and, on PostgreSQL, the recovery of dead responders' work) and reconciliation,
each under a :class:`~sarguard.responder.supervise.Supervisor` (a loop that dies is restarted;
one that keeps dying ends the process non-zero). Each event is planned and each action run in
isolation: whatever one of them raises fails that one (recorded, logged, counted, notified),
never the loop.
On SIGTERM/SIGINT the workers finish what they are doing (bounded), this process's unfinished
claims go back to the queue, and the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from anyio import CapacityLimiter, to_thread
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from sarguard.errors import SarguardError
from sarguard.okta.auth import OAuthAuth
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaError
from sarguard.okta.factory import client_from_env
from sarguard.okta.users import SCOPES_NEEDED
from sarguard.responder.actions import Executor, LostClaim
from sarguard.responder.app import AppDeps, InFlight, build_app
from sarguard.responder.blocklist import Blocker, BlockZoneError, find_block_zone
from sarguard.responder.config import AT_MOST_ONCE, NOTIFY, ResponderConfig
from sarguard.responder.credential import REFUSED, WORKS, CredentialChange, CredentialState, watch
from sarguard.responder.hookauth import HookSecrets, secrets_from_env
from sarguard.responder.listener import ListenerLimits, listener_limits
from sarguard.responder.livestatus import LiveStatus
from sarguard.responder.logsetup import configure_logging, step
from sarguard.responder.message import ActionLine, CampaignFacts, Message, compose_credential
from sarguard.responder.metrics import Metrics
from sarguard.responder.notifier import Notifier, Sender
from sarguard.responder.reconcile import Reconciler
from sarguard.responder.store import queue, readers
from sarguard.responder.store.campaign import BLOCK_IP
from sarguard.responder.store.engine import (
    ServeLock,
    Store,
    open_store,
    sqlite_path,
    transient,
)
from sarguard.responder.store.migrate import upgrade
from sarguard.responder.store.planning import FAILED, Planned, failure_reason, plan_batch
from sarguard.responder.store.reconcile_state import ensure_state
from sarguard.responder.supervise import Supervisor
from sarguard.util.netutil import is_loopback_host
from sarguard.util.output import write_output

log = logging.getLogger("sarguard.responder")
POLL_S = 1.0
# Background work (planning, actions) waits while deliveries are being answered, at most this
# long at a time: Okta's 3-second window comes first, the response a moment later.
MAX_DEFER_S = 1.0
DEFER_STEP_S = 0.01
HEARTBEAT_S = 5.0
STOP_GRACE_S = 10.0
SWITCH_INTERVAL_S = 0.001
BACKGROUND_THREADS = 3
FINISH_ATTEMPTS = 5


class ResponderStartError(SarguardError):
    """The responder cannot start as configured (the message says what to change)."""


class ResponderGaveUp(SarguardError):
    """A background loop kept dying: the process exits non-zero so its supervisor restarts it."""


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Everything the background tasks share."""

    config: ResponderConfig
    store: Store
    client: OktaClient
    secrets: HookSecrets
    metrics: Metrics = field(default_factory=Metrics)
    me: int = field(default_factory=queue.new_owner_id)
    clock: Callable[[], datetime] = utcnow
    wake_planner: asyncio.Event = field(default_factory=asyncio.Event)
    work_ready: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    liveness: Connection | None = None
    in_flight: InFlight = field(default_factory=InFlight)
    credential: CredentialState = field(default_factory=CredentialState)
    request_exit: Callable[[], None] = lambda: None
    loop: asyncio.AbstractEventLoop | None = None  # the serving loop (set when tasks start)
    _pending: set[asyncio.Task[None]] = field(default_factory=set)  # announcements under way
    background: CapacityLimiter = field(
        default_factory=lambda: CapacityLimiter(BACKGROUND_THREADS))

    def __post_init__(self) -> None:
        self.executor = Executor(self.client, clock=self.clock)
        self.notifier = Notifier(self.client, Sender(self.config.notify_targets),
                                 admin_url=self.config.admin_url, clock=self.clock)
        self.supervisor = Supervisor(on_fatal=lambda _why: self.request_exit(),
                                     on_restart=lambda name: self.metrics.loop_restarts.labels(
                                         _loop_kind(name)).inc())
        self.live = LiveStatus(store=self.store, credential=self.credential,
                               supervisor=self.supervisor, max_backlog=self.config.max_backlog,
                               clock=self.clock)
        self.blocker: Blocker | None = None
        if self.config.campaign.block_zone:
            async def tell(title: str, body: str) -> None:
                await self.notifier.announce(Message(title, f"{title}.\n{body}\n", "failure"))
            self.blocker = Blocker(self.client, self.store, zone_name=self.config.campaign.block_zone,
                                   max_entries=self.config.campaign.block_max, me=self.me,
                                   clock=self.clock, tell=tell)
        self.credential.subscribe(self._on_credential)

    async def in_background(self, func: Callable[..., Any], *args: Any) -> Any:
        """``func(*args)`` in a worker thread, at most :data:`BACKGROUND_THREADS` at a time.

        Why: the planner, the workers' claims and records and the heartbeat are Python work
        that holds the GIL, and every runnable thread delays the event loop and the intake's
        writers (which answer deliveries) by another switch interval. Deliveries never take a
        token: the intake commits in its own threads."""
        return await to_thread.run_sync(func, *args, limiter=self.background)

    # -- tasks ---------------------------------------------------------------------------

    async def yield_to_deliveries(self) -> None:
        """Wait (bounded) while any delivery is being answered."""
        deadline = time.monotonic() + MAX_DEFER_S
        while self.in_flight.count and time.monotonic() < deadline and not self.stopping.is_set():
            await asyncio.sleep(DEFER_STEP_S)

    async def planner(self) -> None:
        while not self.stopping.is_set():
            self.wake_planner.clear()
            try:
                while True:
                    await self.yield_to_deliveries()
                    planned = await self.in_background(plan_batch, self.store, self.config,
                                                       self.clock())
                    if not planned:
                        break
                    self._log_planned(planned)
                    self.work_ready.set()
            except SQLAlchemyError as exc:
                log.error("planning: the store failed (%s); retrying", type(exc).__name__)
            await _wait(self.wake_planner, POLL_S)

    def _log_planned(self, planned: Planned) -> None:
        """One line per planned event (what was decided), one count per failed one."""
        for uuid, disposition, detail, report_id in planned.outcomes:
            ids = {"uuid": uuid, "report": report_id, "disposition": disposition}
            if disposition == FAILED:
                step(log, logging.ERROR, "failed", f"event {uuid}: planning failed ({detail}); "
                     f"recorded as report #{report_id} (failed), the others go on",
                     reason=detail, **ids)
            elif disposition == "cooldown":
                step(log, logging.INFO, "cooldown", f"event {uuid}: report #{report_id} linked "
                     f"by cooldown to report #{detail} (no second response)", linked=detail,
                     **ids)
            elif disposition in ("drill", "excluded"):
                step(log, logging.INFO, disposition, f"event {uuid}: report #{report_id} is "
                     + ("a drill: recorded, never acted on" if disposition == "drill"
                        else "about an excluded user: notified, never acted on"), **ids)
            else:
                step(log, logging.INFO, "planned", f"event {uuid}: report #{report_id} planned "
                     f"({disposition})", **ids)
        for _uuid, reason in planned.failures:
            self.metrics.failed_events.labels(reason[:64]).inc()

    async def worker(self, index: int, only: str | None = None) -> None:
        """Claim and run actions; ``only``: this worker's one kind (the notifier's own worker,
        so the SOC hears even while every other worker waits for Okta's rate limit)."""
        while not self.stopping.is_set():
            self.work_ready.clear()
            await self.yield_to_deliveries()
            try:
                claimed = await self.in_background(
                    lambda: queue.claim_next(self.store, self.me, self.clock(), kind=only))
            except SQLAlchemyError as exc:
                log.error("worker %d: the store failed (%s); retrying", index, type(exc).__name__)
                claimed = None
            if claimed is None:
                await _wait(self.work_ready, POLL_S)
                continue
            await self.run_action(claimed)

    async def run_action(self, claimed: queue.Claimed) -> None:
        """Run one claimed action in isolation: whatever it raises fails this action (with the
        redacted reason; the report's give-up notification follows), never the worker."""
        ids = {"report": claimed.report_id, "action": claimed.id, "kind": claimed.kind,
               "user": claimed.user_id}
        step(log, logging.INFO, "started", f"report #{claimed.report_id} {claimed.kind}: started "
             f"(attempt {claimed.attempts})", attempt=claimed.attempts, **ids)
        try:
            outcome = await self._act(claimed)
        except LostClaim:
            log.warning("report #%d %s: reclaimed by another responder; leaving it to them",
                        claimed.report_id, claimed.kind)
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the queue
            log.error("report #%d %s: unexpected error", claimed.report_id, claimed.kind,
                      exc_info=exc)
            outcome = queue.Outcome(FAILED, error=f"internal error: {failure_reason(exc)}")
        try:
            finished = await self._record(claimed, outcome)
        except SQLAlchemyError:
            raise
        except Exception as exc:  # noqa: BLE001 - an outcome the store cannot take fails
            log.error("report #%d %s: recording the outcome failed", claimed.report_id,
                      claimed.kind, exc_info=exc)
            outcome = queue.Outcome(FAILED, error="internal error recording the outcome: "
                                                  f"{failure_reason(exc)}")
            finished = await self._record(claimed, outcome)
        self.metrics.actions.labels(claimed.kind, outcome.status).inc()
        self._log_outcome(claimed, outcome, ids)
        if finished and outcome.status != "retry":
            self.work_ready.set()

    async def _record(self, claimed: queue.Claimed, outcome: queue.Outcome) -> bool:
        """``queue.finish``, again when PostgreSQL aborted it as a deadlock's victim (the
        planner and a finishing action can lock a report's event in opposite orders): the
        transaction was rolled back in full. Without this the worker loop died with the action
        still ``running`` under this live process, where no one would ever reclaim it."""
        for attempt in range(1, FINISH_ATTEMPTS + 1):
            try:
                return await self.in_background(queue.finish, self.store, claimed.id, self.me,
                                                outcome, self.clock())
            except SQLAlchemyError as exc:
                if not transient(exc) or attempt == FINISH_ATTEMPTS:
                    raise
                log.warning("report #%d %s: recording the outcome was aborted by the database "
                            "(%s); again (attempt %d)", claimed.report_id, claimed.kind,
                            type(getattr(exc, "orig", exc)).__name__, attempt + 1)
        raise AssertionError("unreachable")

    def _log_outcome(self, claimed: queue.Claimed, outcome: queue.Outcome,
                     ids: dict[str, Any]) -> None:
        detail = outcome.result or outcome.error
        name = {"retry": "retried", FAILED: "failed"}.get(outcome.status, outcome.status)
        if claimed.kind == NOTIFY and outcome.status == "done":
            name = "notified"
        level = logging.WARNING if outcome.status in ("retry", FAILED) else logging.INFO
        step(log, level, name, f"report #{claimed.report_id} {claimed.kind}: {outcome.status}"
             + (f" ({detail})" if detail else ""), status=outcome.status, detail=detail, **ids)

    def _on_credential(self, change: CredentialChange) -> None:
        """The credential's state changed (any Okta call can say so): announce a refusal at once,
        once per outage, and the recovery. Runs in the caller's thread: it only schedules."""
        if change.state == REFUSED and change.previous != REFUSED:
            why: str | None = change.reason or "Okta refused the credential"
        elif change.state == WORKS and change.previous == REFUSED:
            why = None
        else:
            return
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._schedule_announcement, why)

    def _schedule_announcement(self, why: str | None) -> None:
        task = asyncio.get_running_loop().create_task(self._announce(why),
                                                      name="credential-announcement")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _announce(self, refused: str | None) -> None:
        try:
            waiting = await self.in_background(readers.waiting_reports, self.store)
        except SQLAlchemyError:
            waiting = 0
        if refused is not None:
            log.error("Okta refused the credential (%s): announcing it", refused)
        else:
            log.info("Okta accepts the credential again: announcing it")
        await self.notifier.announce(compose_credential(refused=refused, waiting=waiting))

    async def _act(self, claimed: queue.Claimed) -> queue.Outcome:
        if claimed.kind == "clearSessions":
            return await self.executor.clear_sessions(claimed)
        if claimed.kind in AT_MOST_ONCE:
            async def intent() -> bool:
                return await self.in_background(queue.record_intent, self.store, claimed.id,
                                                self.me, self.clock())
            return await self.executor.at_most_once(claimed, intent)
        if claimed.kind == BLOCK_IP:
            if self.blocker is None:
                return queue.Outcome("skipped", result="campaign.blockIp is not configured")
            return await self.blocker.run(claimed)
        if claimed.kind == NOTIFY:
            async def load() -> list[ActionLine]:
                rows = await self.in_background(queue.report_actions, self.store,
                                                claimed.report_id)
                return [ActionLine(kind, status, result, error)
                        for _seq, kind, status, result, error in rows if kind != NOTIFY]

            async def save(payload: Mapping[str, Any]) -> bool:
                return await self.in_background(queue.save_payload, self.store, claimed.id,
                                                self.me, payload, self.clock())

            async def campaign(campaign_id: int) -> CampaignFacts:
                found = await self.in_background(readers.campaign_members, self.store, campaign_id)
                return CampaignFacts(**found)
            return await self.notifier.run(claimed, load, save, campaign)
        return queue.Outcome("failed", error=f"unknown action {claimed.kind!r}")

    async def housekeeping(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.in_background(self._keep_alive)
                reclaimed = await self.in_background(queue.reclaim_orphans, self.store, self.me,
                                                     self.clock())
                if reclaimed:
                    log.warning("recovered %d action(s) left running by a responder that "
                                "stopped", reclaimed)
                    self.work_ready.set()
            except SQLAlchemyError as exc:
                log.error("heartbeat: the store failed (%s)", type(exc).__name__)
            if self.credential.refused:  # recovery is announced even with nothing waiting
                await self._check_okta(recheck=True)
            await _wait(self.stopping, HEARTBEAT_S)

    def _keep_alive(self) -> None:
        queue.heartbeat(self.store, self.me, self.clock())
        if self.store.is_sqlite:
            self.store.checkpoint()
            return
        try:
            if self.liveness is not None:
                self.liveness.execute(text("SELECT 1"))
                return
        except SQLAlchemyError:
            with contextlib.suppress(SQLAlchemyError):
                self.liveness.close()  # type: ignore[union-attr]
            self.liveness = None
        self.take_liveness_lock()

    def take_liveness_lock(self) -> None:
        """PostgreSQL: hold an advisory lock on this process's id for as long as it lives."""
        conn = self.store.writer.connect()
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": self.me})
        conn.commit()
        self.liveness = conn

    async def reconciler(self) -> None:
        every = self.config.reconcile
        if every is None:
            return
        reconciler = Reconciler(self.store, self.client, me=self.me, every=every,
                                clock=self.clock)
        while not self.stopping.is_set():
            try:
                result = await reconciler.run_once()
                if result.ran:
                    self.metrics.reconcile_runs.labels("error" if result.error else "ok").inc()
                if result.new:
                    self.metrics.events.labels("reconciled").inc(result.new)
                    self.wake_planner.set()
            except SQLAlchemyError as exc:
                log.error("reconciliation: the store failed (%s)", type(exc).__name__)
            await _wait(self.stopping, every.total_seconds())

    # -- lifecycle -----------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self, app: Any) -> AsyncIterator[None]:
        """Starlette lifespan: start the tasks, stop them on shutdown. Nothing here waits for
        Okta: deliveries are accepted from the first moment, whatever Okta is doing."""
        self.loop = asyncio.get_running_loop()
        start = self.supervisor.start
        tasks = [asyncio.create_task(self._check_okta(), name="credential-check"),
                 start("planner", self.planner), start("housekeeping", self.housekeeping),
                 start("reconciler", self.reconciler)]
        tasks += [start(f"worker-{i}", functools.partial(self.worker, i))
                  for i in range(self.config.workers)]
        if self.config.notify_targets:
            tasks.append(asyncio.create_task(self.worker(self.config.workers, only=NOTIFY),
                                             name="notifier"))
        try:
            yield
        finally:
            self.stopping.set()
            self.work_ready.set()
            self.wake_planner.set()
            _done, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await to_thread.run_sync(self._stop)
            await self.client.aclose()

    def _stop(self) -> None:
        with contextlib.suppress(SQLAlchemyError):
            queue.release_mine(self.store, self.me, self.clock())
            queue.heartbeat(self.store, self.me, self.clock(), stopped=True)
        with contextlib.suppress(Exception):
            self.store.checkpoint()
        if self.liveness is not None:
            with contextlib.suppress(SQLAlchemyError):
                self.liveness.close()

    async def _check_okta(self, *, recheck: bool = False) -> None:
        """Ask Okta whether it accepts the credential (at start; then, while it refuses, every
        heartbeat, so the recovery is announced even with no action waiting)."""
        # The client is watched: its answer moves the credential's state, and a change is
        # announced by _on_credential (a refusal once per outage, the recovery once).
        try:
            await self.client.check_credentials()
        except OktaError as exc:
            if not recheck and not self.credential.refused:
                log.error("Okta could not be asked about the credentials (%s); the actions "
                          "retry until it answers", exc)


def _loop_kind(name: str) -> str:
    """``worker-3`` → ``worker``: one metrics label per kind of loop."""
    return name.split("-", 1)[0]


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=max(seconds, 0.01))


def _required_scopes(config: ResponderConfig) -> tuple[str, ...]:
    needs_logs = config.reconcile is not None or bool(config.notify_targets)
    needed = tuple(s for s in SCOPES_NEEDED if s != "okta.logs.read" or needs_logs)
    return needed + (("okta.networkZones.manage",) if config.campaign.block_zone else ())


def check_scopes(client: OktaClient, config: ResponderConfig) -> None:
    """OAuth: refuse to start without the scopes the response needs (named in the error)."""
    if not isinstance(client.auth, OAuthAuth):
        return
    missing = [s for s in _required_scopes(config) if s not in client.auth.scopes]
    if missing:
        raise ResponderStartError(
            f"OKTA_API_SCOPES lacks {', '.join(missing)}: the responder needs okta.users.manage "
            "(clear sessions, reset/expire passwords, suspend, read users) and okta.logs.read "
            "(the notification's timeline, reconciliation); grant them to the service app and "
            "add them to OKTA_API_SCOPES")


def resolve_block_zone(env: Mapping[str, str], config: ResponderConfig) -> str | None:
    """``campaign.blockIp.zone``'s id, resolved at start: a zone the org lacks is a config error.
    When Okta cannot be asked now (refused credential, outage) it is resolved at first use."""
    async def ask() -> str:
        async with client_from_env(env, org_url=config.org_url) as client:
            return await find_block_zone(client, config.campaign.block_zone or "")
    try:
        return asyncio.run(ask())
    except BlockZoneError as exc:
        raise ResponderStartError(str(exc)) from None
    except OktaError as exc:
        log.warning("could not resolve campaign.blockIp.zone now (%s); it is resolved when the "
                    "first campaign blocks an address", exc)
        return None


def bind_socket(host: str, port: int, limits: ListenerLimits | None = None) -> socket.socket:
    """A listening socket (``limits``: one whose accepts go through the listener's gate)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = (limits.socket(family) if limits is not None
            else socket.socket(family, socket.SOCK_STREAM))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ResponderStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


class ResponderServer:
    """A responder ready to run: store open and migrated, socket bound, app built.

    ``run()`` blocks until ``request_stop()`` (or SIGTERM/SIGINT in the main thread); ``close()``
    releases the store and the serve lock. Tests run it in a thread; ``serve`` in the process.
    """

    def __init__(self, config: ResponderConfig, *, host: str, port: int,
                 env: Mapping[str, str], clock: Callable[[], datetime] = utcnow) -> None:
        self.config = config
        self.secrets = secrets_from_env(env, config.secret_env, config.previous_secret_env,
                                        previous_until=config.previous_secret_until,
                                        today=clock().date())
        self.credential = CredentialState(clock)
        self.client = watch(client_from_env(env, org_url=config.org_url,
                                            admin_url=config.admin_url,
                                            concurrency=max(config.workers * 2, 4)),
                            self.credential)
        check_scopes(self.client, config)
        self._lock: ServeLock | None = None
        self._sock: socket.socket | None = None
        self._server: Any = None
        self._deps: AppDeps | None = None
        path = sqlite_path(config.database_url)
        self.store = open_store(config.database_url, pool_size=config.workers + 6,
                                private=True)
        try:
            if path is not None:
                self._lock = ServeLock(path)
                self._lock.acquire()
            upgrade(self.store)
            self.runtime = Runtime(config=config, store=self.store, client=self.client,
                                   secrets=self.secrets, clock=clock, credential=self.credential,
                                   request_exit=self.request_stop)
            if config.campaign.block_zone:
                self.runtime.blocker.zone_id = resolve_block_zone(env, config)  # type: ignore[union-attr]
            self._start_store()
            self.limits = listener_limits()
            self._sock = bind_socket(host, port, self.limits)
        except BaseException:
            self.close()
            raise
        self.host = host
        self.port = self._sock.getsockname()[1]

    @property
    def url(self) -> str:
        """The hook endpoint's URL."""
        return f"http://{_url_host(self.host)}:{self.port}{self.config.path}"

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    def _start_store(self) -> None:
        runtime, now = self.runtime, self.runtime.clock()
        queue.register_responder(self.store, runtime.me, now)
        ensure_state(self.store, now)
        if not self.store.is_sqlite:
            runtime.take_liveness_lock()
        recovered = queue.reclaim_orphans(self.store, runtime.me, now)
        if recovered:
            log.warning("recovered %d action(s) an earlier responder left running", recovered)

    def run(self) -> None:
        import uvicorn

        self._deps = deps = AppDeps(store=self.store, secrets=self.secrets, path=self.config.path,
                       auth_header=self.config.auth_header, metrics=self.runtime.metrics,
                       on_ingested=self.runtime.wake_planner.set, clock=self.runtime.clock,
                       in_flight=self.runtime.in_flight, live=self.runtime.live)
        app = build_app(deps)
        app.router.lifespan_context = self.runtime.running
        if not is_loopback_host(self.host):
            log.warning("listening on %s, beyond this machine: put a TLS-terminating proxy in "
                        "front (Okta only delivers over https) and keep /metrics internal",
                        self.host)
        limits = self.limits
        log.info("listener: at most %d connections (file limit %d); request head within %g s, "
                 "body within %g s", limits.max_connections, limits.nofile,
                 limits.head_timeout_s, limits.body_timeout_s)
        self._server = uvicorn.Server(uvicorn.Config(
            limits.wrap(app), log_config=None, lifespan="on", **limits.uvicorn_options(),
            timeout_graceful_shutdown=int(STOP_GRACE_S), server_header=False))
        assert self._sock is not None
        self._server.run(sockets=[self._sock])

    @property
    def gave_up(self) -> str | None:
        """Why the background work gave up (a loop kept dying), or None."""
        return self.runtime.supervisor.fatal

    @property
    def started(self) -> bool:
        return bool(self._server is not None and self._server.started)

    def request_stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    def close(self) -> None:
        if self._deps is not None and self._deps.writer is not None:
            self._deps.writer.stop()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self.store.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def serve(config: ResponderConfig, *, host: str, port: int, env: Mapping[str, str],
          log_format: str = "text") -> int:
    """Run the responder until SIGTERM/SIGINT; returns the exit code (raises
    :class:`ResponderGaveUp` when a background loop kept dying)."""
    configure_logging(fmt=log_format)
    # The event loop, the intake's writers and the background threads share one GIL: a thread
    # that wants it back (a commit finished, a request arrived) waits up to this long for a
    # busy one to let go. CPython's default, 5 ms, is most of an acknowledgement's budget.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    server = ResponderServer(config, host=host, port=port, env=env)
    try:
        # Through the redacting writer like every other output (the URL may carry a secret).
        write_output(f"sarguard responder: listening on {server.url} (store "
                     f"{server.store.shown}, pid {os.getpid()})\n", None)
        sys.stdout.flush()
        _settle_heap()
        server.run()
        if server.gave_up:
            raise ResponderGaveUp(f"the responder stopped: {server.gave_up}")
        return 0
    finally:
        server.close()
        sys.stdout.flush()


def _settle_heap() -> None:
    """Move everything start-up built (modules, the config, SQLAlchemy's mappings, the app) out
    of the collector's reach (``gc.freeze``): a full collection stops every thread, the event
    loop answering deliveries included, for as long as it takes to traverse the heap, and that
    heap is mostly objects that live as long as the process."""
    gc.collect()
    gc.freeze()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
