"""SAR-11 (report deliveries) and SAR-12 (tampering) on System Log evidence."""

from __future__ import annotations

import pytest

from sarguard.controls import sar11_report_deliveries as sar11
from sarguard.controls import sar12_no_tampering as sar12
from sarguard.controls.base import LIVE_ONLY
from sarguard.model import (
    REPORT_EVENT,
    SECTION_EVENT_HOOKS,
    SECTION_SYSTEM_LOG,
    EventHook,
    OrgState,
)
from sarguard.systemlog.evidence import DeliveryFailure, SystemLogEvidence, TamperingEvent

from .logfactory import ADMIN, at

SINCE, UNTIL = at(-60), at(60)


def hook(name: str, hook_id: str, status: str = "ACTIVE", events: list[str] | None = None):
    return EventHook(name=name, id=hook_id, status=status,
                     events=[REPORT_EVENT] if events is None else events)


def live(hooks: list[EventHook], evidence: SystemLogEvidence | None = None, **unread: str):
    state = OrgState(source="live", event_hooks=hooks,
                     system_log=evidence or SystemLogEvidence(SINCE, UNTIL))
    state.unread.update(unread)
    return state


def failure(hook_id: str, minutes: float, reason: str = "Read timed out") -> DeliveryFailure:
    return DeliveryFailure(hook_id, None, at(minutes), reason)


def test_metadata() -> None:
    assert (sar11.CONTROL.id, sar11.CONTROL.policy_name) == ("SAR-11", "sar-11-report-deliveries-succeed")
    assert (sar11.CONTROL.severity, sar11.CONTROL.default_level) == ("high", "mandatory")
    assert (sar12.CONTROL.id, sar12.CONTROL.policy_name) == ("SAR-12", "sar-12-no-tampering")
    assert (sar12.CONTROL.severity, sar12.CONTROL.default_level) == ("medium", "advisory")
    assert sar11.CONTROL.sources == LIVE_ONLY and sar12.CONTROL.sources == LIVE_ONLY
    assert sar12.CONTROL.default_options() == {"expectedActors": []}


# ---- SAR-11 -------------------------------------------------------------------------------

def test_sar11_pass_per_report_hook() -> None:
    state = live([hook("soc", "who1"), hook("backup", "who2"),
                  hook("off", "who3", status="INACTIVE"),
                  hook("audit", "who4", events=["user.session.start"])],
                 SystemLogEvidence(SINCE, UNTIL, delivery_failures=[failure("who3", 1),
                                                                     failure("who4", 2)]))
    findings = sar11.evaluate(state, {})
    assert [(f.status, f.resource) for f in findings] == [
        ("pass", "eventHook/soc"), ("pass", "eventHook/backup")]


def test_sar11_fail_names_count_time_and_reason() -> None:
    evidence = SystemLogEvidence(SINCE, UNTIL, delivery_failures=[
        failure("who1", 1, "HTTP 500"), failure("who1", 5, "Read timed out")])
    findings = sar11.evaluate(live([hook("soc", "who1"), hook("backup", "who2")], evidence), {})
    soc, backup = findings
    assert (soc.status, soc.resource) == ("fail", "eventHook/soc")
    assert "2 delivery failure(s)" in soc.message and "Read timed out" in soc.message
    assert at(5).strftime("%Y-%m-%dT%H:%M:%SZ") in soc.message
    assert soc.details["failureCount"] == 2 and len(soc.details["failures"]) == 2
    assert backup.status == "pass"


def test_sar11_not_evaluated_when_the_log_is_unread() -> None:
    state = live([hook("soc", "who1")], **{SECTION_SYSTEM_LOG: "HTTP 403 E0000006"})
    state.system_log = None
    [f] = sar11.evaluate(state, {})
    assert (f.status, f.resource) == ("not_evaluated", "org")
    assert "HTTP 403" in f.message and "okta.logs.read" in f.message


def test_sar11_not_evaluated_when_hooks_are_unread() -> None:
    state = live([], **{SECTION_EVENT_HOOKS: "missing OAuth scope okta.eventHooks.read"})
    [f] = sar11.evaluate(state, {})
    assert f.status == "not_evaluated" and "okta.eventHooks.read" in f.message


def test_sar11_not_applicable_without_a_report_hook_or_offline() -> None:
    [f] = sar11.evaluate(live([hook("off", "who3", status="INACTIVE")]), {})
    assert (f.status, f.resource) == ("not_applicable", "org") and "SAR-05" in f.message
    [f] = sar11.evaluate(OrgState(source="declared", event_hooks=[hook("soc", "who1")]), {})
    assert f.status == "not_applicable"


# ---- SAR-12 -------------------------------------------------------------------------------

def change(event_type: str, family: str, minutes: float, target_ids=("who1",),
           actor_id: str = ADMIN, login: str = "eve@example.com") -> TamperingEvent:
    return TamperingEvent(when=at(minutes), who=f"{login} (Eve Admin)", event_type=event_type,
                          family=family, target="soc [who1]", outcome="SUCCESS",
                          actor_id=actor_id, actor_login=login, target_ids=tuple(target_ids))


def test_sar12_pass_when_nothing_changed() -> None:
    [f] = sar12.evaluate(live([]), {})
    assert (f.status, f.resource) == ("pass", "org") and "event-hook" in f.message


def test_sar12_lists_each_change_with_when_who_what() -> None:
    evidence = SystemLogEvidence(SINCE, UNTIL, tampering=[
        change("event_hook.deactivated", "event-hook", 2),
        change("security.threat.configuration.update", "threat-protection", 3, target_ids=()),
        change("system.email.template.update", "email-template", 4, target_ids=("tpl",)),
    ])
    findings = sar12.evaluate(live([hook("soc", "who1")], evidence), {})
    assert [(f.status, f.resource) for f in findings] == [
        ("fail", "eventHook/soc"), ("fail", "threatInsight"), ("fail", "org")]
    first = findings[0]
    assert first.message.startswith(at(2).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert "eve@example.com (Eve Admin)" in first.message
    assert "event_hook.deactivated on soc [who1]" in first.message
    assert first.details["actorId"] == ADMIN and first.details["eventType"] == "event_hook.deactivated"


def test_sar12_expected_actors_pass() -> None:
    evidence = SystemLogEvidence(SINCE, UNTIL, tampering=[
        change("event_hook.updated", "event-hook", 1, actor_id="0oaDEPLOY", login="deploy-bot"),
        change("event_hook.updated", "event-hook", 2),
    ])
    findings = sar12.evaluate(live([], evidence), {"expectedActors": ["DEPLOY-bot"]})
    assert [f.status for f in findings] == ["pass", "fail"]
    findings = sar12.evaluate(live([], evidence), {"expectedActors": ["0oaDEPLOY"]})
    assert [f.status for f in findings] == ["pass", "fail"]


@pytest.mark.parametrize("control", [sar11, sar12])
def test_not_collected_is_not_evaluated(control) -> None:
    state = OrgState(source="live")
    [f] = control.evaluate(state, {})
    assert f.status == "not_evaluated" and "not collected" in f.message


def test_sar12_offline_is_not_applicable() -> None:
    [f] = sar12.evaluate(OrgState(source="pack"), {})
    assert f.status == "not_applicable"
