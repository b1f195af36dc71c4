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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
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
    OktaDeadlineError,
    OktaError,
    OktaPaginationError,
    OktaRateLimitError,
    OktaTransportError,
    deadline_reason,
    redact,
)
from sarguard.okta.looplocal import LoopLocal
from sarguard.okta.ratelimit import (
    DEFAULT_MAX_WAIT_S,
    RateLimiter,
    default_bucket_key,
    wait_refused,
)
from sarguard.okta.retry import RETRY_STATUSES, backoff_delay, header_int, rate_limit_wait
from sarguard.okta.scopes import missing_scope
from sarguard.okta.stats import ApiStats

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Params = Mapping[str, str | int]
_AUTH_RETRIES = 2  # DPoP nonce rotations / token refreshes per request
# Okta's largest page (200 customizations of < 64 KB) is ~13 MB: a body past this is not Okta.
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_PAGES = 10_000  # a listing still going after this many pages is not going to end
_REBUILT_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


class _BodyTooLarge(Exception):
    """The answer was bigger than ``max_body_bytes``; reading stopped (not retried)."""

    def __init__(self, read: int, declared: int | None) -> None:
        super().__init__(read)
        self.read = read
        self.declared = declared


class RequestTimeout(httpx.TimeoutException):
    """No complete answer (connect to last byte) within ``timeout``."""


@dataclass
class _Received:
    bytes: int = 0


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


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


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
        max_wait: float = DEFAULT_MAX_WAIT_S,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_pages: int = MAX_PAGES,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        bucket_key: Callable[[str], str] = default_bucket_key,
        deadline: float | None = None,
    ) -> None:
        if not isinstance(max_api_capacity, int) or not 1 <= max_api_capacity <= 100:
            raise OktaConfigError("max_api_capacity: expected a whole percentage from 1 to 100")
        if not isinstance(concurrency, int) or concurrency < 1:
            raise OktaConfigError("concurrency: expected a whole number of at least 1")
        if not timeout > 0:
            raise OktaConfigError("timeout: expected a number of seconds greater than 0")
        if not isinstance(max_attempts, int) or max_attempts < 1:
            raise OktaConfigError("max_attempts: expected a whole number of at least 1")
        if not max_wait >= 0:
            raise OktaConfigError("max_wait: expected a number of seconds, 0 or more")
        if deadline is not None and not 0 < deadline < float("inf"):
            raise OktaConfigError("deadline: expected a number of seconds greater than 0")
        self.endpoint = endpoint
        self.auth = auth
        self.concurrency = concurrency
        self.timeout = float(timeout)
        self.max_attempts = max_attempts
        self.max_wait = float(max_wait)
        self.max_body_bytes = max_body_bytes
        self.max_pages = max_pages
        self.stats = ApiStats()
        self.limiter = RateLimiter(max_api_capacity, clock=clock, sleep=sleep, stats=self.stats,
                                   max_wait=self.max_wait)
        self._clock = clock
        self._sleep = sleep
        # The run's deadline, counted from the client's creation on ``clock`` (so the waits
        # this client sleeps count against it): nothing is sent, waited for or read past it.
        self.deadline = float(deadline) if deadline is not None else None
        self._deadline_at = clock() + self.deadline if self.deadline is not None else None
        self.limiter.deadline_at, self.limiter.deadline_s = self._deadline_at, self.deadline
        self.deadline_passed = False  # set when something was left unread for the deadline
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
        self, path: str, *, params: Params | None = None, admin: bool = False,
        unpaged: bool = False,
    ) -> Any:
        """GET one resource and return its parsed JSON (None for an empty body).

        ``unpaged``: Okta's spec gives this resource no pagination, so an answer with a
        ``next`` link is not Okta's answer (``OktaPaginationError``)."""
        with self._redacted_errors():
            response, data = await self._request("GET", self.url(path, admin=admin),
                                                 params=params)
            if unpaged and response.links.get("next"):
                raise OktaPaginationError(_unpaged_next(path))
        return data

    async def put_json(self, path: str, body: Any) -> Any:
        """PUT ``body`` as JSON (a replace: idempotent, so retried like a read); the answer."""
        with self._redacted_errors():
            _, data = await self._request("PUT", self.url(path), params=None, json_body=body)
        return data

    async def paginate(
        self, path: str, *, params: Params | None = None, admin: bool = False,
        max_pages: int | None = None,
    ) -> AsyncIterator[Any]:
        """Yield the items of every page, following ``Link: rel="next"`` until there is none.

        A ``next`` link that repeats a page already fetched, leaves the org's origin or is not a
        valid URL, and a listing still going after ``max_pages`` pages (the family's cap, at
        most the client's), raise ``OktaPaginationError`` (never spin, never send the token
        elsewhere). ``max_pages=1`` is a list Okta does not page: a ``next`` link there is an
        unexpected answer, refused the same way.
        """
        cap = self.max_pages if max_pages is None else min(max_pages, self.max_pages)
        url: str | None = self.url(path, admin=admin)
        page_params = params
        seen: set[str] = set()
        pages = 0
        while url is not None:
            with self._redacted_errors():
                if pages >= cap:
                    if max_pages == 1:
                        raise OktaPaginationError(_unpaged_next(path))
                    sized = " (more than this list can hold in an Okta org)" if cap < self.max_pages else ""
                    raise OktaPaginationError(
                        f"GET {path}: pagination did not end after {cap:,} pages{sized}; "
                        "stopping"
                    )
                full = str(httpx.URL(url, params=page_params)) if page_params else url
                if full in seen:
                    raise OktaPaginationError(
                        f"GET {urlsplit(url).path}: the next link repeats a page already "
                        "fetched; stopping instead of looping"
                    )
                seen.add(full)
                pages += 1
                response, data = await self._request("GET", full, params=None)
                if not isinstance(data, list):
                    raise OktaTransportError(
                        f"unexpected response from Okta at {urlsplit(url).path}: the page "
                        f"should be an array, got {_json_type(data)}"
                    )
                url = self._next_link(response, full) if data else None
            for item in data:
                yield item
            page_params = None

    async def get_all(
        self, path: str, *, params: Params | None = None, admin: bool = False,
        max_pages: int | None = None,
    ) -> list[Any]:
        """Every item of a paged collection as one list (``max_pages``: see ``paginate``)."""
        return [item async for item in self.paginate(path, params=params, admin=admin,
                                                     max_pages=max_pages)]

    def remaining(self) -> float | None:
        """Seconds left before the run's deadline (None: no deadline)."""
        return None if self._deadline_at is None else self._deadline_at - self._clock()

    def _deadline_error(self, what: str, detail: str = "") -> OktaDeadlineError:
        assert self.deadline is not None
        self.deadline_passed = True
        return OktaDeadlineError(deadline_reason(what, self.deadline) + detail,
                                 seconds=self.deadline)

    def _check_deadline(self, what: str, wait: float = 0.0) -> None:
        """Raise when the deadline has passed, or when waiting ``wait`` s would end past it
        (such a wait is never started)."""
        remaining = self.remaining()
        if remaining is None:
            return
        if remaining <= 0:
            raise self._deadline_error(what)
        if wait > remaining:
            raise self._deadline_error(
                what, f": a {wait:.0f} s wait before retrying would end past it")

    # -- internals ----------------------------------------------------------------------

    def _next_link(self, response: httpx.Response, current: str) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        where = urlsplit(current).path
        try:
            target = urljoin(current, link)
            origin = _origin(target)  # .port raises for a port out of range or not a number
            httpx.URL(target)
        except (ValueError, httpx.InvalidURL):
            raise OktaPaginationError(
                f"GET {where}: the next link is not a valid URL; refusing to follow it"
            ) from None
        if origin != _origin(current):
            raise OktaPaginationError(
                f"GET {where}: the next link points at another host "
                f"({origin[0]}://{origin[1]}{f':{origin[2]}' if origin[2] else ''}); refusing "
                "to follow it"
            )
        return target

    def _redact(self, text: str) -> str:
        return redact(text, self.auth.secrets())

    @contextmanager
    def _redacted_errors(self) -> Iterator[None]:
        """Every error leaving the client, every field of it, without a credential in it.

        A hostile server can reflect the token (or an assertion, a DPoP proof, the access
        token) into any field of an answer, a ``next`` link's path included.
        """
        try:
            yield
        except OktaError as exc:
            exc.args = tuple(self._redact(a) if isinstance(a, str) else a for a in exc.args)
            for name in ("path", "error_code", "summary", "scope"):
                value = getattr(exc, name, None)
                if isinstance(value, str):
                    setattr(exc, name, self._redact(value))
            raise

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
            except _BodyTooLarge as exc:
                raise self._too_large(request.method, request.url.path, exc) from None
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt >= self.max_attempts:
                    raise OktaTransportError.of(exc, request.method, _base(request.url),
                                                request.url.path, attempt,
                                                reason=self._timeout_reason(exc)) from None
                await self._backoff(attempt, f"{request.method} {request.url.path}")
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_attempts:
                await self._backoff(attempt, f"{request.method} {request.url.path}")
                continue
            return response

    async def _send_once(self, request: httpx.Request, *, sign: bool = False) -> httpx.Response:
        """One attempt through the rate limiter, counted in the stats.

        ``sign``: add the credential after any wait for capacity, so a DPoP proof is fresh.
        """
        key = self._bucket_key(request.url.path)
        what = f"{request.method} {request.url.path}"
        self._check_deadline(what)
        try:
            await self.limiter.acquire(key)
        except OktaDeadlineError:
            self.deadline_passed = True
            raise
        response: httpx.Response | None = None
        received = _Received()
        self.stats.enter()
        try:
            if sign:
                self.auth.sign(request)
            try:
                # The whole exchange, connect to last byte: httpx's timeouts are per socket
                # operation, and a server trickling a byte a second never trips them.
                # ... and never past the run's deadline.
                limit, remaining = self.timeout, self.remaining()
                capped = remaining is not None and remaining < limit
                if remaining is not None and capped:
                    limit = max(remaining, 0.0)
                async with asyncio.timeout(limit):
                    response = await self._exchange(request, received)
            except TimeoutError:
                if capped:
                    raise self._deadline_error(what, ": the answer had not arrived") from None
                raise RequestTimeout(
                    f"no complete answer within {self.timeout:g} s", request=request) from None
            return response
        finally:
            self.stats.leave()
            self.stats.count_call(key, len(request.content or b""), received.bytes)
            await self.limiter.release(key, response)

    async def _exchange(self, request: httpx.Request, received: _Received) -> httpx.Response:
        """Send ``request`` and read the body as a stream, stopping at ``max_body_bytes``."""
        response = await self._http.get().send(request, stream=True)
        chunks: list[bytes] = []
        try:
            declared = header_int(response, "Content-Length")
            if declared is not None and declared > self.max_body_bytes:
                raise _BodyTooLarge(0, declared)
            async for chunk in response.aiter_bytes():
                received.bytes += len(chunk)
                if received.bytes > self.max_body_bytes:
                    raise _BodyTooLarge(received.bytes, None)
                chunks.append(chunk)
        finally:
            await response.aclose()
        # The body is decoded already: rebuild the response without the framing headers.
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in _REBUILT_HEADERS]
        extensions = {k: v for k, v in response.extensions.items()
                      if k in ("http_version", "reason_phrase")}
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks),
                              request=request, extensions=extensions)

    def _too_large(self, method: str, path: str, exc: _BodyTooLarge) -> OktaTransportError:
        limit = f"{self.max_body_bytes / (1024 * 1024):g} MiB"
        if exc.declared is not None:
            detail = f"announced {exc.declared:,} bytes; not read"
        else:
            detail = f"stopped reading after {exc.read:,} bytes"
        return OktaTransportError(
            f"{method} {path}: the response body is larger than {limit} ({detail}); Okta's "
            "largest pages are about 13 MB"
        )

    def _timeout_reason(self, exc: Exception) -> str | None:
        """A timeout is the whole request's bound (connect to last byte), so say which bound."""
        if isinstance(exc, httpx.TimeoutException):
            return f"no complete answer within {self.timeout:g} s (--timeout)"
        return None

    async def _backoff(self, attempt: int, what: str) -> None:
        delay = backoff_delay(attempt, self._rng)
        self._check_deadline(what, delay)
        self.stats.retries += 1
        self.stats.backoff_wait_s += delay
        await self._sleep(delay)

    async def _request(
        self, method: str, url: str, *, params: Params | None, json_body: Any = None
    ) -> tuple[httpx.Response, Any]:
        async with self._sem.get():
            return await self._attempts(method, url, params, json_body)

    async def _attempts(
        self, method: str, url: str, params: Params | None, json_body: Any = None
    ) -> tuple[httpx.Response, Any]:
        failures = 0  # 5xx, timeouts, resets, malformed JSON
        limited = 0  # 429s
        auth_retries = 0
        retry_headers: dict[str, str] = {}
        path = urlsplit(url).path
        while True:
            request = httpx.Request(method, url, params=params, headers=retry_headers,
                                    json=json_body)
            await self.auth.prepare(self._send_plain)
            try:
                response = await self._send_once(request, sign=True)
            except _BodyTooLarge as exc:
                raise self._too_large(method, path, exc) from None
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise OktaTransportError.of(exc, method, _base(request.url), path, failures,
                                                reason=self._timeout_reason(exc)) from None
                await self._backoff(failures, f"{method} {path}")
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
                await self._backoff(failures, f"{method} {path}")
                continue
            if not 200 <= status < 300:
                raise self._api_error(method, path, response)
            if not response.content.strip():
                return response, None
            try:
                return response, json.loads(response.content)
            except (ValueError, RecursionError):
                failures += 1
                if failures >= self.max_attempts:
                    raise OktaTransportError(
                        f"{method} {path}: malformed JSON in the response after "
                        f"{failures} attempts"
                    ) from None
                await self._backoff(failures, f"{method} {path}")

    async def _wait_after_429(
        self, method: str, path: str, response: httpx.Response, limited: int
    ) -> dict[str, str]:
        """Wait as Okta says (or back off) and return the retry headers for the next try."""
        self.stats.rate_limited += 1
        if limited >= self.max_attempts:
            raise OktaRateLimitError(
                f"{method} {path}: still rate limited (HTTP 429) after {limited} attempts"
            )
        wait = rate_limit_wait(response, now=self.limiter.server_now(),
                               date=self.limiter.usable_date(response))
        if wait is None:
            wait = backoff_delay(limited, self._rng, base=2.0, cap=60.0)
        if wait > self.max_wait:
            reset = header_int(response, "X-Rate-Limit-Reset")
            raise OktaRateLimitError(
                f"{method} {path}: HTTP 429: "
                + wait_refused(self._bucket_key(path), wait, reset, self.max_wait)
            )
        self._check_deadline(f"{method} {path}", wait)
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
        except (ValueError, RecursionError):
            body = None
        body = body if isinstance(body, dict) else {}
        code = body.get("errorCode") if isinstance(body.get("errorCode"), str) else None
        code = self._redact(code) if code else None
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
            scope=self._redact(scope) if scope else None,
        )


def _unpaged_next(path: str) -> str:
    return (f"GET {path}: Okta's API does not page this resource, yet the answer has a next "
            "link (an unexpected answer); not following it")


def _base(url: httpx.URL) -> str:
    """``scheme://host[:port]`` of a request: the host a transport error names."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"
