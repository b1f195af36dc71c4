"""SAR-07 (hook subscriptions valid) and SAR-08 (admins notified)."""

import pytest

from sarguard.controls.sar07_hook_events import host_allowed
from sarguard.model import REPORT_EVENT, REPORT_NOTIFICATION, UNKNOWN, RoleSubscription
from sarguard.systemlog.eventcatalog import all_types
from tests.controls.conftest import by_resource, good_state, hook, run


def _with_hooks(*hooks, source="declared"):
    state = good_state(source)
    state.event_hooks = list(hooks)
    return state


def _eligible(n):
    """``n`` hook-eligible names (Okta publishes fewer than 300, so they repeat)."""
    names = [t.name for t in all_types() if t.hook_eligible]
    return [names[i % len(names)] for i in range(n)]


def test_sar07_valid_hook_and_org_count_pass():
    findings = by_resource(run("SAR-07", good_state()))
    assert findings["eventHook/soc"].status == "pass"
    assert findings["org"].status == "pass"


def test_sar07_unknown_and_ineligible_event_types_fail():
    ineligible = next(t.name for t in all_types() if not t.hook_eligible)
    state = _with_hooks(hook(events=[REPORT_EVENT, "user.made.up_event", ineligible]))
    f = by_resource(run("SAR-07", state))["eventHook/soc"]
    assert f.status == "fail"
    assert "user.made.up_event" in f.message and ineligible in f.message


def test_sar07_300_events_pass_301_fail():
    events = _eligible(300)
    assert by_resource(run("SAR-07", _with_hooks(hook(events=events))))["eventHook/soc"].status == "pass"
    f = by_resource(run("SAR-07", _with_hooks(hook(events=_eligible(301)))))["eventHook/soc"]
    assert f.status == "fail" and "301" in f.message


def test_sar07_25_active_hooks_pass_26_fail():
    hooks = [hook(f"h{i}") for i in range(25)]
    assert by_resource(run("SAR-07", _with_hooks(*hooks)))["org"].status == "pass"
    hooks.append(hook("h25"))
    org = by_resource(run("SAR-07", _with_hooks(*hooks)))["org"]
    assert org.status == "fail" and "26" in org.message
    hooks[-1] = hook("h25", status="INACTIVE")  # inactive hooks do not count
    assert by_resource(run("SAR-07", _with_hooks(*hooks)))["org"].status == "pass"


def test_sar07_allowed_hosts():
    state = _with_hooks(hook("a", uri="https://soar.example.com/x"),
                        hook("b", uri="https://hooks.partner.net/x"))
    findings = by_resource(run("SAR-07", state, allowedHosts=["*.example.com"]))
    assert findings["eventHook/a"].status == "pass"
    assert findings["eventHook/b"].status == "fail" and "allowedHosts" in findings["eventHook/b"].message
    assert all(f.status == "pass" for f in run("SAR-07", state))  # default: any host


@pytest.mark.parametrize("host,allowed,ok", [
    ("soar.example.com", ["soar.example.com"], True),
    ("SOAR.example.com", ["soar.example.com"], True),
    ("evil-example.com", ["*.example.com"], False),
    ("example.com", ["*.example.com"], False),
    ("a.b.example.com", ["*.example.com"], True),
    ("soar.example.com.evil.io", ["soar.example.com"], False),
])
def test_host_allowed(host, allowed, ok):
    assert host_allowed(host, allowed) is ok


def test_sar07_unknown_events_not_evaluated():
    f = by_resource(run("SAR-07", _with_hooks(hook(events=UNKNOWN), source="pack")))["eventHook/soc"]
    assert f.status == "not_evaluated"


def _subs(*pairs):
    return [RoleSubscription(role=r, notification_type=t, urn=f"urn:test::{r}") for r, t in pairs]


def test_sar08_default_role_super_admin():
    [f] = run("SAR-08", good_state())
    assert (f.status, f.resource, f.urn) == (
        "pass", "roleSubscription/SUPER_ADMIN/REPORT_SUSPICIOUS_ACTIVITY", "urn:test::super-admin")


def test_sar08_missing_subscription_fails():
    state = good_state()
    state.role_subscriptions = _subs(("SUPER_ADMIN", "CONNECTOR_AGENT"))
    [f] = run("SAR-08", state)
    assert f.status == "fail" and "not subscribed" in f.message


def test_sar08_roles_option():
    state = good_state()
    findings = by_resource(run("SAR-08", state, roles=["SUPER_ADMIN", "ORG_ADMIN"]))
    assert findings["roleSubscription/ORG_ADMIN/REPORT_SUSPICIOUS_ACTIVITY"].status == "fail"
    state.role_subscriptions = _subs(("ORG_ADMIN", REPORT_NOTIFICATION))
    [f] = run("SAR-08", state, roles=["ORG_ADMIN"])
    assert f.status == "pass"


def test_sar08_app_admin_subscription_fails():
    state = good_state()
    state.role_subscriptions += _subs(("APP_ADMIN", REPORT_NOTIFICATION))
    findings = by_resource(run("SAR-08", state))
    bad = findings["roleSubscription/APP_ADMIN/REPORT_SUSPICIOUS_ACTIVITY"]
    assert bad.status == "fail" and bad.urn == "urn:test::APP_ADMIN"
    assert findings["roleSubscription/SUPER_ADMIN/REPORT_SUSPICIOUS_ACTIVITY"].status == "pass"


def test_sar08_live_unsubscribed_fails():
    state = good_state("live")
    state.role_subscriptions[0].status = "unsubscribed"
    [f] = run("SAR-08", state)
    assert f.status == "fail" and "unsubscribed" in f.message


def test_sar08_unknown_and_unread_are_not_evaluated():
    state = good_state("pack")
    state.role_subscriptions = [RoleSubscription(role=UNKNOWN, notification_type=REPORT_NOTIFICATION)]
    [f] = run("SAR-08", state)
    assert f.status == "not_evaluated"
    state = good_state("live")
    state.role_subscriptions = []
    state.unread["roleSubscriptions"] = "missing scope okta.roles.read"
    [f] = run("SAR-08", state)
    assert f.status == "not_evaluated" and "okta.roles.read" in f.message
