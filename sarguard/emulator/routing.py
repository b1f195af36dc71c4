"""Request/response values and the route table.

Why a table: each route states its own auth mode and OAuth scope next to its handler, so the
scope rules (``okta.brands.read`` for reads, ``.manage`` for writes) are data that can be read
and tested, not logic spread over the handlers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from sarguard.emulator.errors import ApiError

AuthMode = Literal["api", "ssws", "emulator", "none"]


@dataclass
class Principal:
    """Who is calling: an SSWS token's user, or an OAuth client with its granted scopes."""

    kind: Literal["ssws", "oauth"]
    user_id: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str  # scheme://host:port the client used (for links and DPoP htu)
    path_params: dict[str, str] = field(default_factory=dict)
    principal: Principal | None = None
    client_ip: str = "127.0.0.1"  # the caller's address (the emulator listens on loopback only)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def arg(self, name: str) -> str | None:
        """The last value of a query parameter, or None."""
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        """The body as JSON; 400 E0000003 when it is not well-formed."""
        if not self.body:
            raise ApiError(400, "E0000003", None, ["The request body is empty."])
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(400, "E0000003") from None

    def json_object(self) -> dict[str, Any]:
        value = self.json()
        if not isinstance(value, dict):
            raise ApiError(400, "E0000003", None, ["Expected a JSON object."])
        return value

    @property
    def url(self) -> str:
        return self.base_url + self.path


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-able value, raw bytes, or None for an empty body
    headers: dict[str, str | list[str]] = field(default_factory=dict)  # list: repeated header

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    auth: AuthMode = "api"
    scope: str | None = None  # e.g. "okta.brands.read"
    locked: bool = True  # run under the org-state lock
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        parts = re.split(r"\{(\w+)\}", self.pattern)
        out = []
        for i, part in enumerate(parts):
            out.append(f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part))
        self.regex = re.compile("^" + "".join(out) + "/?$")


class Router:
    """Matches (method, path) to a route; tells 404 (no path) from 405 (wrong method)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, **options: Any) -> None:
        self.routes.append(Route(method.upper(), pattern, handler, **options))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        path_matched = False
        for route in self.routes:
            found = route.regex.match(path)
            if not found:
                continue
            path_matched = True
            if route.method == method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        if path_matched:
            raise ApiError(405, "E0000022")
        raise ApiError(404, "E0000007", f"Not found: Resource not found: {path}")
