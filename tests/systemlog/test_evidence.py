"""collect_system_log: few bounded queries, summaries of reports, failures and tampering."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sarguard.model import REPORT_EVENT, SECTION_SYSTEM_LOG, EventHook, OrgState
from sarguard.systemlog import eventcatalog
from sarguard.systemlog.evidence import (
    DELIVERY_EVENT,
    QUERIES,
    TAMPERING_FAMILIES,
    TAMPERING_TYPES,
    SystemLogEvidence,
    SystemLogUnavailable,
    attach_system_log,
    collect_system_log,
    evidence_or_reason,
)

from .fakes import FakeLog
from .logfactory import ADMIN, USER, at, event, hook_target, user_actor, user_target

SINCE, UNTIL = at(-60 * 24), at(60 * 24)
SOC = EventHook(name="soc-siem", id="who1", status="ACTIVE", events=[REPORT_EVENT])


def report(minutes: float, activity: str, *, camel: bool = True) -> dict:
    fields = {
        "suspicious_activity_event_type": activity,
        "suspicious_activity_event_ip": "198.51.100.9",
        "suspicious_activity_event_city": "Pune",
        "suspicious_activity_event_country": "India",
        "suspicious_activity_browser": "CHROME",
        "suspicious_activity_os": "Linux",
        "suspicious_activity_timestamp": "2026-03-02T07:30:00.000Z",
    }
    if camel:
        fields = {k.split("_")[0] + "".join(p.title() for p in k.split("_")[1:]): v
                  for k, v in fields.items()}
    return event(REPORT_EVENT, at(minutes), targets=[user_target(USER)], debug=fields)


def admin_change(event_type: str, minutes: float, target: dict, result: str = "SUCCESS") -> dict:
    return event(event_type, at(minutes), actor=user_actor(ADMIN, "eve@example.com", "Eve Admin"),
                 targets=[target], result=result)


def test_every_type_queried_exists_in_the_catalog() -> None:
    for types in QUERIES.values():
        for event_type in types:
            assert eventcatalog.lookup(event_type) is not None, event_type
    assert set(TAMPERING_TYPES) == {t for ts in TAMPERING_FAMILIES.values() for t in ts}
    assert REPORT_EVENT in QUERIES["reports"] and DELIVERY_EVENT in QUERIES["deliveryFailures"]


def test_queries_are_few_bounded_and_combined() -> None:
    log = FakeLog([])
    evidence = collect_system_log(log, since=SINCE, until=UNTIL, hooks=[SOC])
    assert len(log.calls) == 3  # reports, delivery failures, all tampering families
    for filter_, since, until in log.calls:
        assert (since, until) == (SINCE, UNTIL)
        assert filter_ and filter_.count("eventType eq") >= 1
    tampering_filter = log.calls[2][0]
    assert tampering_filter.count("eventType eq") == len(TAMPERING_TYPES)
    assert evidence.queries == [c[0] for c in log.calls]
    assert evidence.report_count == 0 and evidence.most_recent is None


def test_reports_are_summarised_from_debug_data() -> None:
    log = FakeLog([
        report(0, "user.authentication.verify"),
        report(30, "system.email.new_device_notification.sent_message", camel=False),
        report(10, "user.authentication.verify"),
        report(-60 * 48, "user.session.start"),  # outside the window
    ])
    evidence = collect_system_log(log, since=SINCE, until=UNTIL, hooks=[SOC])
    assert evidence.report_count == 3
    assert evidence.most_recent is not None and evidence.most_recent.when == at(30)
    assert evidence.top_activity_types == [
        ("user.authentication.verify", 2),
        ("system.email.new_device_notification.sent_message", 1),
    ]
    first = evidence.reports[0]
    assert (first.user_id, first.ip, first.location, first.browser, first.os) == (
        USER, "198.51.100.9", "Pune, India", "CHROME", "Linux")
    assert first.user == "ann@example.com (Ann User)"
    assert first.activity_time == at(-30)
    doc = evidence.to_dict()
    assert doc["reportCount"] == 3 and doc["topActivityTypes"][0]["count"] == 2


def test_delivery_failures_are_tied_to_hooks_by_target_id() -> None:
    system = {"id": "0oaSYSTEM", "type": "SystemPrincipal", "displayName": "Okta System"}
    log = FakeLog([
        event(DELIVERY_EVENT, at(5), actor=system, targets=[hook_target("who1", "renamed")],
              result="FAILURE", reason="Read timed out"),
        event(DELIVERY_EVENT, at(6), actor=system, targets=[hook_target("who9", "other")],
              result="FAILURE", reason="HTTP 500"),
    ])
    evidence = collect_system_log(log, since=SINCE, until=UNTIL, hooks=[SOC])
    assert [(f.hook_id, f.hook_name, f.reason) for f in evidence.delivery_failures] == [
        ("who1", "soc-siem", "Read timed out"), ("who9", "other", "HTTP 500")]
    assert [f.when for f in evidence.failures_for(SOC)] == [at(5)]


def test_tampering_lists_who_did_what_when() -> None:
    log = FakeLog([
        admin_change("event_hook.deactivated", 3, hook_target("who1", "soc-siem")),
        admin_change("iam.role.subscriptions.update", 1,
                     {"id": "SUPER_ADMIN", "type": "Role", "displayName": "Super Administrator"}),
        admin_change("system.log_stream.lifecycle.deactivate", 2,
                     {"id": "0lsX", "type": "LogStream", "displayName": "splunk"},
                     result="FAILURE"),
        event("user.session.start", at(4)),  # a lax fetcher's extra event is ignored
    ])
    log_events = log.events
    evidence = collect_system_log(lambda f, s, u: log_events, since=SINCE, until=UNTIL)
    assert [t.event_type for t in evidence.tampering] == [
        "iam.role.subscriptions.update", "system.log_stream.lifecycle.deactivate",
        "event_hook.deactivated"]
    hook_change = evidence.tampering[2]
    assert hook_change.who == "eve@example.com (Eve Admin)"
    assert hook_change.what == "event_hook.deactivated on soc-siem [who1]"
    assert hook_change.family == "event-hook" and hook_change.when == at(3)
    assert evidence.tampering[1].outcome == "FAILURE"


def test_window_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="since .* must be before until"):
        collect_system_log(FakeLog([]), since=UNTIL, until=SINCE)


def test_attach_records_unread_reason_instead_of_raising() -> None:
    state = OrgState(source="live", event_hooks=[SOC])
    attach_system_log(state, FakeLog([], error=SystemLogUnavailable(
        "missing OAuth scope okta.logs.read")), since=SINCE, until=UNTIL)
    assert state.system_log is None
    assert state.unread[SECTION_SYSTEM_LOG] == "missing OAuth scope okta.logs.read"

    state = OrgState(source="live")
    attach_system_log(state, FakeLog([], error=RuntimeError("HTTP 503\nbody")),
                      since=SINCE, until=UNTIL)
    assert state.unread[SECTION_SYSTEM_LOG] == "System Log could not be read (RuntimeError: HTTP 503)"
    _, reason = evidence_or_reason(state)
    assert reason and "okta.logs.read" in reason


def test_attach_success_and_evidence_or_reason() -> None:
    state = OrgState(source="live", event_hooks=[SOC])
    attach_system_log(state, FakeLog([report(0, "user.session.start")]), since=SINCE,
                      until=UNTIL)
    assert isinstance(state.system_log, SystemLogEvidence)
    assert SECTION_SYSTEM_LOG not in state.unread
    assert evidence_or_reason(state) == (state.system_log, None)
    empty = OrgState(source="live")
    assert evidence_or_reason(empty)[1] == (
        "System Log evidence was not collected (reading the System Log needs OAuth scope "
        "okta.logs.read)")


def test_window_is_passed_through() -> None:
    log = FakeLog([])
    collect_system_log(log, since=SINCE, until=SINCE + timedelta(hours=1))
    assert {c[2] - c[1] for c in log.calls} == {timedelta(hours=1)}
