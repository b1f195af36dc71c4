"""System Log (``GET /api/v1/logs``): time bounds, SCIM ``filter``, keyword ``q``, cursors.

Two kinds of query, as Okta has them: a *bounded* query (``until`` given, or descending order)
ends — the last page has no ``next`` link; a *polling* query (no ``until``, ascending) always
returns a ``next`` link, even on an empty page, so a client can keep asking for new events.
Cursors are opaque and point just past the last event returned.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from sarguard.emulator import scim
from sarguard.emulator.api.context import ApiContext
from sarguard.emulator.errors import ApiError, validation_failed
from sarguard.emulator.pagination import link, parse_limit
from sarguard.emulator.routing import Request, Response, Router
from sarguard.emulator.state import log_sort_key
from sarguard.emulator.timeutil import parse_iso

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
DEFAULT_WINDOW_S = 7 * 86400
MAX_KEYWORDS = 10
MAX_KEYWORD_LENGTH = 40


def encode_cursor(event: dict[str, Any]) -> str:
    raw = json.dumps(list(log_sort_key(event)), separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError):
        raise validation_failed("after", "after: the cursor is not valid") from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise validation_failed("after", "after: the cursor is not valid")
    return value[0], value[1]


def _time_param(req: Request, name: str) -> float | None:
    raw = req.arg(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_iso(raw)
    except ValueError:
        raise validation_failed(name, f"{name}: expected an ISO 8601 timestamp such as "
                                "2024-05-01T00:00:00.000Z") from None


def _keywords(req: Request) -> list[str]:
    raw = req.arg("q") or ""
    words = [w.lower() for w in raw.split() if w]
    if len(words) > MAX_KEYWORDS:
        raise validation_failed("q", f"q: at most {MAX_KEYWORDS} keywords")
    if any(len(w) > MAX_KEYWORD_LENGTH for w in words):
        raise validation_failed("q", f"q: each keyword must be at most {MAX_KEYWORD_LENGTH} "
                                "characters")
    return words


def _filter(req: Request) -> scim.Node | None:
    raw = req.arg("filter")
    if raw is None or not raw.strip():
        return None
    try:
        return scim.parse(raw)
    except scim.FilterError as exc:
        raise ApiError(400, "E0000031", None, [f"Invalid filter: {exc}"]) from None


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def list_logs(req: Request) -> Response:
        order = req.arg("sortOrder") or "ASCENDING"
        if order not in ("ASCENDING", "DESCENDING"):
            raise validation_failed("sortOrder", "sortOrder: expected ASCENDING or DESCENDING")
        limit = parse_limit(req, DEFAULT_LIMIT, MAX_LIMIT, minimum=0)
        now = ctx.clock()
        until = _time_param(req, "until")
        since = _time_param(req, "since")
        polling = until is None and order == "ASCENDING"
        upper = until if until is not None else now
        lower = since if since is not None else upper - DEFAULT_WINDOW_S
        if lower > upper:
            raise validation_failed("since", "since: must not be after until")
        node, words = _filter(req), _keywords(req)
        after = req.arg("after")
        cursor = decode_cursor(after) if after else None

        selected = []
        for event in store.logs:
            published = parse_iso(str(event.get("published")))
            inside = lower <= published < upper if until is not None else \
                lower <= published <= upper
            if not inside:
                continue
            if cursor is not None:
                key = log_sort_key(event)
                if (order == "ASCENDING" and key <= cursor) or \
                        (order == "DESCENDING" and key >= cursor):
                    continue
            if node is not None and not scim.matches(node, event):
                continue
            if words:
                text = json.dumps(event, ensure_ascii=False).lower()
                if not all(w in text for w in words):
                    continue
            selected.append(event)
        selected.sort(key=log_sort_key, reverse=order == "DESCENDING")
        page = selected[:limit]

        links = [link(req, "self")]
        if page:
            links.append(link(req, "next", after=encode_cursor(page[-1])))
        elif polling or len(selected) > len(page):
            links.append(link(req, "next"))
        if not polling and len(selected) <= len(page):
            links = links[:1]  # a bounded query ends
        return Response(200, page, {"Link": links})

    router.add("GET", "/api/v1/logs", list_logs, scope="okta.logs.read")
