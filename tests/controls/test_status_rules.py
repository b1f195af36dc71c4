"""The three status rules, one test per control (issue "Statuses that send the right signal").

1. **Partly judged is judged**: where a mode sees only part of a rule, the finding has the status
   of the part it judged and a note naming the part it could not (never ``not_evaluated`` for a
   part no mode of that kind can see).
2. **No subject is not missing evidence**: a control whose subject does not exist is
   ``not_applicable``; the failure belongs to the control that requires the subject.
3. **``not_evaluated`` only for evidence that exists but could not be seen or known** (an unread
   family, a value unknown during preview).

Each test goes through the runner, as every mode does, so the runner's source rule
(``not_applicable`` for live-only controls offline) is covered too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sarguard.controls.catalog import get_control
from sarguard.controls.runner import run_control
from sarguard.model import UNKNOWN, OrgState
from sarguard.systemlog.evidence import SystemLogEvidence
from tests.controls.conftest import good_state, hook

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def verdicts(control_id: str, state: OrgState) -> dict[str, tuple[str, str]]:
    control = get_control(control_id)
    findings = run_control(control, state, control.default_options(), control.default_level)
    return {f.resource: (f.status, f.message) for f in findings}


def status(control_id: str, state: OrgState, resource: str = "org") -> str:
    return verdicts(control_id, state)[resource][0]


def _live_with_log() -> OrgState:
    state = good_state("live")
    state.system_log = SystemLogEvidence(since=NOW, until=NOW)
    return state


def test_sar01_unmanaged_switches_are_not_applicable_and_unread_ones_not_evaluated():
    for source in ("declared", "stack-export", "pack"):
        state = good_state(source)
        state.notifications = None  # the stack does not manage the switches
        assert status("SAR-01", state, "securityNotificationEmails") == "not_applicable"
    live = good_state("live")
    live.notifications = None
    live.unread["securityNotificationEmails"] = "OAuth-only: the internal endpoint needs SSWS"
    assert status("SAR-01", live, "securityNotificationEmails") == "not_evaluated"


def test_sar02_unmanaged_switches_are_not_applicable_and_unknown_ones_not_evaluated():
    state = good_state("declared")
    state.notifications = None
    assert status("SAR-02", state, "securityNotificationEmails") == "not_applicable"
    preview = good_state("pack")
    preview.notifications.values["sendEmailForNewDeviceEnabled"] = UNKNOWN
    assert status("SAR-02", preview, "securityNotificationEmails") == "not_evaluated"


def test_sar03_uncustomized_templates_are_judged_by_okta_s_stock_ones():
    """The subject (the link-carrying emails) always exists: stock templates carry the link."""
    state = good_state("declared")
    for template in state.brands["default"].templates.values():
        template.customizations = []
    assert status("SAR-03", state) == "pass"
    live = good_state("live")
    live.unread["brands"] = "503 after retries"
    assert status("SAR-03", live) == "not_evaluated"


def test_sar04_templates_without_declared_settings_are_not_applicable():
    state = good_state("declared")
    state.brands["default"].templates["PasswordChanged"].recipients = None
    found = verdicts("SAR-04", state)
    assert found["brand/default/template/PasswordChanged/settings"][0] == "not_applicable"
    assert found["brand/default/template/NewSignOnNotification/settings"][0] == "pass"
    empty = good_state("stack-export")
    empty.brands = {}
    assert status("SAR-04", empty) == "not_applicable"
    live = good_state("live")
    live.brands["default"].templates["PasswordChanged"].recipients = None  # Okta did not say
    assert verdicts("SAR-04", live)["brand/default/template/PasswordChanged/settings"][0] == \
        "not_evaluated"


def test_sar05_is_the_control_that_fails_when_there_is_no_report_hook():
    state = good_state("declared")
    state.event_hooks = []
    assert status("SAR-05", state) == "fail"


def test_sar06_without_a_hook_is_not_applicable_and_live_is_judged_on_what_okta_returns():
    state = good_state("declared")
    state.event_hooks = []
    status_, message = verdicts("SAR-06", state)["org"]
    assert status_ == "not_applicable" and "SAR-05" in message
    live = good_state("live")
    live.event_hooks = [hook(auth_value_set=None, auth_value_secret=None)]
    status_, message = verdicts("SAR-06", live)["eventHook/soc"]
    assert status_ == "pass"
    assert "authScheme type and key" in message and "never returns" in message
    pack = good_state("pack")  # the policy SDK unwraps secrets: it cannot see secretness
    pack.event_hooks = [hook(auth_value_secret=None)]
    status_, message = verdicts("SAR-06", pack)["eventHook/soc"]
    assert status_ == "pass" and "cannot show whether auth.value is a secret" in message


def test_sar07_with_no_hooks_still_judges_the_active_hook_limit():
    state = good_state("declared")
    state.event_hooks = []
    assert status("SAR-07", state) == "pass"
    live = good_state("live")
    live.unread["eventHooks"] = "403 missing scope okta.eventHooks.read"
    assert status("SAR-07", live) == "not_evaluated"


def test_sar08_an_unsubscribed_role_fails_and_unread_subscriptions_are_not_evaluated():
    state = good_state("declared")
    state.role_subscriptions = []
    assert status("SAR-08", state, "roleSubscription/SUPER_ADMIN/REPORT_SUSPICIOUS_ACTIVITY") == "fail"
    live = good_state("live")
    live.unread["roleSubscriptions"] = "503 after retries"
    assert status("SAR-08", live, "roleSubscription/SUPER_ADMIN/REPORT_SUSPICIOUS_ACTIVITY") == \
        "not_evaluated"


def test_sar09_without_customizations_is_not_applicable():
    state = good_state("declared")
    for template in state.brands["default"].templates.values():
        template.customizations = []
    status_, message = verdicts("SAR-09", state)["org"]
    assert status_ == "not_applicable" and "no email customization" in message


def test_sar10_unmanaged_threatinsight_is_not_applicable_and_unread_not_evaluated():
    state = good_state("declared")
    state.threat_insight = None
    assert status("SAR-10", state, "threatInsight") == "not_applicable"
    live = good_state("live")
    live.threat_insight = None
    live.unread["threatInsight"] = "403 missing scope okta.threatInsights.read"
    assert status("SAR-10", live, "threatInsight") == "not_evaluated"


def test_sar11_offline_and_without_a_report_hook_is_not_applicable():
    assert status("SAR-11", good_state("declared")) == "not_applicable"
    live = _live_with_log()
    live.event_hooks = []
    assert status("SAR-11", live) == "not_applicable"
    unread = good_state("live")
    unread.unread["systemLog"] = "403 missing scope okta.logs.read"
    assert status("SAR-11", unread) == "not_evaluated"


def test_sar12_offline_is_not_applicable_and_an_unread_log_not_evaluated():
    assert status("SAR-12", good_state("stack-export")) == "not_applicable"
    assert status("SAR-12", _live_with_log()) == "pass"
    unread = good_state("live")
    unread.unread["systemLog"] = "403 missing scope okta.logs.read"
    assert status("SAR-12", unread) == "not_evaluated"
