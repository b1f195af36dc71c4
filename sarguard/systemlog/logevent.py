"""Tolerant accessors for Okta System Log ``LogEvent`` dicts.

Why: real events leave most fields null or absent, and debugData keys appear in the System Log
as camelCase while Okta's catalog documents them in snake_case. Every reader in this package
goes through these helpers so a missing field is ``None``, never a KeyError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

LogEvent = Mapping[str, Any]


def get(event: Any, path: str) -> Any:
    """``get(e, "client.geographicalContext.city")``: the value, or None if any step is missing."""
    node = event
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def text(value: Any) -> str | None:
    """A non-empty string, or None."""
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def parse_time(value: Any) -> datetime | None:
    """``published`` (ISO 8601, usually with ``Z``) as an aware datetime; None if unusable.

    Unusable includes a time that has no UTC equivalent (``9999-12-31T23:59:59-14:00`` is in
    the year 10000 in UTC): every later comparison or conversion of it would overflow.
    """
    if isinstance(value, datetime):
        parsed = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        s = text(value)
        if s is None or len(s) > 64:
            return None
        try:
            parsed = datetime.fromisoformat(s)
        except ValueError:
            return None
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return parsed


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with ``Z``, to the second (how the reports show times); a time with no UTC
    equivalent (an offset past the calendar's end) is shown as given rather than raising."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):
        return value.isoformat(timespec="seconds")


def event_type(event: LogEvent) -> str:
    return text(event.get("eventType")) or ""


def published(event: LogEvent) -> datetime | None:
    return parse_time(event.get("published"))


def outcome(event: LogEvent) -> tuple[str | None, str | None]:
    """(result, reason) from ``outcome``."""
    return text(get(event, "outcome.result")), text(get(event, "outcome.reason"))


def targets(event: LogEvent) -> list[Mapping[str, Any]]:
    raw = event.get("target")
    if not isinstance(raw, list):
        return []
    return [t for t in raw if isinstance(t, Mapping)]


def who(actor: Any) -> str | None:
    """``alternateId (displayName)``, whichever parts exist, else the id."""
    if not isinstance(actor, Mapping):
        return None
    alt, name, ident = text(actor.get("alternateId")), text(actor.get("displayName")), text(
        actor.get("id")
    )
    if alt and name and alt != name:
        return f"{alt} ({name})"
    return alt or name or ident


def actor_label(event: LogEvent) -> str | None:
    return who(event.get("actor"))


def target_label(target: Mapping[str, Any]) -> str | None:
    """``displayName [id]`` of one target, or whichever part exists."""
    name = text(target.get("displayName")) or text(target.get("alternateId"))
    ident = text(target.get("id"))
    if name and ident and name != ident:
        return f"{name} [{ident}]"
    return name or ident


def targets_label(event: LogEvent) -> str | None:
    labels = [lbl for lbl in (target_label(t) for t in targets(event)) if lbl]
    return ", ".join(labels) or None


def location(event: LogEvent) -> str | None:
    """``City, State, Country`` from ``client.geographicalContext``."""
    geo = get(event, "client.geographicalContext")
    if not isinstance(geo, Mapping):
        return None
    parts = [text(geo.get(k)) for k in ("city", "state", "country")]
    return ", ".join(p for p in parts if p) or None


def subject_user_id(event: LogEvent) -> str | None:
    """The user an event is about: the actor when it is a User, else the first User target."""
    actor = event.get("actor")
    if isinstance(actor, Mapping) and text(actor.get("type")) == "User":
        return text(actor.get("id"))
    for target in targets(event):
        if text(target.get("type")) == "User":
            return text(target.get("id"))
    return text(get(event, "actor.id"))


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def debug_value(event: LogEvent, snake_key: str) -> Any:
    """A ``debugContext.debugData`` value by its catalog (snake_case) name or camelCase form."""
    data = get(event, "debugContext.debugData")
    if not isinstance(data, Mapping):
        return None
    for key in (_camel(snake_key), snake_key):
        if key in data and data[key] not in (None, ""):
            return data[key]
    # Some producers capitalise differently; compare without separators or case.
    squashed = re.sub(r"[_\W]", "", snake_key).lower()
    for key, value in data.items():
        if re.sub(r"[_\W]", "", str(key)).lower() == squashed and value not in (None, ""):
            return value
    return None
