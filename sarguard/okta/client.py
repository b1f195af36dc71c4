"""The Okta Management API client: auth, retries, rate limits, pagination, bounded concurrency.

Async (httpx.AsyncClient) so one audit can read many brands at once, but never more than
``concurrency`` requests in flight and never more than ``max_api_capacity`` percent of a rate
limit window. ``clock`` and ``sleep`` are injectable so tests of waits run in milliseconds.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

import sarguard
from sarguard.okta.auth import Auth, OAuthAuth
from sarguard.okta.connection import OrgEndpoint
from sarguard.okta.errors import (
    OktaApiError,
    OktaAuthError,
    OktaConfigError,
    OktaPaginationError,
    OktaRateLimitError,
    OktaTransportError,
    redact,
)
from sarguard.okta.looplocal import LoopLocal
from sarguard.okta.ratelimit import RateLimiter, default_bucket_key
from sarguard.okta.retry import RETRY_STATUSES, backoff_delay, rate_limit_wait
from sarguard.okta.scopes import missing_scope
from sarguard.okta.stats import ApiStats

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Params = Mapping[str, str | int]
_AUTH_RETRIES = 2  # DPoP nonce rotations / token refreshes per request


def _tls_context(trust_env: bool) -> ssl.SSLContext:
    """The verifying TLS context httpx would build, made once per CA source and shared.

    Why: every event loop gets its own connection pool (the System Log reader runs one loop
    per query), and loading the CA bundle costs ~60 ms each time. Verification is unchanged:
    same CA source (``SSL_CERT_FILE``/``SSL_CERT_DIR`` when the environment is trusted,
    else certifi), hostname checks on.
    """
    env = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")) if trust_env else None
    return _cached_tls_context(trust_env, env)


@functools.lru_cache(maxsize=8)
def _cached_tls_context(trust_env: bool, env: tuple[str | None, str | None] | None) -> ssl.SSLContext:
    del env  # part of the cache key only: a changed CA source builds a new context
    return httpx.create_ssl_context(verify=True, trust_env=trust_env)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class OktaClient:
    """One org, one credential. Use ``async with`` or call ``aclose()`` when done."""

    def __init__(
        self,
        endpoint: OrgEndpoint,
        auth: Auth,
        *,
        max_api_capacity: int = 50,
        concurrency: int = 8,
        timeout: float = 30.0,
        max_attempts: int = 4,
        max_rate_limit_wait: float = 300.0,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        bucket_key: Callable[[str], str] = default_bucket_key,
    ) -> None:
        if not isinstance(max_api_capacity, int) or not 1 <= max_api_capacity <= 100:
            raise OktaConfigError("max_api_capacity: expected a whole percentage from 1 to 100")
        if not isinstance(concurrency, int) or concurrency < 1:
            raise OktaConfigError("concurrency: expected a whole number of at least 1")
        if not timeout > 0:
            raise OktaConfigError("timeout: expected a number of seconds greater than 0")
        if not isinstance(max_attempts, int) or max_attempts < 1:
            raise OktaConfigError("max_attempts: expected a whole number of at least 1")
        self.endpoint = endpoint
        self.auth = auth
        self.concurrency = concurrency
        self.timeout = float(timeout)
        self.max_attempts = max_attempts
        self.max_rate_limit_wait = max_rate_limit_wait
        self.stats = ApiStats()
        self.limiter = RateLimiter(max_api_capacity, clock=clock, sleep=sleep, stats=self.stats)
        self._clock = clock
        self._sleep = sleep
        self._transport = transport
        self._rng = rng or random.Random()
        self._bucket_key = bucket_key
        self._http: LoopLocal[httpx.AsyncClient] = LoopLocal(self._new_http)
        self._sem: LoopLocal[asyncio.Semaphore] = LoopLocal(
            lambda: asyncio.Semaphore(self.concurrency)
        )
        self._checked = False

    def __repr__(self) -> str:
        return f"OktaClient(org={self.endpoint.url!r}, auth={self.auth.kind})"

    # -- lifecycle ----------------------------------------------------------------------

    def _new_http(self) -> httpx.AsyncClient:
        trust_env = not self.endpoint.is_loopback
        return httpx.AsyncClient(
            transport=self._transport,
            verify=_tls_context(trust_env) if self._transport is None else True,
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(max_connections=self.concurrency + 2),
            headers={"Accept": "application/json", "User-Agent": f"sarguard/{sarguard.__version__}"},
            # Never route the loopback emulator through a proxy from the environment.
            trust_env=trust_env,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        """Close this event loop's connection pool (a later call opens a new one)."""
        http = self._http.current()
        if http is not None:
            self._http.clear()
            await http.aclose()

    async def __aenter__(self) -> OktaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- public API ---------------------------------------------------------------------

    def url(self, path: str, *, admin: bool = False) -> str:
        """Absolute URL for an API path on the org (or its admin host)."""
        base = self.endpoint.admin_url if admin else self.endpoint.url
        if base is None:
            raise OktaConfigError(self.endpoint.admin_missing_reason or "no admin URL known")
        if "://" in path:
            if _origin(path) != _origin(base):
                raise OktaConfigError(f"refusing to send credentials to another host: {path}")
            return path
        return base.rstrip("/") + "/" + path.lstrip("/")

    async def check_credentials(self) -> None:
        """Fail fast when the credential is not accepted (raises ``OktaAuthError``).

        SSWS: ``GET /api/v1/users/me``; OAuth: the token request itself.
        """
        if self._checked:
            return
        if isinstance(self.auth, OAuthAuth):
            await self.auth.ensure_token(self._send_plain)
        else:
            try:
                await self.get_json("/api/v1/users/me")
            except OktaApiError as exc:
                if exc.status == 401:
                    raise OktaAuthError(
                        f"Okta rejected the API token for {self.endpoint.url} (HTTP 401"
                        f"{' ' + exc.error_code if exc.error_code else ''}): check that "
                        "OKTA_API_TOKEN is a current token of this org"
                    ) from None
                raise
        self._checked = True

    async def get_json(
        self, path: str, *, params: Params | None = None, admin: bool = False
    ) -> Any:
        """GET one resource and return its parsed JSON (None for an empty body)."""
        _, data = await self._request("GET", self.url(path, admin=admin), params=params)
        return data

    async def paginate(
        self, path: str, *, params: Params | None = None, admin: bool = False
    ) -> AsyncIterator[Any]:
        """Yield the items of every page, following ``Link: rel="next"`` until there is none.

        A ``next`` link that repeats a page already fetched, or leaves the org's origin, raises
        ``OktaPaginationError`` (never spin, never send the token elsewhere).
        """
        url: str | None = self.url(path, admin=admin)
        page_params = params
        seen: set[str] = set()
        while url is not None:
            full = str(httpx.URL(url, params=page_params)) if page_params else url
            if full in seen:
                raise OktaPaginationError(
                    f"GET {urlsplit(url).path}: the next link repeats a page already fetched; "
                    "stopping instead of looping"
                )
            seen.add(full)
            response, data = await self._request("GET", full, params=None)
            if not isinstance(data, list):
                raise OktaTransportError(
                    f"GET {urlsplit(url).path}: expected a JSON array, got "
                    f"{type(data).__name__}"
                )
            for item in data:
                yield item
            url = self._next_link(response, full) if data else None
            page_params = None

    async def get_all(
        self, path: str, *, params: Params | None = None, admin: bool = False
    ) -> list[Any]:
        """Every item of a paged collection as one list."""
        return [item async for item in self.paginate(path, params=params, admin=admin)]

    # -- internals ----------------------------------------------------------------------

    def _next_link(self, response: httpx.Response, current: str) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        target = urljoin(current, link)
        if _origin(target) != _origin(current):
            raise OktaPaginationError(
                f"GET {urlsplit(current).path}: the next link points at another host "
                f"({urlsplit(target).hostname}); refusing to follow it"
            )
        return target

    def _redact(self, text: str) -> str:
        return redact(text, self.auth.secrets())

    async def _send_plain(self, build: Callable[[], httpx.Request]) -> httpx.Response:
        """Send a request that carries its own credentials (the OAuth token request).

        ``build`` makes a fresh request per attempt (a replayed assertion would be refused).
        Transport failures and 5xx are retried; everything else is returned to the caller.
        """
        attempt = 0
        while True:
            attempt += 1
            request = build()
            try:
                response = await self._send_once(request)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt >= self.max_attempts:
                    raise OktaTransportError.of(exc, request.method, _base(request.url),
                                                request.url.path, attempt) from None
                await self._backoff(attempt)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_attempts:
                await self._backoff(attempt)
                continue
            return response

    async def _send_once(self, request: httpx.Request, *, sign: bool = False) -> httpx.Response:
        """One attempt through the rate limiter, counted in the stats.

        ``sign``: add the credential after any wait for capacity, so a DPoP proof is fresh.
        """
        key = self._bucket_key(request.url.path)
        await self.limiter.acquire(key)
        response: httpx.Response | None = None
        self.stats.enter()
        try:
            if sign:
                self.auth.sign(request)
            response = await self._http.get().send(request)
            await response.aread()
            return response
        finally:
            self.stats.leave()
            received = len(response.content) if response is not None else 0
            self.stats.count_call(key, len(request.content or b""), received)
            await self.limiter.release(key, response)

    async def _backoff(self, attempt: int) -> None:
        delay = backoff_delay(attempt, self._rng)
        self.stats.retries += 1
        self.stats.backoff_wait_s += delay
        await self._sleep(delay)

    async def _request(
        self, method: str, url: str, *, params: Params | None
    ) -> tuple[httpx.Response, Any]:
        async with self._sem.get():
            return await self._attempts(method, url, params)

    async def _attempts(
        self, method: str, url: str, params: Params | None
    ) -> tuple[httpx.Response, Any]:
        failures = 0  # 5xx, timeouts, resets, malformed JSON
        limited = 0  # 429s
        auth_retries = 0
        retry_headers: dict[str, str] = {}
        path = urlsplit(url).path
        while True:
            request = httpx.Request(method, url, params=params, headers=retry_headers)
            await self.auth.prepare(self._send_plain)
            try:
                response = await self._send_once(request, sign=True)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise OktaTransportError.of(exc, method, _base(request.url), path,
                                                failures) from None
                await self._backoff(failures)
                continue
            if self.auth.should_retry(response) and auth_retries < _AUTH_RETRIES:
                auth_retries += 1
                self.stats.retries += 1
                continue
            status = response.status_code
            if status == 429:
                limited += 1
                retry_headers = await self._wait_after_429(method, path, response, limited)
                continue
            if status in RETRY_STATUSES:
                failures += 1
                if failures >= self.max_attempts:
                    raise self._api_error(method, path, response, attempts=failures)
                await self._backoff(failures)
                continue
            if not 200 <= status < 300:
                raise self._api_error(method, path, response)
            if not response.content.strip():
                return response, None
            try:
                return response, json.loads(response.content)
            except ValueError:
                failures += 1
                if failures >= self.max_attempts:
                    raise OktaTransportError(
                        f"{method} {path}: malformed JSON in the response after "
                        f"{failures} attempts"
                    ) from None
                await self._backoff(failures)

    async def _wait_after_429(
        self, method: str, path: str, response: httpx.Response, limited: int
    ) -> dict[str, str]:
        """Wait as Okta says (or back off) and return the retry headers for the next try."""
        self.stats.rate_limited += 1
        if limited >= self.max_attempts:
            raise OktaRateLimitError(
                f"{method} {path}: still rate limited (HTTP 429) after {limited} attempts"
            )
        wait = rate_limit_wait(response, now=self.limiter.server_now())
        if wait is None:
            wait = backoff_delay(limited, self._rng, base=2.0, cap=60.0)
        elif wait > self.max_rate_limit_wait:
            raise OktaRateLimitError(
                f"{method} {path}: rate limited (HTTP 429) and asked to wait {wait:.0f} s, "
                f"more than the {self.max_rate_limit_wait:.0f} s allowed"
            )
        self.stats.retries += 1
        self.stats.rate_limit_wait_s += wait
        await self._sleep(wait)
        headers = {"X-Okta-Retry-Count": str(limited)}
        request_id = response.headers.get("X-Okta-Request-Id")
        if request_id:
            headers["X-Okta-Retry-For"] = request_id
        return headers

    def _api_error(
        self, method: str, path: str, response: httpx.Response, *, attempts: int = 1
    ) -> OktaApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        code = body.get("errorCode") if isinstance(body.get("errorCode"), str) else None
        summary = body.get("errorSummary") or body.get("error_description")
        summary = summary if isinstance(summary, str) else response.reason_phrase
        scope = None
        if response.status_code == 403 and self.auth.kind == "oauth":
            scope = missing_scope(method, path, response)
        text = f"{method} {path}: HTTP {response.status_code}"
        if code:
            text += f" {code}"
        if summary:
            text += f" {summary}"
        if scope:
            text += f" (missing OAuth scope {scope})"
        if attempts > 1:
            text += f" after {attempts} attempts"
        return OktaApiError(
            self._redact(text),
            status=response.status_code,
            method=method,
            path=path,
            error_code=code,
            summary=self._redact(summary) if summary else None,
            scope=scope,
        )


def _base(url: httpx.URL) -> str:
    """``scheme://host[:port]`` of a request: the host a transport error names."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"
