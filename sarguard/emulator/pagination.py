"""Cursor pagination with ``Link`` headers, the way Okta pages its lists.

Why cursors on item keys: a client must follow ``rel="next"`` and never compute offsets; keying
the cursor on the last item seen keeps pages stable when items are added meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlencode

from sarguard.emulator.errors import validation_failed
from sarguard.emulator.routing import Request

T = TypeVar("T")


def parse_limit(req: Request, default: int, maximum: int, minimum: int = 1) -> int:
    """The ``limit`` parameter: default when absent, capped at ``maximum``; 400 when invalid."""
    raw = req.arg("limit")
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise validation_failed("limit", f"limit: expected an integer, got {raw[:20]!r}") from None
    if value < minimum:
        raise validation_failed("limit", f"limit: expected at least {minimum}, got {value}")
    return min(value, maximum)


def link(req: Request, rel: str, **overrides: str | None) -> str:
    """``<url>; rel="..."`` for this request's path with some query parameters replaced."""
    params = {k: v[-1] for k, v in req.query.items() if v}
    for key, value in overrides.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = urlencode(params, safe=",")
    return f'<{req.url}{"?" + query if query else ""}>; rel="{rel}"'


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    req: Request,
    *,
    default_limit: int = 20,
    max_limit: int = 200,
) -> tuple[list[T], list[str]]:
    """One page of ``items`` after the ``after`` cursor, and its Link header values."""
    limit = parse_limit(req, default_limit, max_limit)
    start = 0
    after = req.arg("after")
    if after:
        keys = [key(item) for item in items]
        if after not in keys:
            raise validation_failed("after", "after: the cursor is not valid for this list")
        start = keys.index(after) + 1
    page = list(items[start:start + limit])
    links = [link(req, "self", after=after or None, limit=str(limit))]
    if start + limit < len(items) and page:
        links.append(link(req, "next", after=key(page[-1]), limit=str(limit)))
    return page, links
