"""A scriptable fake Okta for httpx.MockTransport, with a fake clock (no real waiting)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import httpx

from sarguard.okta.auth import SswsAuth
from sarguard.okta.client import OktaClient
from sarguard.okta.connection import OrgEndpoint
from sarguard.okta.ratelimit import default_bucket_key

ORG = "https://acme.okta.com"
ADMIN = "https://acme-admin.okta.com"
TOKEN = "00SECRET-ssws-token-value-0123456789"
START = 1_700_000_000.0

Handler = Callable[[httpx.Request], "httpx.Response | Any"]


class FakeClock:
    """``clock()`` returns fake epoch seconds; ``sleep`` advances it and yields once."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None,
                  ) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", **(headers or {})})


def error(status: int, code: str, summary: str, headers: dict[str, str] | None = None,
          ) -> httpx.Response:
    body = {"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oae1",
            "errorCauses": []}
    return json_response(body, status, headers)


def rate_limited(clock: FakeClock, reset_in: float, *, date_offset: float = 0.0,
                 headers: dict[str, str] | None = None) -> httpx.Response:
    """Okta's 429 (E0000047) with the bucket spent: it resets ``reset_in`` seconds after the
    server's ``Date``, which is ``date_offset`` seconds off the client's clock."""
    server_now = clock.now + date_offset
    return error(429, "E0000047", "API call exceeded rate limit", {
        "X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": str(int(server_now + reset_in)),
        "Date": formatdate(server_now, usegmt=True), **(headers or {})})


class FakeOkta:
    """Routes keyed by (method, path); every response gets Date and, optionally, rate headers.

    ``limit`` turns on a per-bucket window of ``window`` seconds on the fake clock: calls
    beyond the limit get a 429 with the reset time, like Okta.
    """

    def __init__(self, clock: FakeClock, *, limit: int | None = None, window: int = 60) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []  # fake time each request arrived
        self.windows: dict[str, tuple[float, int]] = {}  # bucket -> (reset, count)
        self.sent_429 = 0
        self.resets: list[float | None] = []  # the X-Rate-Limit-Reset each request was given
        self.in_flight = 0
        self.max_in_flight = 0
        self.completed = 0
        self.arrivals: list[tuple[int, int]] = []  # (in flight, completed) as each arrived

    def route(self, path: str, handler: Handler | Any, *, method: str = "GET") -> None:
        """``handler`` is a callable(request) -> Response, or a JSON body to return."""
        if not callable(handler):
            body = handler
            handler = lambda request: json_response(body)  # noqa: E731
        self.routes[(method, path)] = handler

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def _rate(self, path: str) -> tuple[dict[str, str], bool]:
        if self.limit is None:
            return {}, False
        key = default_bucket_key(path)
        now = self.clock()
        reset, count = self.windows.get(key, (0.0, 0))
        if now >= reset:
            reset, count = float(int(now) + self.window), 0
        count += 1
        self.windows[key] = (reset, count)
        self.resets.append(reset)
        remaining = max(self.limit - count, 0)
        headers = {"X-Rate-Limit-Limit": str(self.limit),
                   "X-Rate-Limit-Remaining": str(remaining),
                   "X-Rate-Limit-Reset": str(int(reset))}
        return headers, count > self.limit

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.times.append(self.clock())
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.arrivals.append((self.in_flight, self.completed))
        try:
            for _ in range(3):  # let other tasks in: concurrency becomes observable
                await asyncio.sleep(0)
            rate_headers, limited = self._rate(request.url.path)
            if limited:
                self.sent_429 += 1
                response = error(429, "E0000047", "API call exceeded rate limit due to too "
                                 "many requests.", {"X-Okta-Request-Id": f"req-{len(self.requests)}"})
            else:
                handler = self.routes.get((request.method, request.url.path))
                if handler is None:
                    response = error(404, "E0000007", f"Not found: {request.url.path}")
                else:
                    response = handler(request)
                    if asyncio.iscoroutine(response):
                        response = await response
            for name, value in rate_headers.items():
                response.headers.setdefault(name, value)
            response.headers.setdefault("Date", formatdate(self.clock(), usegmt=True))
            return response
        finally:
            self.in_flight -= 1
            self.completed += 1

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def make_client(fake: FakeOkta, auth: Any = None, *, endpoint: OrgEndpoint | None = None,
                **options: Any) -> OktaClient:
    return OktaClient(
        endpoint or OrgEndpoint(ORG, ADMIN),
        auth or SswsAuth(TOKEN),
        clock=fake.clock,
        sleep=fake.clock.sleep,
        transport=fake.transport(),
        **options,
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)
