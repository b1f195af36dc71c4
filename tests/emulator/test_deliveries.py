"""Event hook deliveries from the emulator to loopback receivers, against Okta's contract.

Source for every rule here: Okta's event hook concepts page (okta/okta-developer-docs,
``packages/@okta/vuepress-site/docs/concepts/event-hooks/index.md``): ``POST`` with
``Accept``/``Content-Type: application/json`` and the auth header; the envelope of the "Sample
Event Delivery Payload"; "Events that occur within a short time of each other will be
amalgamated" (batching); "a default timeout of 3 seconds. Okta will attempt at most one retry.
Responses with a 4xx status code are not retried."; only ACTIVE and VERIFIED hooks deliver. The
event catalog (``okta-event-types.csv``): ``event_hook.delivery`` "Triggered when an event hook
delivery fails".
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sarguard.emulator import Emulator
from sarguard.emulator.receiver import HookReceiver
from sarguard.eventhooks import parse_envelope
from tests.emulator.helpers import HOOK_ID, REPORT, FakeClock, client_for, oauth_client, small_seed

SECRET = "Bearer hook-secret-value-123"  # small_seed's hook auth value
ALICE = "00u1testAlice0000002"
REPORT_PATH = "/__emulator/report-suspicious-activity"


def _hook(hook_id: str, uri: str, events: list[str], **extra: Any) -> dict[str, Any]:
    return {"id": hook_id, "name": hook_id, "status": "ACTIVE", "verificationStatus": "VERIFIED",
            "channel": {"uri": uri, "headers": [{"key": "X-Source", "value": "okta"}],
                        "authScheme": {"type": "HEADER", "key": "Authorization",
                                       "value": SECRET}},
            "events": events, **extra}


@pytest.fixture
def receiver() -> Iterator[HookReceiver]:
    with HookReceiver(SECRET) as rx:
        yield rx


def _emulator(receiver: HookReceiver, *hooks: dict[str, Any]) -> Emulator:
    seed = small_seed()
    seed["users"].append({"id": ALICE, "login": "alice@example.com", "firstName": "Alice",
                          "lastName": "Nguyen"})
    seed["eventHooks"] = list(hooks) or [_hook(HOOK_ID, receiver.url, [REPORT])]
    return Emulator(seed=copy.deepcopy(seed), clock=FakeClock(), token="test-token-0001")


@pytest.fixture
def emu(receiver: HookReceiver) -> Iterator[Emulator]:
    with _emulator(receiver) as running:
        yield running
    assert running.errors == []


def _report(emu: Emulator, **body: Any) -> dict[str, Any]:
    with client_for(emu) as api:
        r = api.post(REPORT_PATH, json={"userId": ALICE, **body})
    assert r.status_code == 200, r.text
    return r.json()


def _log(emu: Emulator, event_type: str) -> list[dict[str, Any]]:
    with emu.state.lock:
        return [e for e in emu.state.logs if e["eventType"] == event_type]


def test_delivery_envelope_and_headers_follow_the_contract(emu: Emulator,
                                                           receiver: HookReceiver) -> None:
    answer = _report(emu)
    assert emu.wait_for_deliveries(timeout=30)
    [post] = receiver.posts()
    assert post.authenticated  # the hook's auth header, with its value
    assert post.headers["accept"] == "application/json"
    assert post.headers["content-type"] == "application/json"
    assert post.headers["x-source"] == "okta"  # the hook's custom header
    assert set(post.headers) <= {"accept", "content-type", "x-source", "host", "content-length",
                                 "accept-encoding"}
    body = json.loads(post.body)
    assert list(body) == ["eventType", "eventTypeVersion", "cloudEventsVersion", "contentType",
                          "eventId", "eventTime", "source", "data"]
    assert (body["eventType"], body["eventTypeVersion"], body["cloudEventsVersion"],
            body["contentType"]) == ("com.okta.event_hook", "1.0", "0.1", "application/json")
    assert body["source"] == f"{emu.url}/api/v1/eventHooks/{HOOK_ID}"
    envelope = parse_envelope(post.body)
    assert envelope.uuids == (answer["reportEvent"],)
    [logged] = [e for e in _log(emu, REPORT) if e["uuid"] == answer["reportEvent"]]
    assert envelope.events[0] == logged  # the System Log's event, unchanged
    [delivery] = emu.deliveries
    assert delivery["status"] == "delivered" and delivery["eventId"] == envelope.event_id
    assert [a["httpStatus"] for a in delivery["attempts"]] == [204]
    assert "hook-secret" not in json.dumps(emu.deliveries)


def test_events_written_together_are_batched(receiver: HookReceiver) -> None:
    both = _hook(HOOK_ID, receiver.url, ["user.session.start", REPORT])
    with _emulator(receiver, both) as emu:
        answer = _report(emu)
        assert emu.wait_for_deliveries(timeout=30)
    [post] = receiver.posts()
    # the activity and the report (the email's send event is not subscribed)
    assert parse_envelope(post.body).uuids == (answer["activityEvent"], answer["reportEvent"])


def test_only_active_verified_subscribed_hooks_get_deliveries(receiver: HookReceiver) -> None:
    hooks = [
        _hook("who1inactive00000001", receiver.url, [REPORT], status="INACTIVE"),
        _hook("who1unverified000002", receiver.url, [REPORT], verificationStatus="UNVERIFIED"),
        _hook("who1otherType0000003", receiver.url, ["user.lifecycle.suspend"]),
        _hook("who1subscribed000004", receiver.url, [REPORT]),
    ]
    with _emulator(receiver, *hooks) as emu:
        _report(emu)
        assert emu.wait_for_deliveries(timeout=30)
        assert [d["hookId"] for d in emu.deliveries] == ["who1subscribed000004"]
    assert [parse_envelope(p.body).hook_id for p in receiver.posts()] == ["who1subscribed000004"]


def test_user_lifecycle_events_are_delivered_too(receiver: HookReceiver) -> None:
    with _emulator(receiver, _hook(HOOK_ID, receiver.url, ["user.lifecycle.suspend"])) as emu:
        with client_for(emu) as api:
            assert api.post(f"/api/v1/users/{ALICE}/lifecycle/suspend").status_code == 200
        assert emu.wait_for_deliveries(timeout=30)
    [post] = receiver.posts()
    [event] = parse_envelope(post.body).events
    assert event["eventType"] == "user.lifecycle.suspend" and event["target"][0]["id"] == ALICE


def test_a_4xx_answer_is_not_retried_and_the_failure_is_logged(emu: Emulator,
                                                               receiver: HookReceiver) -> None:
    receiver.behaviour.status = 400
    _report(emu)
    assert emu.wait_for_deliveries(timeout=30)
    [delivery] = emu.deliveries
    assert delivery["status"] == "failed"
    assert [a["httpStatus"] for a in delivery["attempts"]] == [400]  # no retry
    assert len(receiver.posts()) == 1
    [failure] = _log(emu, "event_hook.delivery")
    assert failure["outcome"]["result"] == "FAILURE"
    assert "HTTP 400" in failure["outcome"]["reason"]
    assert failure["target"][0] == {"id": HOOK_ID, "type": "EventHook", "alternateId": HOOK_ID,
                                    "displayName": HOOK_ID}
    assert failure["debugContext"]["debugData"]["eventHookId"] == HOOK_ID


def test_a_5xx_answer_gets_exactly_one_retry(emu: Emulator, receiver: HookReceiver) -> None:
    receiver.behaviour.statuses = [503, 204]
    _report(emu)
    assert emu.wait_for_deliveries(timeout=30)
    assert [a["httpStatus"] for a in emu.deliveries[0]["attempts"]] == [503, 204]
    assert emu.deliveries[0]["status"] == "delivered" and _log(emu, "event_hook.delivery") == []
    receiver.behaviour.statuses = [500, 500, 204]
    _report(emu)
    assert emu.wait_for_deliveries(timeout=30)
    second = emu.deliveries[1]
    assert [a["httpStatus"] for a in second["attempts"]] == [500, 500]  # at most one retry
    assert second["status"] == "failed" and len(_log(emu, "event_hook.delivery")) == 1


def test_a_receiver_slower_than_3_seconds_gets_one_retry_then_a_failure_event(
        emu: Emulator, receiver: HookReceiver) -> None:
    """The real 3 s budget (the one slow test): a receiver that takes 4 s never counts."""
    receiver.behaviour.delay_s = 4.0
    assert emu.delivery_timeout == 3.0
    _report(emu)
    assert emu.wait_for_deliveries(timeout=60)
    [delivery] = emu.deliveries
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == 2
    for attempt in delivery["attempts"]:
        assert attempt["httpStatus"] is None and "3 s timeout" in attempt["reason"]
        assert attempt["durationMs"] >= 2900  # the budget was spent, not cut short
    [failure] = _log(emu, "event_hook.delivery")
    assert "timeout" in failure["outcome"]["reason"]


def test_a_hook_off_the_machine_is_a_failed_delivery_with_nothing_sent(
        receiver: HookReceiver) -> None:
    remote = _hook(HOOK_ID, "https://soar.example.com/hook", [REPORT])
    with _emulator(receiver, remote) as emu:
        _report(emu)
        assert emu.wait_for_deliveries(timeout=30)
        [delivery] = emu.deliveries
        failures = _log(emu, "event_hook.delivery")
    assert delivery["status"] == "failed" and delivery["attempts"] == []
    assert "only to loopback" in delivery["reason"] and "soar.example.com" in delivery["reason"]
    assert len(failures) == 1 and "loopback" in failures[0]["outcome"]["reason"]
    assert receiver.posts() == []


def test_deliveries_do_not_hold_up_the_api(emu: Emulator, receiver: HookReceiver) -> None:
    receiver.behaviour.delay_s = 60.0  # released when the receiver stops
    answer = _report(emu)
    with client_for(emu) as api:
        assert api.get("/api/v1/users/me").status_code == 200  # answered while delivering
        log = api.get("/__emulator/deliveries").json()
    assert [d["id"] for d in log] == answer["deliveries"]
    assert log[0]["status"] in ("queued", "delivering") and log[0]["finished"] is None


def test_the_report_points_at_the_reported_event(emu: Emulator) -> None:
    answer = _report(emu, ip="198.51.100.99", city="Oslo", country="Norway", browser="FIREFOX",
                     os="Linux", reportedEventType="user.mfa.factor.activate")
    events = {e["uuid"]: e for e in answer["events"]}
    report, reported = events[answer["reportEvent"]], events[answer["reportedEvent"]]
    debug = report["debugContext"]["debugData"]
    assert debug["suspiciousActivityEventId"] == reported["uuid"]
    assert debug["suspiciousActivityEventTransactionId"] == reported["transaction"]["id"]
    # the report names the notification email's send event, not the enrollment (issue 20 §12)
    assert debug["suspiciousActivityEventType"] == "system.email.mfa_enroll_notification.sent_message"
    assert reported["eventType"] == debug["suspiciousActivityEventType"]
    activity = events[answer["activityEvent"]]
    assert activity["eventType"] == "user.mfa.factor.activate"
    assert activity["transaction"]["id"] == reported["transaction"]["id"]
    assert debug["suspiciousActivityTimestamp"] == reported["published"] < report["published"]
    assert (debug["suspiciousActivityEventIp"], debug["suspiciousActivityEventCity"],
            debug["suspiciousActivityEventCountry"]) == ("198.51.100.99", "Oslo", "Norway")
    assert "suspiciousActivityEventLatitude" not in debug  # no coordinates for a named place
    assert reported["client"]["ipAddress"] == "198.51.100.99"
    assert report["actor"]["id"] == report["target"][0]["id"] == ALICE
    assert {e["uuid"] for e in _log(emu, REPORT)} >= {report["uuid"]}


@pytest.mark.parametrize(("body", "status", "fragment"), [
    ({}, 400, "userId"),
    ({"userId": "nobody@example.com"}, 404, "nobody@example.com"),
    ({"userId": ALICE, "reportedEventType": "user.session.end"}, 400, "reportedEventType"),
    ({"userId": ALICE, "colour": "red"}, 400, "colour"),
    ({"userId": ALICE, "ip": 5}, 400, "ip"),
])
def test_report_requests_are_validated(emu: Emulator, body: dict, status: int,
                                       fragment: str) -> None:
    with client_for(emu) as api:
        r = api.post(REPORT_PATH, json=body)
    assert r.status_code == status and fragment in r.text


def test_control_endpoints_take_only_the_emulator_token(emu: Emulator) -> None:
    with emu.state.lock:
        emu.state.tokens["another-seed-token"] = next(iter(emu.state.users))
    for auth in (None, "SSWS another-seed-token", "SSWS wrong"):
        with client_for(emu, auth=auth) as c:
            assert c.post(REPORT_PATH, json={"userId": ALICE}).status_code == 401
            assert c.get("/__emulator/deliveries").status_code == 401
    with client_for(emu, auth="SSWS another-seed-token") as c:  # an Okta API call still works
        assert c.get("/api/v1/users/me").status_code == 200
    with oauth_client(emu, ["okta.users.manage"]) as c:
        assert c.get("/__emulator/deliveries").status_code == 401


def test_delivery_log_filters(receiver: HookReceiver) -> None:
    hooks = [_hook("who1first00000000001", receiver.url, [REPORT]),
             _hook("who1second0000000002", "https://far.example.com/x", [REPORT])]
    with _emulator(receiver, *hooks) as emu:
        _report(emu)
        assert emu.wait_for_deliveries(timeout=30)
        with client_for(emu) as api:
            only = api.get("/__emulator/deliveries", params={"hookId": "who1second0000000002"})
            failed = api.get("/__emulator/deliveries", params={"status": "failed"})
    assert [d["hookId"] for d in only.json()] == ["who1second0000000002"]
    assert [d["hookId"] for d in failed.json()] == ["who1second0000000002"]


def test_verification_then_delivery_through_okta_api(receiver: HookReceiver) -> None:
    """The repair path the demo takes: point the hook at the endpoint, verify, activate."""
    unverified = _hook(HOOK_ID, "https://soar.example.com/hook", [REPORT], status="INACTIVE")
    with _emulator(receiver, unverified) as emu, client_for(emu) as api:
        hook = api.get(f"/api/v1/eventHooks/{HOOK_ID}").json()
        hook["channel"]["config"]["uri"] = receiver.url
        assert api.put(f"/api/v1/eventHooks/{HOOK_ID}", json=hook).json()[
            "verificationStatus"] == "UNVERIFIED"
        assert api.post(f"/api/v1/eventHooks/{HOOK_ID}/lifecycle/verify").status_code == 200
        assert api.post(f"/api/v1/eventHooks/{HOOK_ID}/lifecycle/activate").status_code == 200
        _report(emu)
        assert emu.wait_for_deliveries(timeout=30)
        assert emu.deliveries[0]["status"] == "delivered"
    assert [r.method for r in receiver.requests] == ["GET", "POST"]


def test_receiver_rejects_a_wrong_secret_with_401() -> None:
    with HookReceiver("right") as rx:
        with httpx.Client(trust_env=False) as c:
            assert c.post(rx.url, headers={"Authorization": "wrong"}, content=b"{}").status_code \
                == 401
            assert c.post(rx.url, headers={"Authorization": "right"}, content=b"{}").status_code \
                == 400  # authenticated, but not Okta's envelope
    assert not any(r.authenticated for r in rx.requests[:1])
