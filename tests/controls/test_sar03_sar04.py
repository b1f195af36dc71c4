"""SAR-03 (templates keep the report link) and SAR-04 (templates reach end users)."""

import pytest

from sarguard.model import UNKNOWN, Brand, Template
from tests.controls.conftest import by_resource, custom, good_state, run

KEY = "brand/default/template/NewSignOnNotification/customization/{}"


def _set_body(state, body, template="NewSignOnNotification", language="fr"):
    for c in state.brands["default"].templates[template].customizations:
        if c.language == language:
            c.body = body


def test_sar03_every_customization_is_checked_and_passes():
    findings = by_resource(run("SAR-03", good_state()))
    assert len(findings) == 8  # 4 templates x 2 languages
    assert {f.status for f in findings.values()} == {"pass"}
    assert findings[KEY.format("fr")].urn == "urn:test::custom-fr"


@pytest.mark.parametrize("body,phrase", [
    ("<p>no link at all</p>", "does not reference"),
    ("<a href='${request.reportSuspiciousActivityTokn}'>x</a>", "misspelled"),
    ("## <a href='${request.reportSuspiciousActivityToken}'>x</a>", "commented out"),
    ("#* <a href='${request.reportSuspiciousActivityToken}'>x</a> *#", "commented out"),
    ("\\${request.reportSuspiciousActivityToken}", "escaped"),
    ("", "no body"),
    (None, "no body"),
    # Velocity renders inside an HTML comment, but the email shows no button there.
    ("<!-- <a href='${request.reportSuspiciousActivityToken}'>x</a> -->", "inside an HTML comment"),
    ("<p>hi</p><!-- unterminated ${request.reportSuspiciousActivityToken}", "inside an HTML comment"),
])
def test_sar03_fails_one_language_of_one_template(body, phrase):
    state = good_state()
    _set_body(state, body)
    findings = by_resource(run("SAR-03", state))
    bad = findings[KEY.format("fr")]
    assert bad.status == "fail" and phrase in bad.message
    assert findings[KEY.format("en")].status == "pass"


@pytest.mark.parametrize("body", [
    "<!-- old button removed --><a href='${request.reportSuspiciousActivityToken}'>Report</a>",
    "<a href='${request.reportSuspiciousActivityToken}'>Report</a><!-- ${request.x} -->",
    # A Velocity comment that holds "<!--" does not open an HTML comment in the output.
    "#* <!-- *# <a href='${request.reportSuspiciousActivityToken}'>Report</a>",
])
def test_sar03_html_comments_elsewhere_do_not_hide_a_visible_link(body):
    state = good_state()
    _set_body(state, body)
    assert by_resource(run("SAR-03", state))[KEY.format("fr")].status == "pass"


def test_sar03_second_brand_is_checked_too():
    state = good_state()
    state.brands["bnd2"] = Brand(key="bnd2", id="bnd2", templates={
        "PasswordChanged": Template(name="PasswordChanged",
                                    customizations=[custom("de", body="<p>old template</p>")])})
    findings = by_resource(run("SAR-03", state))
    assert findings["brand/bnd2/template/PasswordChanged/customization/de"].status == "fail"


def test_sar03_other_templates_are_not_its_business():
    state = good_state()
    state.brands["default"].templates["UserActivation"] = Template(
        name="UserActivation", customizations=[custom("en", body="<p>welcome</p>")])
    assert all(f.status == "pass" for f in run("SAR-03", state))


def test_sar03_unknown_body_is_not_evaluated():
    state = good_state("pack")
    _set_body(state, UNKNOWN)
    assert by_resource(run("SAR-03", state))[KEY.format("fr")].status == "not_evaluated"


def test_sar03_no_customizations_passes_on_org():
    state = good_state()
    state.brands = {}
    [f] = run("SAR-03", state)
    assert (f.status, f.resource) == ("pass", "org")


def test_sar03_unread_brands_and_partial_reads_are_not_evaluated():
    state = good_state("live")
    state.unread["brands"] = "HTTP 403"
    [f] = run("SAR-03", state)
    assert (f.status, f.resource) == ("not_evaluated", "org")
    state = good_state("live")
    state.brands["default"].templates["PasswordChanged"].customization_count = 5
    findings = by_resource(run("SAR-03", state))
    assert findings["brand/default/template/PasswordChanged/settings"].status == "not_evaluated"


def test_sar04_passes_and_fails_per_brand_template():
    state = good_state()
    state.brands["default"].templates["AuthenticatorReset"].recipients = "ADMINS_ONLY"
    findings = by_resource(run("SAR-04", state))
    assert len(findings) == 4
    bad = findings["brand/default/template/AuthenticatorReset/settings"]
    assert bad.status == "fail" and "ADMINS_ONLY" in bad.message
    assert bad.urn == "urn:test::AuthenticatorReset"
    assert findings["brand/default/template/PasswordChanged/settings"].status == "pass"


def test_sar04_unknown_and_undeclared_recipients():
    state = good_state("pack")
    templates = state.brands["default"].templates
    templates["AuthenticatorReset"].recipients = UNKNOWN
    templates["PasswordChanged"].recipients = None  # declared without settings: not managed
    findings = by_resource(run("SAR-04", state))
    assert findings["brand/default/template/AuthenticatorReset/settings"].status == "not_evaluated"
    undeclared = findings["brand/default/template/PasswordChanged/settings"]
    assert undeclared.status == "not_applicable"


def test_sar04_live_missing_recipients_is_not_evaluated():
    state = good_state("live")
    state.brands["default"].templates["PasswordChanged"].recipients = None
    findings = by_resource(run("SAR-04", state))
    assert findings["brand/default/template/PasswordChanged/settings"].status == "not_evaluated"


def test_sar04_unread_template_settings():
    state = good_state("live")
    state.unread["brand/default/template/PasswordChanged/settings"] = "HTTP 500"
    findings = by_resource(run("SAR-04", state))
    f = findings["brand/default/template/PasswordChanged/settings"]
    assert f.status == "not_evaluated" and "HTTP 500" in f.message
