"""The program under Pulumi's mocks: every resource and input for the demo stack, defaults, secrets."""

from __future__ import annotations

import pytest

from sarguard.controls.runner import evaluate_catalog
from sarguard.model import LINK_TEMPLATES
from sarguard.pulumi.declared import run_program
from sarguard.pulumi.mockengine import OFFLINE_DEFAULT_BRAND_ID, SECRET_SIG, is_secret_wrapper
from tests.conftest import REPO_ROOT

CHILD_PREFIX = "suspicious-activity-reporting-"
SECRET_CIPHERTEXT = "AAABAGsVa1pG0DdR5sD3mOx0F2qz1cG9C3YbLq0x3Zk5dWlrLXNlY3JldA=="


@pytest.fixture(scope="module")
def demo():
    return run_program("demo", REPO_ROOT)


def by_name(run):
    """Resources by their base name (children are named "<component>-<base>")."""
    return {r.name.removeprefix(CHILD_PREFIX): r for r in run.mock.resources}


def test_demo_declares_exactly_the_expected_resources(demo):
    names = sorted(by_name(demo))
    expected = sorted(
        ["security-notification-emails", "suspicious-activity-reports",
         "suspicious-activity-reports-verification", "super-admin-report-suspicious-activity",
         "org-admin-report-suspicious-activity", "threat-insight"]
        + [f"{b}-{t}-settings" for b in ("default", "bnd2emeaBrand00000002")
           for t in ("NewSignOnNotification", "AuthenticatorEnrolled", "AuthenticatorReset", "PasswordChanged")]
        + ["default-NewSignOnNotification-en", "default-NewSignOnNotification-fr", "default-PasswordChanged-en",
           "bnd2emeaBrand00000002-NewSignOnNotification-en", "bnd2emeaBrand00000002-NewSignOnNotification-de"]
    )
    assert names == expected


def test_all_five_switches_are_explicit(demo):
    inputs = by_name(demo)["security-notification-emails"].inputs
    assert inputs == {
        "sendEmailForNewDeviceEnabled": True, "sendEmailForFactorEnrollmentEnabled": True,
        "sendEmailForFactorResetEnabled": True, "sendEmailForPasswordChangedEnabled": True,
        "reportSuspiciousActivityEnabled": True,
    }


def test_customizations_and_template_settings(demo):
    resources = by_name(demo)
    fr = resources["default-NewSignOnNotification-fr"]
    assert fr.type == "okta:index/emailCustomization:EmailCustomization"
    assert fr.inputs["brandId"] == OFFLINE_DEFAULT_BRAND_ID
    assert fr.inputs["templateName"] == "NewSignOnNotification"
    assert fr.inputs["language"] == "fr"
    assert fr.inputs["isDefault"] is False
    assert fr.inputs["subject"] == "Nouvelle connexion à votre compte ${org.name}"
    body = (REPO_ROOT / "email-templates" / "NewSignOnNotification.fr.html").read_text("utf-8")
    assert fr.inputs["body"] == body
    en = resources["bnd2emeaBrand00000002-NewSignOnNotification-en"]
    assert en.inputs["brandId"] == "bnd2emeaBrand00000002" and en.inputs["isDefault"] is True
    settings = resources["bnd2emeaBrand00000002-PasswordChanged-settings"]
    assert settings.inputs == {"brandId": "bnd2emeaBrand00000002", "templateName": "PasswordChanged",
                               "recipients": "ALL_USERS"}


def test_hook_inputs_and_secret_auth(demo):
    hook = by_name(demo)["suspicious-activity-reports"]
    assert hook.inputs["name"] == "suspicious-activity-reports"
    assert hook.inputs["status"] == "ACTIVE"
    assert hook.inputs["events"] == ["user.account.report_suspicious_activity_by_enduser"]
    assert hook.inputs["channel"] == {"type": "HTTP", "version": "1.0.0",
                                      "uri": "https://soar.example.com/okta/events"}
    assert hook.inputs["headers"] == [{"key": "X-Source", "value": "okta"}]
    auth = hook.inputs["auth"]
    assert is_secret_wrapper(auth), "the hook's auth value must reach the engine as a Pulumi secret"
    assert auth["value"]["type"] == "HEADER" and auth["value"]["key"] == "Authorization"
    assert SECRET_CIPHERTEXT not in repr(demo.mock.resources)


def test_verification_points_at_the_hook_and_outputs(demo):
    resources = by_name(demo)
    verification = resources["suspicious-activity-reports-verification"]
    assert verification.inputs == {"eventHookId": resources["suspicious-activity-reports"].id}
    assert demo.outputs["eventHookId"] == resources["suspicious-activity-reports"].id
    assert demo.outputs["verificationStatus"] == "VERIFIED"
    assert demo.outputs["brandIds"] == {"default": OFFLINE_DEFAULT_BRAND_ID,
                                        "bnd2emeaBrand00000002": "bnd2emeaBrand00000002"}


def test_role_subscriptions_and_threat_insight(demo):
    resources = by_name(demo)
    assert resources["org-admin-report-suspicious-activity"].inputs == {
        "roleRef": "ORG_ADMIN", "notificationType": "REPORT_SUSPICIOUS_ACTIVITY"}
    assert resources["threat-insight"].inputs == {"action": "audit"}


def test_default_brand_resolved_through_get_brand(demo):
    assert ("okta:index/getBrand:getBrand", {"brandId": "default"}) in demo.mock.invokes


def test_urns_are_children_of_the_component(demo):
    urn = by_name(demo)["threat-insight"].urn
    assert urn == ("urn:pulumi:demo::sarguard::sarguard:index:SuspiciousActivityReporting"
                   "$okta:index/threatInsightSettings:ThreatInsightSettings::suspicious-activity-reporting-threat-insight")


def test_defaults_for_a_minimal_stack(make_project):
    project = make_project("""\
config:
  sarguard:settings:
    notifications: {factorReset: false}
    brands:
      - id: default
        templates:
          NewSignOnNotification: {}
""")
    run = run_program("test", project)
    resources = by_name(run)
    switches = resources["security-notification-emails"].inputs
    assert switches["sendEmailForFactorResetEnabled"] is False
    assert all(v is True for k, v in switches.items() if k != "sendEmailForFactorResetEnabled")
    assert resources["default-NewSignOnNotification-settings"].inputs["recipients"] == "ALL_USERS"
    # Every link-carrying template of every declared brand gets its settings, mentioned or not.
    settings = [f"default-{t}-settings" for t in LINK_TEMPLATES]
    assert sorted(resources) == sorted([*settings, "security-notification-emails"])
    assert {resources[n].inputs["recipients"] for n in settings} == {"ALL_USERS"}


def test_all_four_link_templates_declared_for_every_brand(make_project):
    project = make_project("""\
config:
  sarguard:settings:
    brands:
      - id: default
        templates:
          PasswordChanged: {recipients: NO_USERS}
      - id: bnd2
        templates:
          UserActivation: {}
""")
    run = run_program("test", project)
    resources = by_name(run)
    for brand in ("default", "bnd2"):
        for template in LINK_TEMPLATES:
            inputs = resources[f"{brand}-{template}-settings"].inputs
            assert inputs["templateName"] == template
            expected = "NO_USERS" if (brand, template) == ("default", "PasswordChanged") else "ALL_USERS"
            assert inputs["recipients"] == expected, (brand, template)
    assert "bnd2-UserActivation-settings" in resources  # a named non-link template stays
    # SAR-04 judges all eight, and the implied ones point at the brand's templates key.
    sar04 = [f for f in evaluate_catalog(run.state) if f.control == "SAR-04"]
    assert len(sar04) == 8
    implied = run.state.locations["brand/bnd2/template/NewSignOnNotification/settings"]
    assert implied.line == 8  # `templates:` of brands[1]


def test_non_default_languages_wait_for_the_default(make_project):
    project = make_project("""\
config:
  sarguard:settings:
    brands:
      - id: default
        templates:
          PasswordChanged:
            customizations:
              - {language: de, subject: s, body: "b"}
              - {language: en, isDefault: true, subject: s, body: "b"}
""")
    run = run_program("test", project)
    order = [r.name.removeprefix(CHILD_PREFIX) for r in run.mock.resources
             if "PasswordChanged-" in r.name and "settings" not in r.name]
    assert order == ["default-PasswordChanged-en", "default-PasswordChanged-de"]
    assert SECRET_SIG  # the mock engine's secret signature is the SDK's
