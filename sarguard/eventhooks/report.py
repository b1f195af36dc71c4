"""The suspicious-activity report event (``user.account.report_suspicious_activity_by_enduser``).

What Okta writes when a user clicks "report" in a notification email, as real events show it
(panther-labs/panther-analysis ``rules/okta_rules/okta_user_reported_suspicious_activity.yml``;
opencybersecurityalliance/stix-shifter ``stix_shifter_modules/okta/README.md``): the reporting
user is both ``actor`` and ``target``; ``severity`` is ``WARN``; ``displayMessage`` is "User
report suspicious activity"; ``debugContext.debugData`` holds ``requestUri``
``/api/internal/users/me/report-suspicious-activity`` and what was reported, every value a
string (latitude and longitude too): ``suspiciousActivityEventType``, ``…EventId`` (the reported
event's ``uuid``), ``…EventTransactionId`` (its ``transaction.id``), ``…Timestamp``,
``…EventIp``, ``…EventCity``, ``…EventState``, ``…EventCountry``, ``…EventLatitude``,
``…EventLongitude``, ``…Browser``, ``…Os``. Keys Okta has no value for are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sarguard.eventhooks.contract import REPORT_EVENT_TYPE
from sarguard.eventhooks.logevent import ClientContext, Principal, build_log_event

REPORT_DISPLAY_MESSAGE = "User report suspicious activity"
REPORT_LEGACY_EVENT_TYPE = "core.user.account.report_suspicious_activity_by_enduser"
REPORT_REQUEST_URI = "/api/internal/users/me/report-suspicious-activity"
# Every debugData key of the reported activity, in the catalog's order (SuspiciousActivityDebugData).
DEBUG_DATA_KEYS: tuple[str, ...] = (
    "suspiciousActivityEventType", "suspiciousActivityBrowser", "suspiciousActivityOs",
    "suspiciousActivityEventIp", "suspiciousActivityEventCity", "suspiciousActivityEventState",
    "suspiciousActivityEventCountry", "suspiciousActivityTimestamp", "suspiciousActivityEventId",
    "suspiciousActivityEventTransactionId", "suspiciousActivityEventLatitude",
    "suspiciousActivityEventLongitude",
)


@dataclass(frozen=True)
class ReportedActivity:
    """The activity a user reported: the event behind the email, and where it came from."""

    event_type: str
    event_id: str
    transaction_id: str
    timestamp: str
    client: ClientContext


def report_debug_data(activity: ReportedActivity) -> dict[str, str]:
    """The ``suspiciousActivity*`` debugData of a report of ``activity`` (strings only)."""
    c = activity.client
    values: dict[str, Any] = {
        "suspiciousActivityEventType": activity.event_type,
        "suspiciousActivityBrowser": c.browser,
        "suspiciousActivityOs": c.os,
        "suspiciousActivityEventIp": c.ip,
        "suspiciousActivityEventCity": c.city,
        "suspiciousActivityEventState": c.state,
        "suspiciousActivityEventCountry": c.country,
        "suspiciousActivityTimestamp": activity.timestamp,
        "suspiciousActivityEventId": activity.event_id,
        "suspiciousActivityEventTransactionId": activity.transaction_id,
        "suspiciousActivityEventLatitude": c.latitude,
        "suspiciousActivityEventLongitude": c.longitude,
    }
    return {k: str(v) for k, v in values.items() if v is not None}


def build_report_event(*, uuid: str, published: str, user: Principal, reporter: ClientContext,
                       activity: ReportedActivity, request_id: str, session_id: str | None = None,
                       report_token: str = "", extra_debug: Mapping[str, str] | None = None,
                       display_message: str = REPORT_DISPLAY_MESSAGE) -> dict[str, Any]:
    """The LogEvent Okta writes when ``user`` (from ``reporter``) reports ``activity``."""
    debug: dict[str, Any] = {
        "requestUri": REPORT_REQUEST_URI,
        "url": f"{REPORT_REQUEST_URI}?i={report_token}" if report_token else REPORT_REQUEST_URI,
        **report_debug_data(activity),
        **(extra_debug or {}),
    }
    return build_log_event(
        uuid=uuid, published=published, event_type=REPORT_EVENT_TYPE,
        display_message=display_message, actor=user, client=reporter,
        transaction_id=request_id, session_id=session_id, severity="WARN", targets=[user],
        debug_data=debug, legacy_event_type=REPORT_LEGACY_EVENT_TYPE,
    )


def reported_fields(event: Mapping[str, Any]) -> dict[str, str]:
    """The ``suspiciousActivity*`` values of a report event that are present (as strings)."""
    context = event.get("debugContext")
    debug = context.get("debugData") if isinstance(context, Mapping) else None
    if not isinstance(debug, Mapping):
        return {}
    return {k: str(debug[k]) for k in DEBUG_DATA_KEYS if debug.get(k) not in (None, "")}


def is_report_event(event: Mapping[str, Any]) -> bool:
    return event.get("eventType") == REPORT_EVENT_TYPE
