"""The emulator's own control endpoints, outside Okta's API space and behind the emulator's
token (``Authorization: SSWS <emu.token>``; seed tokens and OAuth tokens are refused):

* ``POST /__emulator/report-suspicious-activity`` — act out a user's report: write the activity,
  its notification email's send event and the report event, and deliver them to subscribed
  hooks (``reportedEvent`` is the event the report names, ``activityEvent`` the activity);
* ``GET /__emulator/deliveries[?hookId=&status=]`` — the delivery log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sarguard.emulator.api.context import ApiContext
from sarguard.emulator.api.users import find_user
from sarguard.emulator.errors import not_found, validation_failed
from sarguard.emulator.reported import REPORTABLE, ReportRequest, report_events
from sarguard.emulator.routing import Request, Response, Router

REPORT_PATH = "/__emulator/report-suspicious-activity"
DELIVERIES_PATH = "/__emulator/deliveries"
_TEXT_FIELDS = ("ip", "city", "state", "country", "browser", "os")
_FIELDS = ("userId", "reportedEventType", *_TEXT_FIELDS)
MAX_FIELD_LENGTH = 200


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_FIELD_LENGTH:
        raise validation_failed(key, f"{key}: expected a non-empty string of at most "
                                f"{MAX_FIELD_LENGTH} characters")
    return value


def parse_report_request(body: dict[str, Any], find: Callable[[str], Any]) -> ReportRequest:
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise validation_failed(unknown[0], f"unknown field(s) {', '.join(unknown)}; expected "
                                f"{', '.join(_FIELDS)}")
    user_ref = _text(body, "userId")
    if user_ref is None:
        raise validation_failed("userId", "userId: required (a user id or login)")
    user = find(user_ref)
    if user is None:
        raise not_found(f"{user_ref} (User)")
    event_type = _text(body, "reportedEventType") or "user.session.start"
    if event_type not in REPORTABLE:
        raise validation_failed("reportedEventType", "reportedEventType: expected one of "
                                + ", ".join(REPORTABLE))
    return ReportRequest(user, event_type, **{k: _text(body, k) for k in _TEXT_FIELDS})


def register(router: Router, ctx: ApiContext, deliveries: Any) -> None:
    store = ctx.store

    def report(req: Request) -> Response:
        request = parse_report_request(req.json_object(), lambda ref: find_user(store, ref))
        events = report_events(store, request, ctx.clock())
        queued = ctx.emit(*events)
        report = events[-1]
        named = report["debugContext"]["debugData"]["suspiciousActivityEventId"]
        return Response(200, {"reportEvent": report["uuid"], "reportedEvent": named,
                              "activityEvent": events[0]["uuid"], "deliveries": queued,
                              "events": events})

    def delivery_log(req: Request) -> Response:
        return Response(200, deliveries.log(hook_id=req.arg("hookId"), status=req.arg("status")))

    router.add("POST", REPORT_PATH, report, auth="emulator")
    router.add("GET", DELIVERIES_PATH, delivery_log, auth="emulator", locked=False)
