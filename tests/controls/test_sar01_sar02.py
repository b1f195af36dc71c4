"""SAR-01 (report switch) and SAR-02 (link-carrying email switches)."""

import pytest

from sarguard.model import UNKNOWN, NotificationSettings
from tests.controls.conftest import good_state, run

REPORT = "reportSuspiciousActivityEnabled"


def test_sar01_passes_when_on():
    [f] = run("SAR-01", good_state())
    assert (f.status, f.resource, f.urn) == ("pass", "securityNotificationEmails",
                                             "urn:test::notifications")


def test_sar01_fails_when_off():
    state = good_state()
    state.notifications.values[REPORT] = False
    [f] = run("SAR-01", state)
    assert f.status == "fail" and REPORT in f.message


def test_sar01_default_is_judged_and_said():
    state = good_state()
    state.notifications.defaulted.add(REPORT)
    [f] = run("SAR-01", state)
    assert f.status == "pass" and "default" in f.message


def test_sar01_unknown_is_not_evaluated():
    state = good_state("pack")
    state.notifications.values[REPORT] = UNKNOWN
    [f] = run("SAR-01", state)
    assert f.status == "not_evaluated" and "preview" in f.message


def test_sar01_unread_is_not_evaluated_with_reason():
    state = good_state("live")
    state.notifications = None
    state.unread["securityNotificationEmails"] = "OAuth has no scope for the internal endpoint"
    [f] = run("SAR-01", state)
    assert f.status == "not_evaluated" and "OAuth has no scope" in f.message


@pytest.mark.parametrize("source,status", [("declared", "not_applicable"), ("live", "not_evaluated")])
def test_sar01_missing_resource(source, status):
    state = good_state(source)
    state.notifications = None
    [f] = run("SAR-01", state)
    assert f.status == status


def test_sar02_passes_all_four():
    [f] = run("SAR-02", good_state())
    assert f.status == "pass"


def test_sar02_fails_naming_the_switch_that_is_off():
    state = good_state()
    state.notifications.values["sendEmailForFactorResetEnabled"] = False
    [f] = run("SAR-02", state)
    assert f.status == "fail" and "factorReset" in f.message and "newSignOn" not in f.details["off"]


def test_sar02_required_option_limits_what_is_judged():
    state = good_state()
    state.notifications.values["sendEmailForFactorResetEnabled"] = False
    [f] = run("SAR-02", state, required=["newSignOn"])
    assert f.status == "pass"


def test_sar02_defaults_are_judged_true_and_said():
    state = good_state()
    state.notifications = NotificationSettings(
        values={f: True for f in state.notifications.values},
        defaulted={"sendEmailForNewDeviceEnabled"})
    [f] = run("SAR-02", state)
    assert f.status == "pass" and "provider default" in f.message


def test_sar02_unknown_switch_is_not_evaluated_but_off_switch_still_fails():
    state = good_state("pack")
    state.notifications.values["sendEmailForNewDeviceEnabled"] = UNKNOWN
    [f] = run("SAR-02", state)
    assert f.status == "not_evaluated"
    state.notifications.values["sendEmailForPasswordChangedEnabled"] = False
    [f] = run("SAR-02", state)
    assert f.status == "fail"


def test_sar02_unread_section():
    state = good_state("live")
    state.notifications = None
    state.unread["securityNotificationEmails"] = "HTTP 401 E0000011"
    [f] = run("SAR-02", state)
    assert f.status == "not_evaluated" and "E0000011" in f.message
