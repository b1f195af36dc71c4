"""The event hook wire format: envelope, headers, retry rule, verification, report and drill events.

Sources: Okta's event hook concepts page (okta/okta-developer-docs,
``packages/@okta/vuepress-site/docs/concepts/event-hooks/index.md``: sample payload, headers,
"Timeout and Retry"), and real report events published by detection projects
(panther-labs/panther-analysis ``rules/okta_rules/okta_user_reported_suspicious_activity.yml``,
opencybersecurityalliance/stix-shifter ``stix_shifter_modules/okta/README.md``).
"""

from __future__ import annotations

import json
import re

import pytest

from sarguard import eventhooks as eh

# The keys of Okta's "Sample Event Delivery Payload" (concepts/event-hooks/index.md).
OKTA_SAMPLE_ENVELOPE_KEYS = {"eventType", "eventTypeVersion", "cloudEventsVersion", "contentType",
                             "eventId", "eventTime", "source", "data"}
# The suspiciousActivity* keys both published report samples carry (Panther's and stix-shifter's).
SAMPLE_REPORT_KEYS = {
    "suspiciousActivityBrowser", "suspiciousActivityEventCity", "suspiciousActivityEventCountry",
    "suspiciousActivityEventId", "suspiciousActivityEventIp", "suspiciousActivityEventLatitude",
    "suspiciousActivityEventLongitude", "suspiciousActivityEventState",
    "suspiciousActivityEventTransactionId", "suspiciousActivityEventType", "suspiciousActivityOs",
    "suspiciousActivityTimestamp",
}
OKTA_USER_ID = re.compile(r"^00u[A-Za-z0-9]{17}$")

ALICE = eh.Principal(id="00u1alice0000demo002", alternate_id="alice@example.com",
                     display_name="Alice Nguyen")
HOME = eh.ClientContext(ip="192.0.2.10", city="Paris", state="Ile-de-France", country="France",
                        latitude=48.8686, longitude=2.3411, browser="FIREFOX", os="Linux")
ODD = eh.ClientContext(ip="203.0.113.45", city="Lagos", state="Lagos", country="Nigeria",
                       latitude=6.4541, longitude=3.3947, browser="CHROME", os="Windows 10")


def _report() -> dict:
    activity = eh.ReportedActivity(event_type="user.session.start", event_id="evt-signon-1",
                                   transaction_id="txn-signon-1",
                                   timestamp="2024-05-01T10:00:00.000Z", client=ODD)
    return eh.build_report_event(uuid="evt-report-1", published="2024-05-01T10:30:00.000Z",
                                 user=ALICE, reporter=HOME, activity=activity,
                                 request_id="req-report-1", session_id="trs1", report_token="t0k")


def _envelope(events: list[dict]) -> dict:
    return eh.build_envelope(events, org_url="https://acme.okta.com/", hook_id="who1hook",
                             event_id="b5a188b9-5ece-4636-b041-482ffda96311",
                             event_time="2024-05-01T10:30:01.000Z")


def test_envelope_has_exactly_okta_sample_keys_and_values() -> None:
    body = _envelope([_report()])
    assert set(body) == OKTA_SAMPLE_ENVELOPE_KEYS
    assert body["eventType"] == "com.okta.event_hook"
    assert (body["eventTypeVersion"], body["cloudEventsVersion"]) == ("1.0", "0.1")
    assert body["contentType"] == "application/json"
    assert body["source"] == "https://acme.okta.com/api/v1/eventHooks/who1hook"
    assert [e["uuid"] for e in body["data"]["events"]] == ["evt-report-1"]


def test_envelope_round_trips_and_exposes_hook_and_dedupe_keys() -> None:
    two = [_report(), {**_report(), "uuid": "evt-report-2"}]
    parsed = eh.parse_envelope(json.dumps(_envelope(two)).encode())
    assert parsed.hook_id == "who1hook"
    assert parsed.uuids == ("evt-report-1", "evt-report-2")  # batched: two events, one delivery
    assert parsed.event_time == "2024-05-01T10:30:01.000Z"


def _broken(change) -> dict:
    body = _envelope([_report()])
    change(body)
    return body


@pytest.mark.parametrize(("body", "fragment"), [
    (b"not json", "not JSON"),
    (b"[]", "not a JSON object"),
    (_broken(lambda b: b.update(eventType="com.okta.other")), "eventType"),
    (_broken(lambda b: b.pop("eventId")), "eventId"),
    (_broken(lambda b: b.update(eventTime="yesterday")), "eventTime"),
    (_broken(lambda b: b.update(contentType="text/plain")), "contentType"),
    (_broken(lambda b: b["data"].update(events=[])), "data.events"),
    (_broken(lambda b: b.update(data=None)), "data.events"),
    (_broken(lambda b: b["data"]["events"].append("x")), "data.events[1]"),
    (_broken(lambda b: b["data"]["events"][0].pop("uuid")), "data.events[0].uuid"),
])
def test_parse_envelope_names_the_problem(body, fragment: str) -> None:
    with pytest.raises(eh.EnvelopeError, match=re.escape(fragment)):
        eh.parse_envelope(body if isinstance(body, bytes) else json.dumps(body))


def test_parse_envelope_bounds_the_batch() -> None:
    many = [{**_report(), "uuid": f"e{i}"} for i in range(1001)]
    with pytest.raises(eh.EnvelopeError, match="more than 1000"):
        eh.parse_envelope(_envelope(many))


def test_delivery_headers_are_okta_json_headers_custom_headers_then_auth() -> None:
    """Okta sends ``Accept``/``Content-Type: application/json`` and the auth header (concepts
    page, "HTTP Headers"); a custom header never replaces the auth header."""
    headers = eh.delivery_headers([{"key": "X-Source", "value": "okta"},
                                   {"key": "Authorization", "value": "spoofed"}],
                                  "Authorization", "Bearer s3cret")
    assert headers == {"Accept": "application/json", "Content-Type": "application/json",
                       "X-Source": "okta", "Authorization": "Bearer s3cret"}
    assert eh.delivery_headers({}, None, None) == {"Accept": "application/json",
                                                   "Content-Type": "application/json"}


@pytest.mark.parametrize(("status", "retry"), [
    (None, True), (500, True), (503, True), (302, True),
    (400, False), (401, False), (404, False), (429, False), (200, False), (204, False),
])
def test_retry_rule(status: int | None, retry: bool) -> None:
    """"Okta will attempt at most one retry. Responses with a 4xx status code are not retried."""
    assert eh.is_retryable(status) is retry
    assert (eh.TIMEOUT_S, eh.MAX_ATTEMPTS) == (3.0, 2)


def test_verification_answer_and_its_check() -> None:
    challenge = eh.new_challenge()
    assert eh.new_challenge() != challenge
    good = json.dumps(eh.verification_answer(challenge)).encode()
    assert eh.check_verification_answer(200, good, challenge) is None
    assert "HTTP 204" in eh.check_verification_answer(204, good, challenge)
    assert "not JSON" in eh.check_verification_answer(200, b"<html>", challenge)
    assert "no \"verification\"" in eh.check_verification_answer(200, b"{}", challenge)
    assert "did not echo" in eh.check_verification_answer(
        200, json.dumps({"verification": "other"}).encode(), challenge)
    assert eh.VERIFICATION_HEADER == "X-Okta-Verification-Challenge"


def test_report_event_has_the_shape_of_real_report_events() -> None:
    event = _report()
    assert event["eventType"] == "user.account.report_suspicious_activity_by_enduser"
    assert event["severity"] == "WARN"
    assert event["displayMessage"] == "User report suspicious activity"
    assert event["legacyEventType"] == "core.user.account.report_suspicious_activity_by_enduser"
    assert event["actor"]["id"] == event["target"][0]["id"] == ALICE.id  # the reporter, both
    assert event["actor"]["type"] == event["target"][0]["type"] == "User"
    assert event["transaction"] == {"type": "WEB", "id": "req-report-1", "detail": {}}
    debug = event["debugContext"]["debugData"]
    assert debug["requestUri"] == "/api/internal/users/me/report-suspicious-activity"
    assert debug["url"].endswith("?i=t0k")
    reported = {k: v for k, v in debug.items() if k.startswith("suspiciousActivity")}
    assert set(reported) == SAMPLE_REPORT_KEYS
    assert all(isinstance(v, str) for v in reported.values())  # latitude "6.4541", as Okta sends
    assert reported["suspiciousActivityEventLatitude"] == "6.4541"
    assert reported["suspiciousActivityEventIp"] == "203.0.113.45"
    assert reported["suspiciousActivityEventId"] == "evt-signon-1"
    assert eh.reported_fields(event) == reported
    assert event["client"]["ipAddress"] == "192.0.2.10"  # the reporter's own device


def test_unknown_reported_values_are_left_out_not_null() -> None:
    bare = eh.ReportedActivity("user.session.start", "e1", "t1", "2024-05-01T10:00:00.000Z",
                               eh.ClientContext(ip="203.0.113.9"))
    event = eh.build_report_event(uuid="r1", published="2024-05-01T10:30:00.000Z", user=ALICE,
                                  reporter=HOME, activity=bare, request_id="q1")
    debug = event["debugContext"]["debugData"]
    assert "suspiciousActivityEventCity" not in debug
    assert "suspiciousActivityEventLatitude" not in debug
    assert debug["url"] == debug["requestUri"]


def test_drill_event_is_marked_three_ways_and_each_mark_counts() -> None:
    drill = eh.build_drill_event(uuid="d1", published="2024-05-01T10:30:00.000Z", request_id="q")
    debug = drill["debugContext"]["debugData"]
    assert debug["sarguardDrill"] == "true"
    assert "drill" in drill["displayMessage"].lower()
    assert drill["actor"]["id"] == eh.DRILL_ACTOR_ID
    assert not OKTA_USER_ID.match(eh.DRILL_ACTOR_ID)  # cannot be a real user id
    assert drill["actor"]["alternateId"].endswith(".invalid")
    assert eh.is_drill(drill)
    assert eh.is_report_event(drill)  # processed as a report, recognisably a drill
    real = _report()
    assert not eh.is_drill(real)
    only_flag = json.loads(json.dumps(real))
    only_flag["debugContext"]["debugData"]["sarguardDrill"] = "true"
    only_actor = {**real, "actor": {**real["actor"], "id": eh.DRILL_ACTOR_ID}}
    only_message = {**real, "displayMessage": eh.DRILL_DISPLAY_MESSAGE}
    assert eh.is_drill(only_flag) and eh.is_drill(only_actor) and eh.is_drill(only_message)
    assert not eh.is_drill({"debugContext": "junk", "actor": None, "displayMessage": 5})


def test_okta_time_format() -> None:
    from datetime import UTC, datetime

    assert eh.okta_time(0) == "1970-01-01T00:00:00.000Z"
    assert eh.okta_time(datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)) \
        == "2024-05-01T12:00:00.123Z"
    assert eh.parse_okta_time("2024-05-01T12:00:00Z") == datetime(2024, 5, 1, 12, tzinfo=UTC)
