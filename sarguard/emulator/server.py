"""HTTP plumbing: the threaded server on 127.0.0.1 and the per-request pipeline.

Pipeline, in Okta's order of concerns: record the request -> latency -> rate limit (429
E0000047, headers on every answer) -> injected fault -> route (404/405) -> authenticate and
check scope -> handler -> JSON answer with ``Date``, ``X-Rate-Limit-*`` and
``X-Okta-Request-Id``. Anything unexpected becomes a 500 with Okta's error body; the details go
to ``Emulator.errors``, never to the client, and no credential is ever logged.
"""

from __future__ import annotations

import email.utils
import re
import secrets
import socket
import struct
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from sarguard.emulator.errors import ApiError, error_body
from sarguard.emulator.faults import Fault
from sarguard.emulator.ratelimit import Decision
from sarguard.emulator.routing import Request, Response

if TYPE_CHECKING:
    from sarguard.emulator.app import Emulator

MAX_BODY = 1024 * 1024
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_HTML = {
    502: b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>"
         b"</body></html>",
    503: b"<html><head><title>503 Service Unavailable</title></head><body>"
         b"<h1>503 Service Unavailable</h1></body></html>",
}
MALFORMED = b'{"id":"0oa1malformed","status":"ACTIVE","_links":{"self":{"href":'


@dataclass
class RequestRecord:
    """One request the emulator received (``status`` None when it was dropped unanswered)."""

    method: str
    path: str
    query: str
    status: int | None
    bucket: str


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Binds 127.0.0.1 only; tracks connections so ``stop()`` can close them all."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, emulator: Emulator) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.to_drop: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def shutdown_request(self, request: Any) -> None:
        with self.conn_lock:
            dropping = request in self.to_drop
            self.to_drop.discard(request)
            self.connections.discard(request)
        if dropping:
            try:
                request.close()  # SO_LINGER 0 was set: the peer sees a reset, no answer
            except OSError:
                pass
            return
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection-level errors (a client hanging up) are not worth a traceback."""

    def server_close(self) -> None:
        """Closes the open connections too: requests held by faults or latency are dropped."""
        self.close_all()
        super().server_close()

    def close_all(self) -> None:
        with self.conn_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sarguard-emulator"
    sys_version = ""
    timeout = 120  # idle keep-alive connections end eventually
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        try:  # headers and body go out as separate writes: don't let Nagle delay the second
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        with self.server.conn_lock:
            self.server.connections.add(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: request lines can carry query strings, and nobody asked for access logs."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        Pipeline(self.server.emulator, self).run()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815


class Pipeline:
    """Handles one HTTP request end to end."""

    def __init__(self, emulator: Emulator, handler: _Handler) -> None:
        self.emu = emulator
        self.h = handler
        self.record: RequestRecord | None = None

    # -- entry ---------------------------------------------------------------------------

    def run(self) -> None:
        emu = self.emu
        if emu.stopping.is_set():
            self.drop()
            return
        req = self.read_request()
        if req is None:
            return
        decision = emu.limiter.hit(req.path)
        self.record = RequestRecord(req.method, req.path, req.raw_query, None, decision.bucket)
        emu.record(self.record)
        if emu.latency_s > 0 and emu.stopping.wait(emu.latency_s):
            self.drop()
            return
        if not decision.allowed:
            self.send(ApiError(429, "E0000047").body(), 429, decision.headers())
            return
        fault = emu.faults.pick(req.path)
        if fault is not None:
            self.apply_fault(fault, decision)
            return
        response = self.dispatch(req)
        headers = {**decision.headers(), **response.headers}
        self.send(response.payload(), response.status, headers)

    def read_request(self) -> Request | None:
        h = self.h
        try:
            length = int(h.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            h.close_connection = True
            self.send(error_body("E0000003", "The request body is too large or its length "
                                 "is invalid."), 413 if length > MAX_BODY else 400, {})
            return None
        body = h.rfile.read(length) if length else b""
        split = urlsplit(h.path)
        host = h.headers.get("Host", "")
        base = f"http://{host}" if _HOST.match(host) else self.emu.url
        return Request(
            method=h.command.upper(),
            path=split.path or "/",
            raw_query=split.query,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
            base_url=base,
            client_ip=str(h.client_address[0]),
        )

    def dispatch(self, req: Request) -> Response:
        emu = self.emu
        try:
            route, params = emu.router.match(req.method, req.path)
            req.path_params = params
            req.principal = emu.authenticator.authenticate(req, route)
            if not route.locked:
                response = route.handler(req)
                response.body = response.payload()
                return response
            with emu.state.lock:
                response = route.handler(req)
                response.body = response.payload()  # serialize while the state is stable
                return response
        except ApiError as exc:
            return Response(exc.status, exc.body(), dict(exc.headers))
        except Exception as exc:  # noqa: BLE001 - any bug becomes Okta's 500, not a traceback
            emu.errors.append(f"{req.method} {req.path}: {type(exc).__name__}")
            return Response(500, error_body("E0000009"))

    # -- faults --------------------------------------------------------------------------

    def apply_fault(self, fault: Fault, decision: Decision) -> None:
        kind = fault.kind
        if kind == "reset":
            self.drop()
        elif kind == "timeout":
            self.emu.stopping.wait(self.emu.fault_timeout_s)
            self.drop()
        elif kind == "malformed":
            self.send(MALFORMED, 200, decision.headers())
        elif kind in ("429", "429-noheaders"):
            headers = {} if kind == "429-noheaders" else {
                **decision.headers(), "X-Rate-Limit-Remaining": "0"}
            self.send(ApiError(429, "E0000047").body(), 429, headers)
        elif kind == "500":
            self.send(error_body("E0000009"), 500, decision.headers())
        else:
            status = int(kind)
            self.send(_HTML[status], status, {"Content-Type": "text/html"})

    def drop(self) -> None:
        """Close the connection without an answer (the client sees a reset)."""
        h = self.h
        h.close_connection = True
        try:
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        with h.server.conn_lock:
            h.server.to_drop.add(h.connection)

    # -- output --------------------------------------------------------------------------

    def send(self, body: Any, status: int, headers: dict[str, str | list[str]]) -> None:
        payload = body if isinstance(body, bytes) else Response(status, body).payload()
        if self.record is not None:
            self.record.status = status
        h = self.h
        out: dict[str, str | list[str]] = {
            "Date": email.utils.formatdate(self.emu.clock(), usegmt=True),
            "Content-Type": "application/json",
            "X-Okta-Request-Id": secrets.token_urlsafe(18),
        }
        out.update(headers)
        if not payload:
            out.pop("Content-Type", None)
        try:
            h.send_response_only(status)
            for name, value in out.items():
                for item in value if isinstance(value, list) else [value]:
                    h.send_header(name, item)
            h.send_header("Content-Length", str(len(payload)))
            if h.close_connection or self.emu.stopping.is_set():
                h.send_header("Connection", "close")
                h.close_connection = True
            h.end_headers()
            if payload:
                h.wfile.write(payload)
        except OSError:
            h.close_connection = True

