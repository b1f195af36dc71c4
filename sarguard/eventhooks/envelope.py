"""The delivery envelope Okta POSTs to an event hook: building it, and validating one received.

Shape (Okta's "Sample Event Delivery Payload", okta/okta-developer-docs
``docs/concepts/event-hooks/index.md``)::

    {"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0", "cloudEventsVersion": "0.1",
     "contentType": "application/json", "eventId": "<uuid>", "eventTime": "<ISO 8601>",
     "source": "https://<org>/api/v1/eventHooks/<hookId>", "data": {"events": [LogEvent, ...]}}

Several events may share one envelope. Delivery is at least once and unordered: a receiver
dedupes on each event's ``uuid`` (:attr:`Envelope.uuids`), not on ``eventId``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sarguard.eventhooks.contract import (
    CLOUD_EVENTS_VERSION,
    CONTENT_TYPE,
    ENVELOPE_EVENT_TYPE,
    EVENT_TYPE_VERSION,
)
from sarguard.eventhooks.timefmt import parse_okta_time

MAX_EVENTS = 1000  # far above any real batch; a bound so a hostile body cannot ask for more work
MAX_DEPTH = 64  # a LogEvent nests ~5 levels; deeper is hostile: a 400, not a 500 Okta retries


class EnvelopeError(ValueError):
    """A delivery body that is not Okta's envelope; the message says which part and why."""


@dataclass(frozen=True)
class Envelope:
    """A validated delivery. ``events`` are the LogEvent dicts exactly as received."""

    event_id: str
    event_time: str
    source: str
    events: tuple[Mapping[str, Any], ...]

    @property
    def hook_id(self) -> str | None:
        """The hook id at the end of ``source`` (``…/api/v1/eventHooks/<id>``), if it has one."""
        parts = urlsplit(self.source).path.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == "eventHooks" and parts[-1]:
            return parts[-1]
        return None

    @property
    def uuids(self) -> tuple[str, ...]:
        """The dedupe keys, one per event, in delivery order."""
        return tuple(str(e["uuid"]) for e in self.events)


def build_envelope(events: Sequence[Mapping[str, Any]], *, org_url: str, hook_id: str,
                   event_id: str, event_time: str) -> dict[str, Any]:
    """The body of one delivery of ``events`` from ``org_url`` through hook ``hook_id``."""
    if not events:
        raise ValueError("a delivery carries at least one event")
    return {
        "eventType": ENVELOPE_EVENT_TYPE,
        "eventTypeVersion": EVENT_TYPE_VERSION,
        "cloudEventsVersion": CLOUD_EVENTS_VERSION,
        "contentType": CONTENT_TYPE,
        "eventId": event_id,
        "eventTime": event_time,
        "source": f"{org_url.rstrip('/')}/api/v1/eventHooks/{hook_id}",
        "data": {"events": [dict(e) for e in events]},
    }


def delivery_headers(custom: Sequence[Mapping[str, str]] | Mapping[str, str] = (),
                     auth_key: str | None = None, auth_value: str | None = None) -> dict[str, str]:
    """The headers of a delivery: Okta's two JSON headers, the hook's custom headers, its auth.

    ``custom`` is the hook's ``channel.config.headers`` (``[{key, value}]``) or a plain mapping.
    The auth header comes last, so a custom header cannot replace it.
    """
    headers = {"Accept": CONTENT_TYPE, "Content-Type": CONTENT_TYPE}
    pairs = custom.items() if isinstance(custom, Mapping) else ((h["key"], h["value"]) for h in custom)
    for key, value in pairs:
        headers[key] = value
    if auth_key and auth_value is not None:
        headers[auth_key] = auth_value
    return headers


def _need_str(body: Mapping[str, Any], key: str, expected: str | None = None) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EnvelopeError(f"{key}: expected a non-empty string")
    if expected is not None and value != expected:
        raise EnvelopeError(f"{key}: expected {expected!r}, got {value[:60]!r}")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests objects/arrays deeper than ``limit`` (iterative: no recursion
    limit of our own to hit). Okta's LogEvents nest a handful of levels; storing, re-encoding
    or reading anything much deeper only invites a RecursionError later."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_envelope(body: bytes | str | Mapping[str, Any]) -> Envelope:
    """Validate a received delivery body (raw bytes, text or parsed JSON) into an Envelope.

    Raises :class:`EnvelopeError` naming the first problem: not JSON, not an object, a wrong or
    missing envelope field, no events, more than :data:`MAX_EVENTS`, an event that is not an
    object or lacks a string ``uuid``/``eventType``/``published``.
    """
    if isinstance(body, bytes | str):
        try:
            parsed = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise EnvelopeError("the body is not JSON") from None
        except RecursionError:
            raise EnvelopeError(f"the body nests deeper than {MAX_DEPTH} levels") from None
    else:
        parsed = body
    if _depth_exceeds(parsed, MAX_DEPTH):
        raise EnvelopeError(f"the body nests deeper than {MAX_DEPTH} levels")
    if not isinstance(parsed, Mapping):
        raise EnvelopeError("the body is not a JSON object")
    _need_str(parsed, "eventType", ENVELOPE_EVENT_TYPE)
    _need_str(parsed, "eventTypeVersion")
    _need_str(parsed, "cloudEventsVersion")
    _need_str(parsed, "contentType", CONTENT_TYPE)
    event_id = _need_str(parsed, "eventId")
    event_time = _need_str(parsed, "eventTime")
    try:
        parse_okta_time(event_time)
    except ValueError:
        raise EnvelopeError("eventTime: expected an ISO 8601 timestamp") from None
    source = _need_str(parsed, "source")
    data = parsed.get("data")
    events = data.get("events") if isinstance(data, Mapping) else None
    if not isinstance(events, list) or not events:
        raise EnvelopeError("data.events: expected a non-empty list of LogEvents")
    if len(events) > MAX_EVENTS:
        raise EnvelopeError(f"data.events: more than {MAX_EVENTS} events in one delivery")
    for i, event in enumerate(events):
        if not isinstance(event, Mapping):
            raise EnvelopeError(f"data.events[{i}]: expected an object")
        for key in ("uuid", "eventType", "published"):
            if not isinstance(event.get(key), str) or not event[key]:
                raise EnvelopeError(f"data.events[{i}].{key}: expected a non-empty string")
    return Envelope(event_id=event_id, event_time=event_time, source=source, events=tuple(events))
