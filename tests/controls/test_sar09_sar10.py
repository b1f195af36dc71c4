"""SAR-09 (customizations acceptable to Okta) and SAR-10 (ThreatInsight on, advisory)."""

import pytest

from sarguard.controls.catalog import get_control
from sarguard.controls.runner import evaluate_catalog
from sarguard.model import UNKNOWN, Brand, Template, ThreatInsight
from tests.controls.conftest import by_resource, custom, good_state, run

T_KEY = "brand/default/template/{}/settings"
C_KEY = "brand/default/template/{}/customization/{}"


def _only(template, *customs, source="declared"):
    state = good_state(source)
    state.brands = {"default": Brand(key="default", is_default=True, templates={
        template: Template(name=template, customizations=list(customs))})}
    return state


def test_sar09_good_state_passes_every_template_and_customization():
    findings = run("SAR-09", good_state())
    assert len(findings) == 4 + 8 and {f.status for f in findings} == {"pass"}


@pytest.mark.parametrize("template,body,missing", [
    ("NewSignOnNotification", "${request.browser} ${request.date} ${request.time} ${request.location}",
     "request.ipAddress"),
    ("NewSignOnNotification",
     "## ${request.ipAddress}\n${request.browser} ${request.date} ${request.time} ${request.location}",
     "request.ipAddress"),
    ("AuthenticatorEnrolled", "${request.factors}", "request.factor} or ${request.authenticator"),
    ("AuthenticatorReset", "${request.factor}", "request.factors} or ${request.authenticators"),
])
def test_sar09_required_variables(template, body, missing):
    """okta-developer-docs guides/custom-email "Use customizable email templates": the required
    validation fields are NewSignOnNotification ${request.browser}, ${request.date},
    ${request.time}, ${request.location}, ${request.ipAddress}; AuthenticatorEnrolled either
    ${request.factor} or ${request.authenticator}; AuthenticatorReset either ${request.factors}
    or ${request.authenticators} (Identity Engine)."""
    findings = by_resource(run("SAR-09", _only(template, custom("en", body=body))))
    f = findings[C_KEY.format(template, "en")]
    assert f.status == "fail" and missing in f.message


@pytest.mark.parametrize("template,body", [
    ("NewSignOnNotification",
     "$request.browser $!request.date ${request.time} $!{request.location} ${request.ipAddress}"),
    ("AuthenticatorEnrolled", "${request.authenticator.name}"),
    ("AuthenticatorEnrolled", "$request.factor"),
    ("AuthenticatorReset", "$!{request.authenticators}"),
    ("PasswordChanged", "<p>anything</p>"),
])
def test_sar09_required_variables_any_alternative_and_form(template, body):
    findings = by_resource(run("SAR-09", _only(template, custom("en", body=body))))
    assert findings[C_KEY.format(template, "en")].status == "pass"


def test_sar09_exactly_one_default():
    """Okta's OpenAPI spec, CustomTemplates: "If an email template has any customizations at all,
    exactly one of them must be the default"; a second default is 409 E0000182
    (ErrorEmailCustomizationDefaultAlreadyExists)."""
    t = "PasswordChanged"
    none = by_resource(run("SAR-09", _only(t, custom("en", is_default=False),
                                           custom("fr", is_default=None))))
    assert none[T_KEY.format(t)].status == "fail" and "no customization" in none[T_KEY.format(t)].message
    two = by_resource(run("SAR-09", _only(t, custom("en"), custom("fr"))))
    assert two[T_KEY.format(t)].status == "fail" and "2 customizations" in two[T_KEY.format(t)].message


def test_sar09_one_customization_per_language():
    """Okta's OpenAPI spec, CustomTemplates: "Each email template can have only one customization
    for each supported language" (409 E0000183, ErrorEmailCustomizationLanguageAlreadyExists)."""
    state = _only("PasswordChanged", custom("en"), custom("en", is_default=False))
    findings = evaluate_catalog(state, controls=[get_control("SAR-09")])
    f = by_resource(findings)[T_KEY.format("PasswordChanged")]
    assert f.status == "fail" and "language(s) en" in f.message


@pytest.mark.parametrize("language,ok", [("en", True), ("pt-BR", True), ("zh-TW", True),
                                          ("nl-NL", True), ("pt", False), ("klingon", False),
                                          ("EN", False)])
def test_sar09_supported_languages(language, ok):
    """Okta's OpenAPI spec, CustomTemplates: customizations take Okta's 27 default languages
    (guides/custom-email "Supported languages"); other BCP 47 tags only with the Early Access
    "Custom languages" feature, which sarguard does not assume."""
    f = by_resource(run("SAR-09", _only("PasswordChanged", custom(language))))[
        C_KEY.format("PasswordChanged", language)]
    assert (f.status == "pass") is ok


def test_sar09_subject_and_body_limits():
    """sarguard's own pre-flight bounds (the emulator enforces the same): Okta's published OpenAPI
    spec gives EmailContent.subject and .body no maxLength, so these are not cited Okta rules;
    they keep a customization well inside what the Admin Console accepts."""
    t = "PasswordChanged"
    assert by_resource(run("SAR-09", _only(t, custom(subject="s" * 128))))[
        C_KEY.format(t, "en")].status == "pass"
    f = by_resource(run("SAR-09", _only(t, custom(subject="s" * 129))))[C_KEY.format(t, "en")]
    assert f.status == "fail" and "129 characters" in f.message
    just_under = "x" * (64 * 1024 - 1)
    assert by_resource(run("SAR-09", _only(t, custom(body=just_under))))[
        C_KEY.format(t, "en")].status == "pass"
    f = by_resource(run("SAR-09", _only(t, custom(body="é" * (32 * 1024)))))[C_KEY.format(t, "en")]
    assert f.status == "fail" and "65536 bytes" in f.message  # bytes, not characters
    f = by_resource(run("SAR-09", _only(t, custom(subject=""))))[C_KEY.format(t, "en")]
    assert f.status == "fail" and "no subject" in f.message


def test_sar09_unknowns_are_not_evaluated():
    t = "PasswordChanged"
    findings = by_resource(run("SAR-09", _only(t, custom(body=UNKNOWN, is_default=UNKNOWN),
                                               source="pack")))
    assert findings[C_KEY.format(t, "en")].status == "not_evaluated"
    assert findings[T_KEY.format(t)].status == "not_evaluated"


def test_sar10_levels():
    state = good_state()
    assert run("SAR-10", state)[0].status == "pass"
    state.threat_insight = ThreatInsight(action="none", urn="urn:test::ti")
    [f] = run("SAR-10", state)
    assert (f.status, f.urn) == ("fail", "urn:test::ti")
    state.threat_insight.action = UNKNOWN
    assert run("SAR-10", state)[0].status == "not_evaluated"
    state.threat_insight = None  # the stack does not manage it: no subject, not a failure
    assert run("SAR-10", state)[0].status == "not_applicable"
    live = good_state("live")
    live.threat_insight = None
    live.unread["threatInsight"] = "missing scope okta.threatInsights.read"
    [f] = run("SAR-10", live)
    assert f.status == "not_evaluated" and "okta.threatInsights.read" in f.message


RECIPIENTS_SOURCE = ("okta-developer-docs PR #3325 (Brands API, email template settings): "
                     "NewSignOnNotification, PasswordChanged, AuthenticatorEnrolled and AuthenticatorReset "
                     "take only NO_USERS and ALL_USERS; Okta's OpenAPI spec: 422 E0000189")


@pytest.mark.parametrize("template", ["NewSignOnNotification", "PasswordChanged",
                                      "AuthenticatorEnrolled", "AuthenticatorReset"])
@pytest.mark.parametrize("source", ["declared", "stack-export", "pack"])
def test_sar09_fails_recipients_a_link_template_does_not_support(template, source):
    """A program or export not built from sarguard's settings may declare ADMINS_ONLY: Okta would
    answer 422 E0000189 at apply time. Source: see RECIPIENTS_SOURCE."""
    state = _only(template, source=source)
    state.brands["default"].templates[template].recipients = "ADMINS_ONLY"
    f = by_resource(run("SAR-09", state))[T_KEY.format(template)]
    assert f.status == "fail", RECIPIENTS_SOURCE
    assert "recipients ADMINS_ONLY is not supported" in f.message and "E0000189" in f.message
    assert "ALL_USERS or NO_USERS" in f.message


@pytest.mark.parametrize(("template", "value", "status"), [
    ("PasswordChanged", "NO_USERS", None), ("PasswordChanged", "ALL_USERS", None),
    ("ForgotPassword", "ADMINS_ONLY", None),
    ("ChangeEmailConfirmation", "ADMINS_ONLY", None), ("ChangeEmailConfirmation", "NO_USERS", "fail"),
    ("PasswordChanged", UNKNOWN, "not_evaluated"), ("ForgotPassword", UNKNOWN, None),
])
def test_sar09_recipients_okta_accepts(template, value, status):
    """Templates that take every value have nothing to check; ChangeEmailConfirmation takes
    ALL_USERS or ADMINS_ONLY (PR #3325); unknown during a preview is not_evaluated only where
    some value would be refused."""
    state = _only(template)
    state.brands["default"].templates[template].recipients = value
    findings = by_resource(run("SAR-09", state))
    if status is None:
        assert T_KEY.format(template) not in findings
    else:
        assert findings[T_KEY.format(template)].status == status


# ---- the engine option: Classic Engine asks more of the two authenticator templates ----------
# Okta's custom-email guide (okta/okta-developer-docs
# packages/@okta/vuepress-site/docs/guides/custom-email/main/index.md, "Use customizable email
# templates", column "Required validation fields";
# https://developer.okta.com/docs/guides/custom-email/main/#use-customizable-email-templates):
# AuthenticatorEnrolled ("MFA Factor Enrolled", Classic Engine) needs ${request.factor},
# ${request.date}, ${request.time} and ${request.location}; AuthenticatorReset ("MFA Factor
# Reset") needs ${request.factors} and the same three. Identity Engine needs only the factor or
# authenticator.

IDENTITY_ONLY = {"AuthenticatorEnrolled": "${request.authenticator}",
                 "AuthenticatorReset": "${request.factors}"}
WHEN_WHERE = " ${request.date} ${request.time} ${request.location}"


@pytest.mark.parametrize("template", ["AuthenticatorEnrolled", "AuthenticatorReset"])
def test_sar09_engine_defaults_to_identity(template):
    assert get_control("SAR-09").default_options() == {"engine": "identity"}
    state = _only(template, custom("en", body=IDENTITY_ONLY[template]))
    assert by_resource(run("SAR-09", state))[C_KEY.format(template, "en")].status == "pass"


@pytest.mark.parametrize(("template", "body", "missing"), [
    ("AuthenticatorEnrolled", "${request.factor}", "${request.date}, ${request.time}, "
                                                   "${request.location}"),
    ("AuthenticatorEnrolled", "${request.factor} ${request.date} ${request.time}",
     "${request.location}"),
    ("AuthenticatorEnrolled", "${request.authenticator}" + WHEN_WHERE, "${request.factor}"),
    ("AuthenticatorReset", "${request.factors} ${request.location}", "${request.date}, "
                                                                     "${request.time}"),
    ("AuthenticatorReset", "${request.authenticators}" + WHEN_WHERE, "${request.factors}"),
    ("AuthenticatorReset", "${request.factors} ## ${request.date}\n${request.time} "
                           "${request.location}", "${request.date}"),
])
def test_sar09_classic_engine_requires_date_time_and_location(template, body, missing):
    state = _only(template, custom("en", body=body))
    f = by_resource(run("SAR-09", state, engine="classic"))[C_KEY.format(template, "en")]
    assert f.status == "fail" and f"lacks required variable(s) {missing} " in f.message
    assert "Classic Engine" in f.message


@pytest.mark.parametrize(("template", "body"), [
    ("AuthenticatorEnrolled", "$request.factor.name" + WHEN_WHERE),
    ("AuthenticatorReset", "$!{request.factors}" + WHEN_WHERE),
    ("PasswordChanged", "<p>nothing required</p>"),
    ("NewSignOnNotification", "${request.browser} ${request.ipAddress}" + WHEN_WHERE),
])
def test_sar09_classic_engine_passes_complete_bodies(template, body):
    state = _only(template, custom("en", body=body))
    f = by_resource(run("SAR-09", state, engine="classic"))[C_KEY.format(template, "en")]
    assert f.status == "pass", f.message


def test_sar09_engine_is_a_policy_option_checked_like_the_others(tmp_path):
    from sarguard.verdicts.policy_config import PolicyConfig, PolicyConfigError

    config = PolicyConfig.from_mapping({"sar-09-templates-acceptable": {"engine": "classic"}})
    assert config.options_for(get_control("SAR-09")) == {"engine": "classic"}
    with pytest.raises(PolicyConfigError, match='engine: expected one of "identity", "classic"'):
        PolicyConfig.from_mapping({"SAR-09": {"engine": "Classic"}})
