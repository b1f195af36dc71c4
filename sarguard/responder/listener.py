"""The listener's defences against clients that hold connections without using them.

Why: every open connection costs a file descriptor, and a process has a fixed number of them
(``RLIMIT_NOFILE``; 1,024 under the README's systemd unit). A few hundred connections that send
nothing, or a header a byte at a time (slowloris), would otherwise use them all and keep every
Okta delivery out. uvicorn offers a keep-alive timeout (idle *between* requests), a cap on the
size of a request's head and ``limit_concurrency`` (a 503 once too many connections or tasks
exist: it would turn the real delivery away too); it has no deadline for a request's head or
body. So, here:

* a cap on connections below the file limit, read at start, with headroom for the store, the
  Okta client and the notifier; at the cap a new connection evicts the oldest one that has not
  yet sent a complete request head (an idle one, never a request being served), so a real
  delivery, which sends its head at once, always gets in;
* a deadline for each request's head (:data:`HEAD_TIMEOUT_S`, from the connection or the end of
  the previous response): the connection is closed when it passes;
* a deadline for each request's body (:data:`BODY_TIMEOUT_S`, from the head): the app answers
  408 and the connection closes;
* uvicorn's keep-alive timeout and head-size cap, and ``limit_concurrency`` above the cap as a
  backstop for tasks.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("sarguard.responder")
HEAD_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 30.0
KEEP_ALIVE_S = 5
MAX_HEAD_BYTES = 16 * 1024
MIN_HEADROOM = 96  # descriptors kept for the store (SQLite opens 3 a connection), Okta, Apprise
MIN_CONNECTIONS = 8

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def connection_cap(nofile: int) -> int:
    """How many client connections fit under a file limit of ``nofile`` with headroom."""
    headroom = max(MIN_HEADROOM, nofile // 4)
    return max(MIN_CONNECTIONS, nofile - headroom)


class _BodyTimeout(Exception):
    pass


class BodyDeadline:
    """ASGI wrapper: a request whose body has not fully arrived within ``seconds`` of its head
    is answered 408 (when nothing was sent yet) and its connection closed."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.seconds
        started = False

        async def timed_receive() -> Message:
            remaining = deadline - time.monotonic()
            try:
                async with asyncio.timeout(max(remaining, 0.001)):
                    return await receive()
            except TimeoutError:
                raise _BodyTimeout from None

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except _BodyTimeout:
            log.warning("closed a request whose body did not arrive within %g s", self.seconds)
            if not started:
                await send({"type": "http.response.start", "status": 408,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"connection", b"close")]})
                await send({"type": "http.response.body",
                            "body": b"request body not received in time"})


def guarded_protocol(cap: int, head_timeout_s: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a head deadline and a connection cap that evicts idle
    connections (shared by every connection of one server)."""
    waiting: dict[H11Protocol, float] = {}  # connections with no request head yet → since
    evicted = [0]

    class GuardedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _head_cycle: Any = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > cap:
                idle = min((c for c in waiting if c is not self), key=waiting.__getitem__,
                           default=None)
                (idle or self).transport.close()
                evicted[0] += 1
                if evicted[0] == 1 or evicted[0] % 100 == 0:
                    log.warning("connections at the cap (%d): closed an idle one (%d so far)",
                                cap, evicted[0])
                if idle is None:
                    return
            self._arm_head()

        def _arm_head(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            self._head_cycle = self.cycle
            waiting[self] = time.monotonic()
            self._head_timer = self.loop.call_later(head_timeout_s, self._head_expired)

        def _head_expired(self) -> None:
            self._head_timer = None
            if self.cycle is self._head_cycle and not self.transport.is_closing():
                self.transport.close()
            waiting.pop(self, None)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a request head arrived: no longer idle
                waiting.pop(self, None)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.cycle is not None and (
                    self.cycle.response_complete):
                self._arm_head()

        def connection_lost(self, exc: Exception | None) -> None:
            waiting.pop(self, None)
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            super().connection_lost(exc)

    return GuardedH11Protocol


@dataclass(frozen=True)
class ListenerLimits:
    """What uvicorn is configured with, derived from this process's file limit."""

    nofile: int
    max_connections: int
    head_timeout_s: float = HEAD_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S
    keep_alive_s: int = KEEP_ALIVE_S
    max_head_bytes: int = MAX_HEAD_BYTES

    def wrap(self, app: ASGIApp) -> ASGIApp:
        return BodyDeadline(app, self.body_timeout_s)

    def protocol(self) -> type[H11Protocol]:
        return guarded_protocol(self.max_connections, self.head_timeout_s)

    def uvicorn_options(self) -> dict[str, Any]:
        """The keyword arguments for ``uvicorn.Config`` that apply these limits."""
        return {"http": self.protocol(), "timeout_keep_alive": self.keep_alive_s,
                "limit_concurrency": self.max_connections + 1,
                "h11_max_incomplete_event_size": self.max_head_bytes}


def listener_limits() -> ListenerLimits:
    """The limits for this process (its soft ``RLIMIT_NOFILE``, read now)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    nofile = soft if soft != resource.RLIM_INFINITY and soft > 0 else 1024 * 1024
    return ListenerLimits(nofile=nofile, max_connections=connection_cap(nofile))
