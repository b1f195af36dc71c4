"""Every finding names the check inside its control that judged (``rule``): a short, stable id
that baselines and diffs fingerprint, so two checks of one control never share an identity."""

from __future__ import annotations

import re

from sarguard.controls.runner import evaluate_catalog
from sarguard.model import LINK_TEMPLATES
from tests.controls.conftest import custom, good_state, hook

RULE = re.compile(r"^SAR-\d\d/[a-z][a-z0-9-]*$")


def test_every_finding_has_a_rule_of_its_control() -> None:
    for source in ("declared", "live"):
        for finding in evaluate_catalog(good_state(source)):
            assert RULE.match(finding.rule), finding
            assert finding.rule.startswith(finding.control + "/"), finding


def test_distinct_checks_of_one_control_have_distinct_rules() -> None:
    state = good_state()
    template = state.brands["default"].templates[LINK_TEMPLATES[0]]
    template.customizations.append(custom("de", body="<p>no link</p>", is_default=False))
    state.event_hooks = [hook(name=f"h{i}") for i in range(26)]  # over Okta's 25 ACTIVE hooks
    rules = {(f.control, f.resource): f.rule for f in evaluate_catalog(state)}
    de = f"brand/default/template/{LINK_TEMPLATES[0]}/customization/de"
    assert rules[("SAR-03", de)] == "SAR-03/report-link"
    assert rules[("SAR-09", de)] == "SAR-09/customization"
    assert rules[("SAR-09", f"brand/default/template/{LINK_TEMPLATES[0]}/settings")] == "SAR-09/template"
    assert rules[("SAR-07", "org")] == "SAR-07/active-limit"
    assert rules[("SAR-07", "eventHook/h0")] == "SAR-07/hook-events"
    assert rules[("SAR-01", "securityNotificationEmails")] == "SAR-01/main"


def test_no_hook_at_all_is_its_own_rule() -> None:
    state = good_state()
    state.event_hooks = []
    [finding] = [f for f in evaluate_catalog(state) if f.control == "SAR-05"]
    assert (finding.status, finding.rule) == ("fail", "SAR-05/hook-exists")
