"""Safe System Log SCIM filters for investigations and evidence queries.

Why strict: a value pasted from an alert goes straight into a filter expression. Each subject
is validated against the shape Okta really uses (user id, IP address, external session id) and
escaped as well, so no input can close the quoted string and add clauses of its own.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from sarguard.errors import SarguardError
from sarguard.systemlog.scopes import ScopeError, scope_events

# Okta object ids: a 3-character type prefix starting with 0 (00u users, 0oa apps, ...) and an
# alphanumeric body; 20 characters in practice, a little slack either way.
_OKTA_ID = re.compile(r"0[0-9a-z]{2}[0-9A-Za-z]{12,27}")
# Okta external session ids (``102...``, ``idx...``, ``trs...``): alphanumerics, ``_`` and ``-``.
_SESSION_ID = re.compile(r"[0-9A-Za-z_-]{8,128}")
# Event type names as Okta's catalog spells them.
_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
_MAX_SHOWN = 60


class FilterError(SarguardError, ValueError):
    """A subject or scope that cannot be turned into a safe filter (message names the option)."""


def escape(value: str) -> str:
    """Escape a string for a double-quoted SCIM filter value (backslash first, then quote)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _shown(value: str) -> str:
    """The offending value for an error message: bounded and with control characters visible."""
    clipped = value if len(value) <= _MAX_SHOWN else value[:_MAX_SHOWN] + "…"
    return repr(clipped)


def is_okta_id(value: str) -> bool:
    """Whether ``value`` has the shape of an Okta object id (else ``--user`` is a login)."""
    return _OKTA_ID.fullmatch(value.strip()) is not None


def validate_login(value: str) -> str:
    """A login ``investigate --user`` can look up with ``GET /api/v1/users/{login}``.

    Okta's spec (getUser): a login is URL-encoded into the path, and a login with a ``/`` can
    only be fetched by id."""
    v = value.strip()
    if not v or len(v) > 256 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in v):
        raise FilterError(f"--user: {_shown(value)} is neither an Okta id nor a login")
    if "/" in v:
        raise FilterError(f"--user: {_shown(value)} has a '/': Okta looks such a login up only "
                          "by the user's id (00u…); give the id")
    return v


def validate_user_id(value: str) -> str:
    """An Okta user (or other object) id such as ``00ub0oNGTSWTBKOLGLNR``."""
    v = value.strip()
    if _OKTA_ID.fullmatch(v):
        return v
    hint = ""
    if "@" in v:
        hint = (" (that looks like a login: use the user's id, the last part of the URL of "
                "Directory > People > the user)")
    raise FilterError(
        f"--user: {_shown(value)} is not an Okta id; expected a value like 00ub0oNGTSWTBKOLGLNR "
        f"(0, a 2-character type, then 12-27 letters or digits){hint}"
    )


def validate_ip(value: str) -> str:
    """An IPv4 or IPv6 address, returned as given (Okta logs the address as the client sent it)."""
    v = value.strip()
    try:
        parsed = ipaddress.ip_address(v)
    except ValueError:
        parsed = None
    if parsed is None or getattr(parsed, "scope_id", None):
        raise FilterError(
            f"--ip: {_shown(value)} is not an IP address; expected IPv4 (203.0.113.7) or "
            "IPv6 (2001:db8::7) without a zone or prefix length"
        )
    return v


def validate_session(value: str) -> str:
    """An Okta external session id (``authenticationContext.externalSessionId``)."""
    v = value.strip()
    if _SESSION_ID.fullmatch(v):
        return v
    raise FilterError(
        f"--session: {_shown(value)} is not an external session id; expected 8-128 letters, "
        "digits, '_' or '-' (for example 102hLRC3jU1SfW4bpN-i_4w8Q or idxAbC123...)"
    )


def _validate_event_type(value: str) -> str:
    if not _EVENT_TYPE.fullmatch(value):
        raise FilterError(f"event type {_shown(value)} is not a valid event type name")
    return value


def event_types_clause(types: Iterable[str]) -> str:
    """``(eventType eq "a") or (eventType eq "b")`` for the given types, in order."""
    items = [f'(eventType eq "{escape(_validate_event_type(t))}")' for t in types]
    if not items:
        raise FilterError("no event types to filter on")
    return " or ".join(items)


def event_types_filter(types: Iterable[str]) -> str:
    """A whole filter matching any of ``types`` (one query for a family, not one per type)."""
    return event_types_clause(types)


def build_filter(
    *,
    user: str | None = None,
    ip: str | None = None,
    session: str | None = None,
    scope: str = "signin",
) -> str:
    """The investigation filter, shaped like Okta's cheat-sheet queries.

    Each given subject is one parenthesised clause; subjects are joined with ``and``; the
    scope's event types follow as ``and ((eventType eq "...") or ...)``. Scope ``all`` adds no
    event clause. At least one subject is required (a whole-org search is not an investigation).
    """
    try:
        events = scope_events(scope)
    except ScopeError as exc:
        raise FilterError(str(exc)) from None
    subjects: list[str] = []
    if user is not None:
        uid = escape(validate_user_id(user))
        subjects.append(f'(actor.id eq "{uid}" or target.id eq "{uid}")')
    if ip is not None:
        subjects.append(f'(client.ipAddress eq "{escape(validate_ip(ip))}")')
    if session is not None:
        sid = escape(validate_session(session))
        subjects.append(f'(authenticationContext.externalSessionId eq "{sid}")')
    if not subjects:
        raise FilterError("give at least one of --user, --ip or --session to investigate")
    parts = list(subjects)
    if events is not None:
        parts.append(f"({event_types_clause(events)})")
    return " and ".join(parts)
