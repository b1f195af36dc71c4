"""Switches, template recipients and customizations."""

from __future__ import annotations

from sarguard.drift import compare_states
from sarguard.model import LINK_TEMPLATES, UNKNOWN, Brand, Customization, Template
from tests.drift.builders import (
    OTHER_BRAND,
    customization,
    declared_state,
    live_customization,
    live_state,
)
from tests.drift.helpers import only_item, triples

EN = "brand/default/template/NewSignOnNotification/customization/en"


def test_identical_states_have_no_drift():
    result = compare_states(declared_state(), live_state())
    assert result.items == [] and result.unread == []
    assert result.in_sync


def test_switch_off_live_is_changed():
    declared, live = declared_state(), live_state()
    live.notifications.values["reportSuspiciousActivityEnabled"] = False
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == (
        "changed",
        "securityNotificationEmails",
        "reportSuspiciousActivityEnabled",
    )
    assert (item.declared, item.live) == (True, False)


def test_defaulted_switch_compares_as_true():
    declared, live = declared_state(), live_state()
    assert declared.notifications.values["sendEmailForFactorResetEnabled"] is None
    live.notifications.values["sendEmailForFactorResetEnabled"] = False
    item = only_item(compare_states(declared, live))
    assert (item.field, item.declared, item.live) == ("sendEmailForFactorResetEnabled", True, False)


def test_declared_false_switch_live_true_is_changed():
    declared, live = declared_state(), live_state()
    declared.notifications.values["sendEmailForNewDeviceEnabled"] = False
    item = only_item(compare_states(declared, live))
    assert (item.declared, item.live) == (False, True)


def test_undeclared_notifications_are_not_compared():
    declared, live = declared_state(), live_state()
    declared.notifications = None
    live.notifications.values["reportSuspiciousActivityEnabled"] = False
    assert compare_states(declared, live).items == []


def test_recipients_changed():
    declared, live = declared_state(), live_state()
    live.brands[OTHER_BRAND].templates["PasswordChanged"].recipients = "ADMINS_ONLY"
    item = only_item(compare_states(declared, live))
    assert item.resource == f"brand/{OTHER_BRAND}/template/PasswordChanged/settings"
    assert (item.field, item.declared, item.live) == ("recipients", "ALL_USERS", "ADMINS_ONLY")


def test_recipients_of_undeclared_template_are_not_drift():
    declared, live = declared_state(), live_state()
    # The default brand's PasswordChanged settings are not declared (live: ADMINS_ONLY).
    assert live.brands["default"].templates["PasswordChanged"].recipients == "ADMINS_ONLY"
    assert compare_states(declared, live).items == []


def test_subject_and_is_default_changed():
    declared, live = declared_state(), live_state()
    live_customization(live, "NewSignOnNotification", "en").subject = "Other subject"
    live_customization(live, "NewSignOnNotification", "fr").is_default = True
    result = compare_states(declared, live)
    assert triples(result) == [
        ("changed", EN, "subject"),
        ("changed", EN.replace("/en", "/fr"), "isDefault"),
    ]
    assert result.items[0].live == "Other subject"
    assert (result.items[1].declared, result.items[1].live) == (False, True)


def test_subject_surrounding_whitespace_is_not_drift():
    declared, live = declared_state(), live_state()
    c = live_customization(live, "NewSignOnNotification", "en")
    c.subject = f"  {c.subject} "
    assert compare_states(declared, live).items == []


def test_declared_customization_absent_live_is_missing():
    declared, live = declared_state(), live_state()
    t = live.brands["default"].templates["NewSignOnNotification"]
    t.customizations = [c for c in t.customizations if c.language != "fr"]
    t.customization_count = 1
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.field) == ("missing", "customization")
    assert item.resource == EN.replace("/en", "/fr")
    assert item.declared["language"] == "fr" and item.live is None


def test_undeclared_language_of_link_template_is_unmanaged():
    declared, live = declared_state(), live_state()
    t = live.brands["default"].templates["NewSignOnNotification"]
    t.customizations.append(customization("de"))
    t.customization_count = 3
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == (
        "unmanaged",
        EN.replace("/en", "/de"),
        "customization",
    )
    assert item.live["language"] == "de" and item.declared is None


def test_customized_link_template_the_stack_does_not_declare_is_unmanaged():
    declared, live = declared_state(), live_state()
    live.brands[OTHER_BRAND].templates["AuthenticatorEnrolled"] = Template(
        name="AuthenticatorEnrolled", customizations=[customization("en", default=True)]
    )
    item = only_item(compare_states(declared, live))
    assert item.kind == "unmanaged"
    assert item.resource == f"brand/{OTHER_BRAND}/template/AuthenticatorEnrolled/customization/en"


def test_customization_of_non_link_template_is_not_drift():
    declared, live = declared_state(), live_state()
    live.brands["default"].templates["ForgotPassword"] = Template(
        name="ForgotPassword", customizations=[customization("en", default=True)]
    )
    assert compare_states(declared, live).items == []


def _stock_templates(**changes: Template) -> dict[str, Template]:
    templates = {n: Template(name=n, recipients="ALL_USERS", customization_count=0)
                 for n in LINK_TEMPLATES}
    templates.update(changes)
    return templates


def test_undeclared_brand_with_customized_link_template_is_unmanaged():
    declared, live = declared_state(), live_state()
    custom = Template(name="NewSignOnNotification", recipients="ALL_USERS", customization_count=1,
                      customizations=[customization("en", default=True)])
    live.brands["bndOther"] = Brand(key="bndOther", id="bndOther", name="EMEA",
                                    templates=_stock_templates(NewSignOnNotification=custom))
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == ("unmanaged", "brand/bndOther", "brand")
    assert item.live == {"id": "bndOther", "name": "EMEA",
                         "templates": {"NewSignOnNotification": {"customizations": 1}}}


def test_undeclared_brand_not_sent_to_all_users_is_unmanaged():
    declared, live = declared_state(), live_state()
    quiet = Template(name="PasswordChanged", recipients="NO_USERS", customization_count=0)
    live.brands["bndOther"] = Brand(key="bndOther", id="bndOther",
                                    templates=_stock_templates(PasswordChanged=quiet))
    item = only_item(compare_states(declared, live))
    assert item.live["templates"] == {"PasswordChanged": {"recipients": "NO_USERS"}}


def test_undeclared_stock_brand_is_not_drift():
    declared, live = declared_state(), live_state()
    live.brands["bndOther"] = Brand(key="bndOther", id="bndOther", templates=_stock_templates())
    assert compare_states(declared, live).items == []


def test_undeclared_brand_whose_templates_were_not_read_is_a_note_not_drift():
    declared, live = declared_state(), live_state()
    live.brands["bndOther"] = Brand(key="bndOther", id="bndOther", templates=_stock_templates())
    live.unread["brand/bndOther/template/PasswordChanged/settings"] = "503 after retries"
    result = compare_states(declared, live)
    assert result.items == []
    assert any("brand/bndOther" in n and "PasswordChanged" in n for n in result.notes)


def test_declared_brand_absent_live_is_missing():
    declared, live = declared_state(), live_state()
    del live.brands[OTHER_BRAND]
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == ("missing", f"brand/{OTHER_BRAND}", "brand")


def test_declared_template_absent_live_is_missing_settings():
    declared, live = declared_state(), live_state()
    declared.brands[OTHER_BRAND].templates["Typo"] = Template(name="Typo", recipients="ALL_USERS")
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == (
        "missing",
        f"brand/{OTHER_BRAND}/template/Typo/settings",
        "settings",
    )


def test_default_brand_declared_by_id_matches_live_default():
    declared, live = declared_state(), live_state()
    brand = declared.brands.pop("default")
    brand.key = "bnd0default"
    brand.is_default = False
    declared.brands["bnd0default"] = brand
    live_customization(live, "NewSignOnNotification", "en").subject = "x"
    item = only_item(compare_states(declared, live))
    assert item.resource == "brand/bnd0default/template/NewSignOnNotification/customization/en"
    assert item.field == "subject"


def test_unknown_declared_values_are_noted_not_compared():
    declared, live = declared_state(), live_state()
    dc = declared.brands["default"].templates["NewSignOnNotification"].customizations[0]
    dc.body = UNKNOWN
    live_customization(live, "NewSignOnNotification", "en").body = "something else"
    result = compare_states(declared, live)
    assert result.items == []
    assert any(n.startswith(EN) and "body is unknown" in n for n in result.notes)


def test_unknown_declared_language_is_noted_and_blocks_unmanaged_check():
    declared, live = declared_state(), live_state()
    declared.brands["default"].templates["NewSignOnNotification"].customizations.append(
        Customization(language=UNKNOWN, subject="s", body="b")
    )
    live.brands["default"].templates["NewSignOnNotification"].customizations.append(
        customization("de")
    )
    result = compare_states(declared, live)
    assert result.items == []
    assert any("language is unknown" in n for n in result.notes)
    assert any("unmanaged customizations not checked" in n for n in result.notes)
