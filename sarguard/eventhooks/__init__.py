"""Okta's event hook wire format, as pure code (no I/O): the emulator, ``sarguard drill`` and the
responder all build and judge deliveries with it.

* :mod:`~sarguard.eventhooks.contract` — header names, versions, the 3 s budget, retry rule;
* :mod:`~sarguard.eventhooks.envelope` — build / validate the delivery envelope, its headers;
* :mod:`~sarguard.eventhooks.verification` — the one-time challenge and its answer;
* :mod:`~sarguard.eventhooks.logevent` / :mod:`~sarguard.eventhooks.report` — LogEvents, the
  report event and its ``debugContext.debugData``;
* :mod:`~sarguard.eventhooks.drill` — the drill event and :func:`is_drill`.
"""

from __future__ import annotations

from sarguard.eventhooks.contract import (
    ANSWER_STATUSES,
    CLOUD_EVENTS_VERSION,
    CONTENT_TYPE,
    DELIVERY_FAILURE_EVENT_TYPE,
    ENVELOPE_EVENT_TYPE,
    EVENT_TYPE_VERSION,
    MAX_ATTEMPTS,
    REPORT_EVENT_TYPE,
    TIMEOUT_S,
    VERIFICATION_HEADER,
    is_retryable,
)
from sarguard.eventhooks.drill import (
    DRILL_ACTOR_ID,
    DRILL_DISPLAY_MESSAGE,
    DRILL_FLAG_KEY,
    build_drill_event,
    is_drill,
)
from sarguard.eventhooks.envelope import (
    Envelope,
    EnvelopeError,
    build_envelope,
    delivery_headers,
    parse_envelope,
)
from sarguard.eventhooks.logevent import ClientContext, Principal, build_log_event, new_uuid
from sarguard.eventhooks.report import (
    DEBUG_DATA_KEYS,
    ReportedActivity,
    build_report_event,
    is_report_event,
    reported_fields,
)
from sarguard.eventhooks.timefmt import okta_time, parse_okta_time
from sarguard.eventhooks.verification import (
    check_verification_answer,
    new_challenge,
    verification_answer,
)

__all__ = [
    "ANSWER_STATUSES", "CLOUD_EVENTS_VERSION", "CONTENT_TYPE", "DEBUG_DATA_KEYS",
    "DELIVERY_FAILURE_EVENT_TYPE", "DRILL_ACTOR_ID", "DRILL_DISPLAY_MESSAGE", "DRILL_FLAG_KEY",
    "ENVELOPE_EVENT_TYPE", "EVENT_TYPE_VERSION", "MAX_ATTEMPTS", "REPORT_EVENT_TYPE", "TIMEOUT_S",
    "VERIFICATION_HEADER", "ClientContext", "Envelope", "EnvelopeError", "Principal",
    "ReportedActivity", "build_drill_event", "build_envelope", "build_log_event", "new_uuid",
    "build_report_event", "check_verification_answer", "delivery_headers", "is_drill",
    "is_report_event", "is_retryable", "new_challenge", "okta_time", "parse_envelope",
    "parse_okta_time", "reported_fields", "verification_answer",
]
