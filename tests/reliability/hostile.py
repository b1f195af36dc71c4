"""A hostile Okta on 127.0.0.1: a reverse proxy in front of the emulator that misbehaves on purpose.

Requests under ``prefix`` get the mode's answer (far-future rate-limit resets, a skewed ``Date``,
a body trickled a byte at a time or 400 MB long, pages that never end, broken ``next`` links,
JSON of the wrong shape, no default brand, the caller's credentials reflected into every error
field); every other request goes to the real emulator, so the rest of the run reads a real org.
A real socket, not a transport: the whole-request timeout and the streamed body cap are about
what arrives on the wire.

``Date`` and ``X-Rate-Limit-Reset`` come from the suite's virtual clock, the one the CLI's
client sleeps on, so "a day away" costs nothing real — unless the client sleeps it.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sarguard.emulator import Emulator
from sarguard.emulator.ratelimit import prefix_matches

HOP_HEADERS = {"connection", "transfer-encoding", "content-length", "keep-alive"}
HUGE_BODY = 400 * 1024 * 1024
CHUNK = 64 * 1024


@dataclass
class Req:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | Iterator[bytes] = b""
    length: int | None = None  # announced Content-Length for a streamed body (None: until close)
    trickle: float | None = None  # seconds between single bytes

    def json(self) -> Any:
        assert isinstance(self.body, bytes)
        return json.loads(self.body) if self.body.strip() else None

    def with_json(self, data: Any) -> Answer:
        self.body = json.dumps(data).encode()
        return self

    def header(self, name: str, value: str) -> Answer:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))
        return self


Forward = Callable[[Req], Answer]
Behaviour = Callable[[Req, Forward, "HostileServer"], Answer]


class HostileServer(ThreadingHTTPServer):
    """Binds 127.0.0.1 only. ``prefix`` selects the requests ``behaviour`` answers."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: Emulator, behaviour: Behaviour, prefix: str,
                 clock: Callable[[], float]) -> None:
        self.upstream = upstream
        self.behaviour = behaviour
        self.prefix = prefix
        self.clock = clock
        self.hits: list[str] = []  # targets the behaviour answered
        self.seen_credentials: set[str] = set()  # every credential value a request carried
        self.bytes_written = 0
        self.errors: list[str] = []  # the server's own failures (a test bug, not the CLI's)
        self.stopping = threading.Event()
        self.state: dict[str, Any] = {}
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys
        import traceback

        kind, exc, _ = sys.exc_info()
        if kind in (BrokenPipeError, ConnectionResetError):
            return
        self.errors.append("".join(traceback.format_exception_only(kind, exc)).strip())

    def remember(self, req: Req) -> None:
        with self._lock:
            for name in ("authorization", "dpop"):
                value = req.headers.get(name, "")
                if value:
                    self.seen_credentials.add(value)
                    self.seen_credentials.update(p for p in value.split() if len(p) >= 16)
            if req.body:
                form = parse_qs(req.body.decode("utf-8", "replace"))
                self.seen_credentials.update(form.get("client_assertion", []))

    def forward(self, req: Req) -> Answer:
        host, port = urlsplit(self.upstream.url).hostname, urlsplit(self.upstream.url).port
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            headers = {k: v for k, v in req.headers.items() if k.lower() not in HOP_HEADERS}
            conn.request(req.method, req.target, body=req.body or None, headers=headers)
            response = conn.getresponse()
            body = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_HEADERS]
            return Answer(response.status, kept, body)
        finally:
            conn.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, *args: Any) -> None:
        pass

    def handle_one(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        req = Req(self.command, split.path, split.query, dict(self.headers.items()),
                  self.rfile.read(length) if length else b"")
        server = self.server
        server.remember(req)
        if prefix_matches(server.prefix, req.path):
            server.hits.append(req.target)
            answer = server.behaviour(req, server.forward, server)
        else:
            answer = server.forward(req)
        self.write(answer)

    do_GET = do_POST = do_PUT = do_DELETE = handle_one  # noqa: N815 - http.server's names

    def write(self, answer: Answer) -> None:
        self.close_connection = True
        self.send_response_only(answer.status)  # no Date of its own: the answer's (or ours)
        if not any(k.lower() == "date" for k, _ in answer.headers):
            self.send_header("Date", formatdate(self.server.clock(), usegmt=True))
        for name, value in answer.headers:
            self.send_header(name, value)
        if isinstance(answer.body, bytes):
            self.send_header("Content-Length", str(len(answer.body)))
        elif answer.length is not None:
            self.send_header("Content-Length", str(answer.length))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            if answer.trickle is not None:
                self._trickle(answer)
            elif isinstance(answer.body, bytes):
                self.wfile.write(answer.body)
            else:
                for chunk in answer.body:
                    if self.server.stopping.is_set():
                        return
                    self.wfile.write(chunk)
                    self.server.bytes_written += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what a bounded client does

    def _trickle(self, answer: Answer) -> None:
        assert isinstance(answer.body, bytes)
        for index in range(len(answer.body)):
            if self.server.stopping.wait(answer.trickle):
                return
            self.wfile.write(answer.body[index:index + 1])
            self.wfile.flush()
            self.server.bytes_written += 1


# -- behaviours --------------------------------------------------------------------------------


def _okta_error(status: int, code: str, summary: str) -> Answer:
    body = {"errorCode": code, "errorSummary": summary, "errorLink": code,
            "errorId": "oaeHostile0001", "errorCauses": []}
    return Answer(status, [("Content-Type", "application/json")]).with_json(body)


def rate_limited(reset_in: float, *, once: bool = False, date_offset: float = 0.0) -> Behaviour:
    """429 E0000047 with ``X-Rate-Limit-Reset`` ``reset_in`` s after the (virtual) ``Date``.

    ``once``: only the first request gets it (a single 429 that poisons the bucket)."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        if once and server.state.setdefault("limited", 0) >= 1:
            return forward(req)
        server.state["limited"] = server.state.get("limited", 0) + 1
        now = server.clock() + date_offset
        answer = _okta_error(429, "E0000047", "API call exceeded rate limit due to too many "
                             "requests.")
        return (answer.header("X-Rate-Limit-Limit", "600").header("X-Rate-Limit-Remaining", "0")
                .header("X-Rate-Limit-Reset", str(int(now + reset_in)))
                .header("Date", formatdate(now, usegmt=True)))

    return behave


def skewed_date(offset: float) -> Behaviour:
    """The real answer, with a ``Date`` (and resets) ``offset`` seconds off the shared clock."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        answer = forward(req)
        answer.header("Date", formatdate(server.clock() + offset, usegmt=True))
        reset = dict((k.lower(), v) for k, v in answer.headers).get("x-rate-limit-reset")
        if reset:
            answer.header("X-Rate-Limit-Reset", str(int(reset) + int(offset)))
        return answer

    return behave


def trickle(every: float) -> Behaviour:
    """The real answer, its body sent one byte every ``every`` real seconds."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        answer = forward(req)
        answer.trickle = every
        return answer

    return behave


def huge_body(size: int = HUGE_BODY, *, announce: bool = False) -> Behaviour:
    """200 with a JSON array ``size`` bytes long, streamed (until close, or announced)."""

    def body() -> Iterator[bytes]:
        item = b'{"id":"bnd1hostile000000000","name":"x","isDefault":false},'
        block = item * (CHUNK // len(item))
        sent = 1
        yield b"["
        while sent + len(block) < size:
            yield block
            sent += len(block)

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        return Answer(200, [("Content-Type", "application/json")], body(),
                      length=size if announce else None)

    return behave


def endless_pages() -> Behaviour:
    """The real first page, every time, with a ``next`` link to a new cursor: it never ends."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        page = int(parse_qs(req.query).get("after", ["0"])[0] or 0)
        first = Req(req.method, req.path, req.query.split("&after=")[0], req.headers, req.body)
        answer = forward(first if page else req)
        params = {k: v[0] for k, v in parse_qs(req.query).items() if k != "after"}
        query = "&".join(f"{k}={v}" for k, v in params.items())
        nxt = f"{server.url}{req.path}?{query}{'&' if query else ''}after={page + 1}"
        return answer.header("Link", f'<{nxt}>; rel="next"')

    return behave


def next_link(link: Callable[[HostileServer, Req], str]) -> Behaviour:
    """The real page with a ``next`` link of our making."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        return forward(req).header("Link", f'<{link(server, req)}>; rel="next"')

    return behave


def reshape(mutate: Callable[[Any], Any]) -> Behaviour:
    """The real answer with its JSON changed by ``mutate`` (which returns the new document)."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        answer = forward(req)
        if not 200 <= answer.status < 300:
            return answer
        return answer.with_json(mutate(answer.json()))

    return behave


def reflect(status: int) -> Behaviour:
    """An error whose every field carries the caller's credentials: the Authorization and DPoP
    headers, and (token endpoint) the signed client assertion."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        form = parse_qs(req.body.decode("utf-8", "replace")) if req.body else {}
        values = [req.headers.get("Authorization", ""), req.headers.get("DPoP", ""),
                  *form.get("client_assertion", [])]
        echo = " ".join(v for v in values if v)
        body = {"errorCode": echo, "errorSummary": f"rejected {echo}", "errorLink": echo,
                "errorId": echo, "errorCauses": [{"errorSummary": echo}],
                "error": echo, "error_description": f"bad {echo}"}
        answer = Answer(status, [("Content-Type", "application/json"),
                                 ("WWW-Authenticate", f'Bearer error="insufficient_scope", '
                                                      f'scope="{echo}", error_description="{echo}"'),
                                 ("X-Okta-Request-Id", echo[:200])])
        return answer.with_json(body)

    return behave


def bucket_always_empty(reset_in: float = 60.0) -> Behaviour:
    """The real answer, saying the bucket is spent (``X-Rate-Limit-Remaining: 0``) until a reset
    ``reset_in`` s ahead: within ``--max-wait``, so a client without a deadline waits that long
    before every request (issue 19 §1: about half an hour for one drift)."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        now = server.clock()
        return (forward(req).header("X-Rate-Limit-Limit", "600")
                .header("X-Rate-Limit-Remaining", "0")
                .header("X-Rate-Limit-Reset", str(int(now + reset_in)))
                .header("Date", formatdate(now, usegmt=True)))

    return behave


def paced(limit: int, inner: Behaviour | None = None, *, window: float = 60.0,
          delay: float = 0.0) -> Behaviour:
    """Okta's pacing, per bucket (the client's bucket keys): ``limit`` calls a ``window``, the
    real ``X-Rate-Limit-*`` headers on every answer and a 429 past the limit. ``inner``
    (default: the real answer) makes the answer; ``delay`` real seconds before each one."""
    from sarguard.okta.ratelimit import default_bucket_key

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        if delay and server.stopping.wait(delay):
            return Answer(503)
        now = server.clock()
        key = default_bucket_key(req.path)
        with server._lock:  # noqa: SLF001 - the server's own lock, shared by its threads
            reset, used = server.state.get(("window", key), (0.0, 0))
            if now >= reset:
                reset, used = float(int(now + window)), 0
            used += 1
            server.state[("window", key)] = (reset, used)
        if used > limit:
            answer = _okta_error(429, "E0000047", "API call exceeded rate limit due to too many "
                                 "requests.")
        else:
            answer = inner(req, forward, server) if inner is not None else forward(req)
        return (answer.header("X-Rate-Limit-Limit", str(limit))
                .header("X-Rate-Limit-Remaining", str(max(limit - used, 0)))
                .header("X-Rate-Limit-Reset", str(int(reset)))
                .header("Date", formatdate(now, usegmt=True)))

    return behave


def by_path(routes: dict[str, Behaviour]) -> Behaviour:
    """The behaviour of the longest matching path prefix (the real answer when none matches)."""

    def behave(req: Req, forward: Forward, server: HostileServer) -> Answer:
        for prefix in sorted(routes, key=len, reverse=True):
            if prefix_matches(prefix, req.path):
                return routes[prefix](req, forward, server)
        return forward(req)

    return behave
