"""Which OAuth scope an endpoint needs, to name it when Okta answers 403 E0000006."""

from __future__ import annotations

import re

import httpx

# (path pattern, scope family); first match wins, so the more specific come first.
_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/api/v1/brands/[^/]+/templates(/|$)"), "okta.templates"),
    (re.compile(r"^/api/v1/brands(/|$)"), "okta.brands"),
    (re.compile(r"^/api/v1/eventHooks(/|$)"), "okta.eventHooks"),
    (re.compile(r"^/api/v1/roles(/|$)"), "okta.roles"),
    (re.compile(r"^/api/v1/threats(/|$)"), "okta.threatInsights"),
    (re.compile(r"^/api/v1/logs(/|$)"), "okta.logs"),
    (re.compile(r"^/api/v1/users(/|$)"), "okta.users"),
)
_CHALLENGE_SCOPE = re.compile(r'scope="([^"]+)"')
# What an Okta scope looks like; anything else in a challenge is not believed (a hostile server
# could put any text there, and the scope is quoted in unread reasons).
_SCOPE_NAME = re.compile(r"^okta\.[A-Za-z]+\.(read|manage)$")


def scope_for(method: str, path: str) -> str | None:
    """``okta.<family>.read`` for GET, ``.manage`` otherwise; None for unmapped paths."""
    for pattern, family in _FAMILIES:
        if pattern.search(path):
            return f"{family}.read" if method.upper() == "GET" else f"{family}.manage"
    return None


def missing_scope(method: str, path: str, response: httpx.Response) -> str | None:
    """The scope Okta's challenge names (``insufficient_scope``), else the endpoint's scope."""
    challenge = response.headers.get("WWW-Authenticate", "")
    if "insufficient_scope" in challenge:
        match = _CHALLENGE_SCOPE.search(challenge)
        if match and match.group(1).split() and _SCOPE_NAME.match(match.group(1).split()[0]):
            return match.group(1).split()[0]
    return scope_for(method, path)
