"""An httpx transport in front of the emulator that answers some requests itself.

Why: some failures have no emulator fault kind (a revoked token mid-run, an admin without
permission, a ``next`` link that loops). Everything else still goes to the real emulator, so
the rest of the run reads a real org.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from functools import lru_cache

import httpx

from sarguard.emulator.ratelimit import prefix_matches

Rewrite = Callable[[httpx.Request, httpx.Response | None], httpx.Response]


def _error(status: int, code: str, summary: str) -> httpx.Response:
    body = {"errorCode": code, "errorSummary": summary, "errorLink": code,
            "errorId": "oaeInjected0001", "errorCauses": []}
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"Content-Type": "application/json"})


def unauthorized(request: httpx.Request, _: httpx.Response | None) -> httpx.Response:
    """The token was revoked while the run was going (Okta: 401 E0000011)."""
    return _error(401, "E0000011", "Invalid token provided")


def forbidden(request: httpx.Request, _: httpx.Response | None) -> httpx.Response:
    """The token's admin lacks the permission (Okta: 403 E0000006)."""
    return _error(403, "E0000006", "You do not have permission to perform the requested action")


def looping_next(request: httpx.Request, forwarded: httpx.Response | None) -> httpx.Response:
    """The real page, with a ``next`` link back to the page itself."""
    assert forwarded is not None
    headers = [(k, v) for k, v in forwarded.headers.multi_items() if k.lower() != "link"]
    headers.append(("Link", f'<{request.url}>; rel="next"'))
    return httpx.Response(forwarded.status_code, headers=headers, content=forwarded.content)


NEEDS_FORWARD = {looping_next}


@lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # unused on http loopback; built once, not per request


class InjectingTransport(httpx.AsyncBaseTransport):
    """Requests under ``prefix`` get ``rewrite``'s answer; the rest go to the emulator."""

    def __init__(self, prefix: str, rewrite: Rewrite) -> None:
        self.prefix = prefix
        self.rewrite = rewrite
        self.urls: list[str] = []  # every request answered here, in order

    @property
    def injected(self) -> int:
        return len(self.urls)

    def repeated(self) -> list[str]:
        """URLs answered here more than once (a retried refusal, a followed loop)."""
        return sorted({u for u in self.urls if self.urls.count(u) > 1})

    async def _forward(self, request: httpx.Request) -> httpx.Response:
        # One transport per request: the client runs several event loops, a pool is per loop.
        async with httpx.AsyncHTTPTransport(verify=_tls()) as transport:
            response = await transport.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers.multi_items(),
                                  content=content)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not prefix_matches(self.prefix, request.url.path):
            return await self._forward(request)
        self.urls.append(str(request.url))
        forwarded = await self._forward(request) if self.rewrite in NEEDS_FORWARD else None
        return self.rewrite(request, forwarded)
