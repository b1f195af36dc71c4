"""Role subscriptions and ThreatInsight drift."""

from __future__ import annotations

from sarguard.drift import compare_states
from sarguard.model import REPORT_NOTIFICATION, RoleSubscription
from tests.drift.builders import declared_state, live_state
from tests.drift.helpers import only_item

SUPER = f"roleSubscription/SUPER_ADMIN/{REPORT_NOTIFICATION}"
ORG = f"roleSubscription/ORG_ADMIN/{REPORT_NOTIFICATION}"


def test_declared_subscription_unsubscribed_live_is_changed_status():
    declared, live = declared_state(), live_state()
    live.role_subscriptions[0].status = "unsubscribed"
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == ("changed", SUPER, "status")
    assert (item.declared, item.live) == ("subscribed", "unsubscribed")


def test_declared_subscription_absent_live_is_missing():
    declared, live = declared_state(), live_state()
    live.role_subscriptions = [s for s in live.role_subscriptions if s.role != "ORG_ADMIN"]
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == ("missing", ORG, "roleSubscription")


def test_undeclared_live_report_subscription_is_unmanaged():
    declared, live = declared_state(), live_state()
    declared.role_subscriptions = declared.role_subscriptions[:1]
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.live) == ("unmanaged", ORG, "subscribed")


def test_undeclared_unsubscribed_or_other_type_is_not_drift():
    declared, live = declared_state(), live_state()
    declared.role_subscriptions = declared.role_subscriptions[:1]
    live.role_subscriptions[1].status = "unsubscribed"
    live.role_subscriptions.append(RoleSubscription("ORG_ADMIN", "OKTA_ISSUE"))
    assert compare_states(declared, live).items == []


def test_threat_insight_action_changed():
    declared, live = declared_state(), live_state()
    live.threat_insight.action = "audit"
    item = only_item(compare_states(declared, live))
    assert (item.resource, item.field, item.declared, item.live) == (
        "threatInsight",
        "action",
        "block",
        "audit",
    )


def test_threat_insight_exclude_zones_is_a_set():
    declared, live = declared_state(), live_state()
    live.threat_insight.exclude_zones = ["zone-b", "zone-a"]
    assert compare_states(declared, live).items == []
    live.threat_insight.exclude_zones = ["zone-c", "zone-a"]
    item = only_item(compare_states(declared, live))
    assert (item.field, item.declared, item.live) == (
        "excludeZones",
        ["zone-a", "zone-b"],
        ["zone-a", "zone-c"],
    )


def test_undeclared_threat_insight_is_not_compared():
    declared, live = declared_state(), live_state()
    declared.threat_insight = None
    live.threat_insight.action = "none"
    assert compare_states(declared, live).items == []
