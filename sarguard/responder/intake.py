"""Okta's event hook envelope, as the responder accepts it (anything else is a 400).

Okta's delivery contract (event hook docs): ``{"eventType": "com.okta.event_hook",
"eventTypeVersion", "cloudEventsVersion", "contentType", "eventId", "eventTime", "source",
"data": {"events": [LogEvent, ...]}}``; several events may share one delivery, and each event's
``uuid`` is what a receiver deduplicates on. A 4xx is never retried by Okta, so a 400 means
"this was not a delivery", never "try again".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENVELOPE_TYPE = "com.okta.event_hook"
MAX_UUID = 128
MAX_EVENT_TYPE = 256


class EnvelopeError(ValueError):
    """The body is not an Okta event hook delivery; the message says what is wrong."""


@dataclass(frozen=True)
class Envelope:
    event_id: str | None
    source: str | None
    events: tuple[Mapping[str, Any], ...]


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def parse_delivery(body: bytes) -> Envelope:
    """Validate a delivery body; raises :class:`EnvelopeError` (an HTTP 400)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise EnvelopeError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise EnvelopeError("expected a JSON object (Okta's event hook envelope)")
    if data.get("eventType") != ENVELOPE_TYPE:
        raise EnvelopeError(f"expected eventType {ENVELOPE_TYPE!r}")
    payload = data.get("data")
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list) or not events:
        raise EnvelopeError("expected data.events: a non-empty list of System Log events")
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise EnvelopeError(f"data.events[{index}]: expected a System Log event (an object)")
        uuid = event.get("uuid")
        if not isinstance(uuid, str) or not uuid.strip() or len(uuid) > MAX_UUID:
            raise EnvelopeError(f"data.events[{index}].uuid: expected the event's uuid (a string "
                                f"of at most {MAX_UUID} characters)")
        etype = event.get("eventType")
        if not isinstance(etype, str) or not etype or len(etype) > MAX_EVENT_TYPE:
            raise EnvelopeError(f"data.events[{index}].eventType: expected an event type")
    return Envelope(_text(data.get("eventId"), 128), _text(data.get("source"), 512), tuple(events))
