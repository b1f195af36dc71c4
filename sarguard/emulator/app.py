"""``Emulator``: a stateful Okta org on 127.0.0.1 for tests, the demo and users.

Typical use::

    with Emulator(seed="demo") as emu:
        httpx.get(emu.url + "/api/v1/brands", headers={"Authorization": f"SSWS {emu.token}"})

Configuration errors (seed, faults, rate limits) raise :class:`EmulatorError` at construction,
before anything listens.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sarguard.emulator.api import (
    brands,
    control,
    customizations,
    event_hooks,
    logs,
    notifications,
    roles,
    threats,
    users,
    zones,
)
from sarguard.emulator.api.context import ApiContext
from sarguard.emulator.auth import Authenticator
from sarguard.emulator.delivery import DeliveryEngine
from sarguard.emulator.errors import EmulatorError
from sarguard.emulator.faults import FaultInjector, parse_faults
from sarguard.emulator.keys import BadKeyError, load_public_key
from sarguard.emulator.oauth import TOKEN_PATH, TokenService
from sarguard.emulator.orgbuild import build_store
from sarguard.emulator.ratelimit import RateLimiter, parse_limits
from sarguard.emulator.routing import Router
from sarguard.emulator.seeds import load_seed
from sarguard.emulator.server import EmulatorHTTPServer, RequestRecord
from sarguard.emulator.serving import ServedInThread
from sarguard.emulator.state import OAuthClient, OrgStore

FAULT_TIMEOUT_S = 30.0


def _new_token() -> str:
    """An SSWS-looking token (``00`` + 40 characters); a local test credential."""
    return "00" + secrets.token_urlsafe(32)[:40]


class Emulator(ServedInThread):
    """A stateful Okta Management API emulator bound to 127.0.0.1."""

    thread_name = "sarguard-emulator"

    def __init__(
        self,
        seed: dict | str | Path | None = None,
        latency_ms: float = 0,
        rate_limits: dict[str, int] | str | None = None,
        faults: str | list | None = None,
        token: str | None = None,
        clock: Callable[[], float] | None = None,
        rng_seed: int = 0,
    ) -> None:
        if isinstance(latency_ms, bool) or not isinstance(latency_ms, int | float) \
                or latency_ms < 0:
            raise EmulatorError(f"latency_ms: expected a number >= 0, got {latency_ms!r}")
        if token is not None and (not isinstance(token, str) or not token.strip()
                                  or any(c.isspace() for c in token)):
            raise EmulatorError("token: expected a non-empty token without whitespace")
        self.clock: Callable[[], float] = clock or time.time
        self.latency_s = float(latency_ms) / 1000.0
        self.fault_timeout_s = FAULT_TIMEOUT_S
        self.token: str = token or _new_token()
        self.limiter = RateLimiter(parse_limits(rate_limits), self.clock)
        self.faults = FaultInjector(parse_faults(faults), rng_seed)
        data, _source = load_seed(seed)
        self.state: OrgStore = build_store(data, token=self.token, now=self.clock(),
                                           rng_seed=rng_seed)
        self.requests: list[RequestRecord] = []
        self.errors: list[str] = []  # internal errors (type names only), for tests
        self.stopping = threading.Event()
        self._requests_lock = threading.Lock()
        self.delivery = DeliveryEngine(self.state, self.clock, lambda: self.url)
        self.delivery.errors = self.errors
        self._ctx = ApiContext(self.state, self.clock, self.stopping,
                               publish=self.delivery.publish)
        self.token_service = TokenService(self.state, self.clock, lambda: self.url)
        self.authenticator = Authenticator(self.state, self.token_service, self.clock,
                                           lambda: self.url, emulator_token=self.token)
        self.router = self._routes()

    def _routes(self) -> Router:
        router = Router()
        router.add("POST", TOKEN_PATH, self.token_service.handle, auth="none", locked=False)
        for family in (users, brands, customizations, event_hooks, roles, threats, zones,
                       notifications, logs):
            family.register(router, self._ctx)
        control.register(router, self._ctx, self.delivery)
        return router

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1:``port`` (0 = any free port); return the base URL."""
        if self._server is not None:
            raise EmulatorError("the emulator is already running")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise EmulatorError(f"port: expected an integer 0-65535, got {port!r}")
        self.stopping.clear()
        try:
            server = EmulatorHTTPServer(port, self)
        except OSError as exc:
            raise EmulatorError(f"port {port}: cannot listen on 127.0.0.1 ({exc.strerror})") \
                from None
        self._serve(server, f"http://127.0.0.1:{server.server_address[1]}")
        self.delivery.start()
        return self.url

    def stop(self) -> None:
        """Stop serving; requests held by faults or latency are released and dropped."""
        if self._server is None:
            return
        self.stopping.set()
        self.delivery.stop()
        self._stop_serving()

    def _not_started(self) -> Exception:
        return EmulatorError("the emulator has not been started (call start())")

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- knobs for tests -----------------------------------------------------------------

    def set_faults(self, spec: str | list | None) -> None:
        """Replace the injected faults at runtime (None clears them)."""
        self.faults.set(parse_faults(spec))

    def set_rate_limits(self, spec: dict[str, int] | str | None) -> None:
        """Replace the rate-limit buckets at runtime (counters restart)."""
        self.limiter.configure(parse_limits(spec))

    @property
    def hook_verify_timeout(self) -> float:
        """Seconds the emulator waits for a loopback hook's verification answer (Okta: 3)."""
        return self._ctx.hook_timeout_s

    @hook_verify_timeout.setter
    def hook_verify_timeout(self, seconds: float) -> None:
        self._ctx.hook_timeout_s = float(seconds)

    @property
    def delivery_timeout(self) -> float:
        """Seconds a hook endpoint has to answer a delivery (Okta: 3; tests may shorten it)."""
        return self.delivery.timeout_s

    @delivery_timeout.setter
    def delivery_timeout(self, seconds: float) -> None:
        self.delivery.timeout_s = float(seconds)

    @property
    def deliveries(self) -> list[dict[str, Any]]:
        """The delivery log (what ``GET /__emulator/deliveries`` answers)."""
        return self.delivery.log()

    def wait_for_deliveries(self, ids: list[str] | None = None, timeout: float = 30.0) -> bool:
        """Block until the given deliveries (default: all queued) are finished; False on
        timeout. Tests use this instead of sleeping."""
        return self.delivery.wait(ids, timeout)

    def add_oauth_client(self, client_id: str, public_key: Any, scopes: list[str] | tuple[str, ...],
                         dpop: bool = False) -> None:
        """Register a service app (public key as PEM text, JWK dict or key object)."""
        try:
            key = public_key if hasattr(public_key, "public_numbers") \
                else load_public_key(public_key)
        except BadKeyError as exc:
            raise EmulatorError(f"add_oauth_client({client_id!r}): public_key: {exc}") from None
        with self.state.lock:
            self.state.oauth_clients[client_id] = OAuthClient(client_id, [key], frozenset(scopes),
                                                              dpop)

    def record(self, entry: RequestRecord) -> None:
        with self._requests_lock:
            self.requests.append(entry)

    def reset_stats(self) -> None:
        """Forget recorded requests and rate-limit counters."""
        with self._requests_lock:
            self.requests.clear()
        self.limiter.reset()

    def __repr__(self) -> str:
        where = self._url or "not started"
        return f"Emulator({self.state.org_name!r}, {where}, token=***)"
