"""The listener's defences against clients that hold connections without using them.

Why: every open connection costs a file descriptor, and a process has a fixed number of them
(``RLIMIT_NOFILE``; 1,024 under the README's systemd unit). A few hundred connections that send
nothing, or a header a byte at a time (slowloris), would otherwise use them all and keep every
Okta delivery out. uvicorn offers a keep-alive timeout (idle *between* requests), a cap on the
size of a request's head and ``limit_concurrency`` (a 503 once too many connections or tasks
exist: it would turn the real delivery away too); it has no deadline for a request's head or
body. So, here:

* a cap on connections below the file limit, read at start, with headroom for the store, the
  Okta client and the notifier, counted from ``accept()`` (:class:`Gate`); at the cap a new
  connection evicts the oldest one that has not yet sent a complete request head (an idle one,
  never a request being served), so a real delivery, which sends its head at once, gets in;
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
import socket
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
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


class BodyDeadline:
    """ASGI wrapper: a request whose body has not fully arrived within ``seconds`` of its head
    is answered 408 (when nothing was sent yet), and the app sees the client disconnect."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.seconds
        started = answered = False

        async def timed_receive() -> Message:
            nonlocal answered
            if answered:
                return {"type": "http.disconnect"}
            try:
                async with asyncio.timeout(max(deadline - time.monotonic(), 0.001)):
                    return await receive()
            except TimeoutError:
                pass
            log.warning("answered 408 to a request whose body did not arrive within %g s",
                        self.seconds)
            if not started:
                answered = True
                await send({"type": "http.response.start", "status": 408,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"connection", b"close")]})
                await send({"type": "http.response.body",
                            "body": b"request body not received in time"})
            return {"type": "http.disconnect"}

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the 408 went out; whatever the app says after it is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except Exception:
            if not answered:
                raise  # the app's own failure: uvicorn logs it


class Gate:
    """The connections of one listener, counted from ``accept()`` to ``connection_lost``.

    Why at ``accept()``: asyncio accepts every waiting connection in one go before any of them
    reaches the protocol, and on ``EMFILE`` it logs, and schedules a retry, once per waiting
    connection (thousands under a flood). So the listening socket (:class:`GuardedSocket`)
    asks the gate before each accept: at the cap it evicts the oldest idle connection (no
    request head yet), or, when every connection is serving a request, accepts and at once
    closes the new one; while evicted sockets are still closing it stops accepting until the
    event loop has closed them.
    """

    def __init__(self, cap: int, slack: int) -> None:
        self.cap = cap
        self.slack = slack
        self.pending = 0  # accepted, not yet connected to a protocol
        self.live: set[Any] = set()
        self.closing: set[Any] = set()
        self.idle: dict[Any, float] = {}  # live connections with no request head yet → since
        self.evicted = 0
        self.refused = 0

    @property
    def held(self) -> int:
        """Descriptors held by connections (closing ones included)."""
        return self.pending + len(self.live) + len(self.closing)

    def must_wait(self) -> bool:
        """Stop accepting for this event-loop turn: evicted sockets must close first, or the
        connections just accepted must reach the protocol (only then can one be judged idle)."""
        if self.closing and self.held >= self.cap + self.slack:
            return True
        return bool(self.pending) and not self.idle and (
            self.pending + len(self.live) >= self.cap)

    def admit(self) -> bool:
        """Room for one more accepted connection (evicting the oldest idle one at the cap)."""
        if self.pending + len(self.live) + 1 > self.cap:
            victim = min(self.idle, key=self.idle.__getitem__, default=None)
            if victim is None:
                self.refused += 1
                _every(self.refused, "connections at the cap (%d), all serving requests: "
                       "closed a new one (%d so far)", self.cap)
                return False
            self.evict(victim)
            self.evicted += 1
            _every(self.evicted, "connections at the cap (%d): closed an idle one to let a new "
                   "one in (%d so far)", self.cap)
        self.pending += 1
        return True

    def evict(self, protocol: Any) -> None:
        self.idle.pop(protocol, None)
        self.live.discard(protocol)
        self.closing.add(protocol)
        protocol.transport.close()

    def made(self, protocol: Any) -> None:
        self.pending = max(self.pending - 1, 0)
        self.live.add(protocol)
        self.idle[protocol] = time.monotonic()

    def lost(self, protocol: Any) -> None:
        self.live.discard(protocol)
        self.closing.discard(protocol)
        self.idle.pop(protocol, None)


def _every(count: int, message: str, cap: int) -> None:
    if count == 1 or count % 1000 == 0:
        log.warning(message, cap, count)


class GuardedSocket(socket.socket):
    """A listening socket whose ``accept()`` asks a :class:`Gate` first."""

    gate: Gate

    def accept(self) -> tuple[socket.socket, Any]:
        while True:
            if self.gate.must_wait():
                raise BlockingIOError  # asyncio: "nothing to accept now"; retried next turn
            conn, addr = super().accept()
            if self.gate.admit():
                return conn, addr
            conn.close()


def guarded_protocol(gate: Gate, head_timeout_s: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol reporting to ``gate``, with a deadline for each request head."""

    class GuardedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _head_cycle: Any = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            gate.made(self)
            self._arm_head()

        def _arm_head(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            self._head_cycle = self.cycle
            self._head_timer = self.loop.call_later(head_timeout_s, self._head_expired)

        def _head_expired(self) -> None:
            self._head_timer = None
            if self.cycle is self._head_cycle and not self.transport.is_closing():
                gate.evict(self)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a request head arrived: no longer idle
                gate.idle.pop(self, None)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and self.cycle is not None and (
                    self.cycle.response_complete) and self in gate.live:
                gate.idle[self] = time.monotonic()
                self._arm_head()

        def connection_lost(self, exc: Exception | None) -> None:
            gate.lost(self)
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
            super().connection_lost(exc)

    return GuardedH11Protocol


@dataclass
class ListenerLimits:
    """What uvicorn is configured with, derived from this process's file limit."""

    nofile: int
    max_connections: int
    head_timeout_s: float = HEAD_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S
    keep_alive_s: int = KEEP_ALIVE_S
    max_head_bytes: int = MAX_HEAD_BYTES
    gate: Gate = field(init=False)

    def __post_init__(self) -> None:
        slack = max((self.nofile - self.max_connections) // 3, 1)
        self.gate = Gate(self.max_connections, slack)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        return BodyDeadline(app, self.body_timeout_s)

    def protocol(self) -> type[H11Protocol]:
        return guarded_protocol(self.gate, self.head_timeout_s)

    def socket(self, family: int) -> GuardedSocket:
        """A TCP socket whose ``accept()`` goes through this listener's gate."""
        sock = GuardedSocket(family, socket.SOCK_STREAM)
        sock.gate = self.gate
        return sock

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
