"""``sarguard responder serve``: wire the store, the app, the workers and reconciliation.

Start-up, in order: the hook secret from the environment, the store (SQLite: take the serve
lock first), migrations, the Okta client (refusing OAuth scopes that cannot do the job), then
uvicorn on a socket bound before the app starts (``--port 0`` picks a free port and the
"listening on" line says which). The background tasks run in uvicorn's event loop: a planner
(recorded events → reports and actions), ``workers`` workers (claim → act → record), a
heartbeat (and, on PostgreSQL, the recovery of dead responders' work) and reconciliation.
On SIGTERM/SIGINT the workers finish what they are doing (bounded), this process's unfinished
claims go back to the queue, and the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from anyio import to_thread
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from sarguard.errors import SarguardError
from sarguard.okta.auth import OAuthAuth
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaError
from sarguard.okta.factory import client_from_env
from sarguard.okta.users import SCOPES_NEEDED
from sarguard.responder.actions import Executor, LostClaim, Retry, settle
from sarguard.responder.app import AppDeps, InFlight, build_app
from sarguard.responder.blocklist import Blocker, BlockZoneError, find_block_zone
from sarguard.responder.config import AT_MOST_ONCE, NOTIFY, OKTA_ACTIONS, ResponderConfig
from sarguard.responder.credstate import CredentialState, refusal
from sarguard.responder.hookauth import HookSecrets, secrets_from_env
from sarguard.responder.logsetup import configure_logging
from sarguard.responder.message import ActionLine, CampaignFacts, Message, compose_credential
from sarguard.responder.metrics import Metrics
from sarguard.responder.notifier import Notifier, Sender
from sarguard.responder.reconcile import Reconciler
from sarguard.responder.store import queue, readers
from sarguard.responder.store.campaign import BLOCK_IP
from sarguard.responder.store.engine import ServeLock, Store, open_store, sqlite_path
from sarguard.responder.store.migrate import upgrade
from sarguard.responder.store.planning import plan_pending
from sarguard.responder.store.reconcile_state import ensure_state
from sarguard.util.netutil import is_loopback_host

log = logging.getLogger("sarguard.responder")
POLL_S = 1.0
# Background work (planning, actions) waits while deliveries are being answered, at most this
# long at a time: Okta's 3-second window comes first, the response a moment later.
MAX_DEFER_S = 1.0
DEFER_STEP_S = 0.01
HEARTBEAT_S = 5.0
STOP_GRACE_S = 10.0


class ResponderStartError(SarguardError):
    """The responder cannot start as configured (the message says what to change)."""


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

    def __post_init__(self) -> None:
        self.executor = Executor(self.client, clock=self.clock)
        self.notifier = Notifier(self.client, Sender(self.config.notify_targets),
                                 admin_url=self.config.admin_url, clock=self.clock)
        self.blocker: Blocker | None = None
        if self.config.campaign.block_zone:
            async def tell(title: str, body: str) -> None:
                await self.notifier.announce(Message(title, f"{title}.\n{body}\n", "failure"))
            self.blocker = Blocker(self.client, self.store, zone_name=self.config.campaign.block_zone,
                                   max_entries=self.config.campaign.block_max, me=self.me,
                                   clock=self.clock, tell=tell)

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
                    if not await to_thread.run_sync(plan_pending, self.store, self.config,
                                                    self.clock()):
                        break
                    self.work_ready.set()
            except SQLAlchemyError as exc:
                log.error("planning: the store failed (%s); retrying", type(exc).__name__)
            await _wait(self.wake_planner, POLL_S)

    async def worker(self, index: int, only: str | None = None) -> None:
        """Claim and run actions; ``only``: this worker's one kind (the notifier's own worker,
        so the SOC hears even while every other worker waits for Okta's rate limit)."""
        while not self.stopping.is_set():
            self.work_ready.clear()
            await self.yield_to_deliveries()
            try:
                claimed = await to_thread.run_sync(
                    lambda: queue.claim_next(self.store, self.me, self.clock(), kind=only))
            except SQLAlchemyError as exc:
                log.error("worker %d: the store failed (%s); retrying", index, type(exc).__name__)
                claimed = None
            if claimed is None:
                await _wait(self.work_ready, POLL_S)
                continue
            await self.run_action(claimed)

    async def run_action(self, claimed: queue.Claimed) -> None:
        try:
            outcome = await self._act(claimed)
        except LostClaim:
            log.warning("report #%d %s: reclaimed by another responder; leaving it to them",
                        claimed.report_id, claimed.kind)
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the queue
            log.exception("report #%d %s: unexpected error", claimed.report_id, claimed.kind)
            outcome = settle(claimed, Retry(f"internal error ({type(exc).__name__})",
                                            self.clock() + timedelta(seconds=30)))
        finished = await to_thread.run_sync(queue.finish, self.store, claimed.id, self.me,
                                            outcome, self.clock())
        await self.observe_credential(claimed.kind, outcome)
        self.metrics.actions.labels(claimed.kind, outcome.status).inc()
        level = logging.WARNING if outcome.status in ("retry", "failed") else logging.INFO
        log.log(level, "report #%d %s: %s%s", claimed.report_id, claimed.kind, outcome.status,
                f" ({outcome.result or outcome.error})" if (outcome.result or outcome.error) else "")
        if finished and outcome.status != "retry":
            self.work_ready.set()

    async def observe_credential(self, kind: str, outcome: queue.Outcome) -> None:
        """Announce a refused credential at once (once per outage) and its recovery."""
        if outcome.refused is not None:
            if self.credential.refused(outcome.refused, self.clock()):
                log.error("Okta refused the credential (%s): announcing it", outcome.refused)
                await self._announce(outcome.refused)
        elif kind in OKTA_ACTIONS and outcome.status == "done" and self.credential.ok(self.clock()):
            log.info("Okta accepts the credential again: announcing it")
            await self._announce(None)

    async def _announce(self, refused: str | None) -> None:
        try:
            waiting = await to_thread.run_sync(readers.waiting_reports, self.store)
        except SQLAlchemyError:
            waiting = 0
        await self.notifier.announce(compose_credential(refused=refused, waiting=waiting))

    async def _act(self, claimed: queue.Claimed) -> queue.Outcome:
        if claimed.kind == "clearSessions":
            return await self.executor.clear_sessions(claimed)
        if claimed.kind in AT_MOST_ONCE:
            async def intent() -> bool:
                return await to_thread.run_sync(queue.record_intent, self.store, claimed.id,
                                                self.me, self.clock())
            return await self.executor.at_most_once(claimed, intent)
        if claimed.kind == BLOCK_IP:
            if self.blocker is None:
                return queue.Outcome("skipped", result="campaign.blockIp is not configured")
            return await self.blocker.run(claimed)
        if claimed.kind == NOTIFY:
            async def load() -> list[ActionLine]:
                rows = await to_thread.run_sync(queue.report_actions, self.store,
                                                claimed.report_id)
                return [ActionLine(kind, status, result, error)
                        for _seq, kind, status, result, error in rows if kind != NOTIFY]

            async def save(payload: Mapping[str, Any]) -> bool:
                return await to_thread.run_sync(queue.save_payload, self.store, claimed.id,
                                                self.me, payload, self.clock())

            async def campaign(campaign_id: int) -> CampaignFacts:
                found = await to_thread.run_sync(readers.campaign_members, self.store, campaign_id)
                return CampaignFacts(**found)
            return await self.notifier.run(claimed, load, save, campaign)
        return queue.Outcome("failed", error=f"unknown action {claimed.kind!r}")

    async def housekeeping(self) -> None:
        while not self.stopping.is_set():
            try:
                await to_thread.run_sync(self._keep_alive)
                reclaimed = await to_thread.run_sync(queue.reclaim_orphans, self.store, self.me,
                                                     self.clock())
                if reclaimed:
                    log.warning("recovered %d action(s) left running by a responder that "
                                "stopped", reclaimed)
                    self.work_ready.set()
            except SQLAlchemyError as exc:
                log.error("heartbeat: the store failed (%s)", type(exc).__name__)
            if not self.credential.works:  # recovery is announced even with nothing waiting
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
        tasks = [asyncio.create_task(self._check_okta(), name="credential-check"),
                 asyncio.create_task(self.planner(), name="planner"),
                 asyncio.create_task(self.housekeeping(), name="housekeeping"),
                 asyncio.create_task(self.reconciler(), name="reconciler")]
        tasks += [asyncio.create_task(self.worker(i), name=f"worker-{i}")
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
        try:
            await self.client.check_credentials()
        except OktaError as exc:
            why = refusal(exc)
            if why and self.credential.refused(why, self.clock()):
                log.error("Okta did not accept the credentials (%s); deliveries are still "
                          "accepted and the actions wait (retrying) until it does", exc)
                await self._announce(why)
            elif not recheck:
                log.error("Okta could not be asked about the credentials (%s); the actions "
                          "retry until it answers", exc)
        else:
            if self.credential.ok(self.clock()):
                log.info("Okta accepts the credential again: announcing it")
                await self._announce(None)


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


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
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
        self.secrets = secrets_from_env(env, config.secret_env, config.previous_secret_env)
        self.client = client_from_env(env, org_url=config.org_url, admin_url=config.admin_url,
                                      concurrency=max(config.workers * 2, 4))
        check_scopes(self.client, config)
        self._lock: ServeLock | None = None
        self._sock: socket.socket | None = None
        self._server: Any = None
        self._deps: AppDeps | None = None
        path = sqlite_path(config.database_url)
        self.store = open_store(config.database_url, pool_size=config.workers + 6)
        try:
            if path is not None:
                self._lock = ServeLock(path)
                self._lock.acquire()
            upgrade(self.store)
            self.runtime = Runtime(config=config, store=self.store, client=self.client,
                                   secrets=self.secrets, clock=clock)
            if config.campaign.block_zone:
                self.runtime.blocker.zone_id = resolve_block_zone(env, config)  # type: ignore[union-attr]
            self._start_store()
            self._sock = bind_socket(host, port)
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
                       in_flight=self.runtime.in_flight)
        app = build_app(deps)
        app.router.lifespan_context = self.runtime.running
        if not is_loopback_host(self.host):
            log.warning("listening on %s, beyond this machine: put a TLS-terminating proxy in "
                        "front (Okta only delivers over https) and keep /metrics internal",
                        self.host)
        self._server = uvicorn.Server(uvicorn.Config(
            app, log_config=None, lifespan="on", timeout_keep_alive=5,
            timeout_graceful_shutdown=int(STOP_GRACE_S), server_header=False))
        assert self._sock is not None
        self._server.run(sockets=[self._sock])

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


def serve(config: ResponderConfig, *, host: str, port: int, env: Mapping[str, str]) -> int:
    """Run the responder until SIGTERM/SIGINT; returns the exit code."""
    configure_logging()
    server = ResponderServer(config, host=host, port=port, env=env)
    try:
        print(f"sarguard responder: listening on {server.url} (store {server.store.shown}, pid "
              f"{os.getpid()})", flush=True)
        server.run()
        return 0
    finally:
        server.close()
        sys.stdout.flush()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
