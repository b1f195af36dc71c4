"""``HookReceiver``: a minimal event hook endpoint on 127.0.0.1, for the demo and tests.

What a SOC endpoint must do, at its smallest: answer Okta's verification challenge, refuse a
delivery without the right auth header (401), refuse a body that is not Okta's envelope (400),
record each event once (dedupe on ``uuid``: deliveries are at least once) and answer 204 at once.
``ReceiverBehaviour`` makes it misbehave on purpose (slow, open to anyone, a wrong challenge
answer, errors), which is how the emulator's deliveries and ``sarguard drill`` are tested.
The secret is compared in constant time and never stored in what the receiver records.
"""

from __future__ import annotations

import hmac
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sarguard.emulator.serving import ServedInThread
from sarguard.eventhooks import (
    VERIFICATION_HEADER,
    EnvelopeError,
    parse_envelope,
    verification_answer,
)

MAX_BODY = 1024 * 1024


@dataclass
class ReceiverBehaviour:
    """How the receiver answers (defaults: correctly)."""

    delay_s: float = 0.0  # wait before every answer
    require_auth: bool = True  # False: accepts deliveries from anyone
    echo_challenge: bool = True  # False: answers the verification with a wrong value
    status: int = 204  # the answer to an accepted delivery
    redelivery_status: int | None = None  # the answer when every event was seen before
    statuses: list[int] = field(default_factory=list)  # answers to the next POSTs, in order
    # True: every answer carries the auth header's value back, in its body and (for an error)
    # in the status line's reason phrase, as a careless endpoint's error page may.
    echo_auth: bool = False


@dataclass(frozen=True)
class Received:
    """One request the receiver got (header names lower-cased; the auth header left out)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    authenticated: bool


class HookReceiver(ServedInThread):
    """A threaded HTTP(S) server on 127.0.0.1 playing an event hook endpoint."""

    thread_name = "sarguard-hook-receiver"
    what = "receiver"

    def __init__(self, secret: str | None, auth_header: str = "Authorization", *,
                 path: str = "/okta/events", tls: ssl.SSLContext | None = None,
                 behaviour: ReceiverBehaviour | None = None) -> None:
        self.secret = secret
        self.auth_header = auth_header
        self.path = path
        self.tls = tls
        self.behaviour = behaviour or ReceiverBehaviour()
        self.requests: list[Received] = []
        self.events: dict[str, dict[str, Any]] = {}  # uuid -> event, first delivery wins
        self.duplicates = 0
        self._lock = threading.Condition()
        self._stopping = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        scheme = "https" if self.tls is not None else "http"
        return self._serve(server, f"{scheme}://127.0.0.1:{server.server_address[1]}{self.path}")

    def stop(self) -> None:
        self._stopping.set()  # releases answers held by a delay
        self._stop_serving()

    # -- what tests and the demo read ------------------------------------------------------

    def wait_for(self, condition: Callable[[HookReceiver], bool], timeout: float = 30.0) -> bool:
        """Until ``condition(self)`` holds; False on timeout (no sleeping in callers)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    def posts(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    # -- the endpoint ----------------------------------------------------------------------

    def _authenticated(self, headers: dict[str, str]) -> bool:
        given = headers.get(self.auth_header.lower())
        if self.secret is None or given is None:
            return False
        return hmac.compare_digest(given.encode(), self.secret.encode())

    def answer(self, method: str, path: str, headers: dict[str, str],
               body: bytes) -> tuple[int, bytes, str | None]:
        """The status, the body and the reason phrase (None: the standard one)."""
        behaviour = self.behaviour
        if behaviour.delay_s and self._stopping.wait(behaviour.delay_s):
            return 503, b"", None
        authenticated = self._authenticated(headers)
        status, payload = self._decide(method, path, headers, body, authenticated)
        recorded = {k: v for k, v in headers.items() if k != self.auth_header.lower()}
        with self._lock:
            self.requests.append(Received(method, path, recorded, body, status, authenticated))
            self._lock.notify_all()
        given = headers.get(self.auth_header.lower()) if behaviour.echo_auth else None
        if given is None:
            return status, payload, None
        return status, _with_echo(payload, status, given), (
            f"Refused {given}" if status >= 400 else None)

    def _decide(self, method: str, path: str, headers: dict[str, str], body: bytes,
                authenticated: bool) -> tuple[int, bytes]:
        behaviour = self.behaviour
        if path.split("?")[0] != self.path:
            return 404, b""
        if behaviour.require_auth and not authenticated:
            return 401, b""
        if method == "GET":
            challenge = headers.get(VERIFICATION_HEADER.lower())
            if challenge is None:
                return 400, b""
            echoed = challenge if behaviour.echo_challenge else challenge[::-1] + "x"
            return 200, json.dumps(verification_answer(echoed)).encode()
        if method != "POST":
            return 405, b""
        with self._lock:
            scripted = behaviour.statuses.pop(0) if behaviour.statuses else None
        if scripted is not None:
            return scripted, b""
        try:
            envelope = parse_envelope(body)
        except EnvelopeError:
            return 400, b""
        with self._lock:
            fresh = [e for e in envelope.events if str(e["uuid"]) not in self.events]
            for event in fresh:
                self.events[str(event["uuid"])] = dict(event)
            if not fresh:
                self.duplicates += 1
        if not fresh and behaviour.redelivery_status is not None:
            return behaviour.redelivery_status, b""
        return behaviour.status, b""


def _with_echo(payload: bytes, status: int, value: str) -> bytes:
    """``payload`` (a JSON object, or nothing) with ``value`` added to it; 204 stays empty."""
    if status == 204:
        return payload
    answer = json.loads(payload) if payload else {}
    answer["receivedAuthorization"] = value
    return json.dumps(answer).encode()


def _handler_for(receiver: HookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            """Quiet: request lines are nobody's business."""

        def _serve(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self.send_response(413)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                return
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload, reason = receiver.answer(self.command, self.path, headers, body)
            try:
                self.send_response(status, reason)
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if payload:
                    self.wfile.write(payload)
            except OSError:
                self.close_connection = True  # the caller gave up (a timeout): fine

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

    return Handler
