"""Brands, email templates (with expand) and template settings; cursor pagination via Link."""

from __future__ import annotations

import pytest

from sarguard.emulator.state import TEMPLATE_NAMES
from tests.emulator.helpers import BRAND_ID, OTHER_BRAND_ID, follow

TEMPLATES = f"/api/v1/brands/{BRAND_ID}/templates/email"


def test_brands_page_by_link_until_none(api) -> None:
    first = api.get("/api/v1/brands", params={"limit": 1})
    assert first.status_code == 200 and len(first.json()) == 1
    assert "next" in first.links and "self" in first.links
    brands = follow(api, "/api/v1/brands", limit=1)
    assert [b["id"] for b in brands] == [BRAND_ID, OTHER_BRAND_ID]
    assert [b["isDefault"] for b in brands] == [True, False]


def test_brand_by_id_and_404(api) -> None:
    brand = api.get(f"/api/v1/brands/{OTHER_BRAND_ID}").json()
    assert brand["name"] == "Other" and brand["isDefault"] is False
    r = api.get("/api/v1/brands/bndNope")
    assert r.status_code == 404 and r.json()["errorCode"] == "E0000007"


def test_invalid_limit_and_cursor_are_400(api) -> None:
    assert api.get("/api/v1/brands", params={"limit": "ten"}).status_code == 400
    assert api.get("/api/v1/brands", params={"limit": 0}).status_code == 400
    assert api.get("/api/v1/brands", params={"after": "not-a-cursor"}).status_code == 400


def test_templates_default_page_is_20_and_links_reach_every_template(api) -> None:
    first = api.get(TEMPLATES)
    assert len(first.json()) == 20 and "next" in first.links
    names = [t["name"] for t in follow(api, TEMPLATES)]
    assert names == sorted(TEMPLATE_NAMES)
    assert len(follow(api, TEMPLATES, limit=200)) == len(TEMPLATE_NAMES)


def test_template_list_expands_settings_and_count(api) -> None:
    items = follow(api, TEMPLATES, expand="settings,customizationCount", limit=200)
    by_name = {t["name"]: t for t in items}
    assert by_name["NewSignOnNotification"]["_embedded"]["customizationCount"] == 1
    assert by_name["PasswordChanged"]["_embedded"]["customizationCount"] == 0
    assert by_name["PasswordChanged"]["_embedded"]["settings"]["recipients"] == "ALL_USERS"
    plain = api.get(TEMPLATES, params={"limit": 200}).json()
    assert all("_embedded" not in t for t in plain)


def test_template_get_and_unknown_template(api) -> None:
    assert api.get(f"{TEMPLATES}/PasswordChanged").json()["name"] == "PasswordChanged"
    assert api.get(f"{TEMPLATES}/NoSuchTemplate").status_code == 404
    assert api.get("/api/v1/brands/bndNope/templates/email").status_code == 404


def test_settings_round_trip_and_validation(api) -> None:
    url = f"/api/v1/brands/{OTHER_BRAND_ID}/templates/email/AuthenticatorReset/settings"
    assert api.get(url).json()["recipients"] == "ALL_USERS"
    r = api.put(url, json={"recipients": "NO_USERS"})
    assert r.status_code == 200 and r.json()["recipients"] == "NO_USERS"
    assert api.get(url).json()["recipients"] == "NO_USERS"
    # the other brand's template is untouched
    other = f"{TEMPLATES}/AuthenticatorReset/settings"
    assert api.get(other).json()["recipients"] == "ALL_USERS"
    assert api.put(url, json={"recipients": "EVERYONE"}).status_code == 422
    assert api.put(url, json={}).status_code == 400
    bad_json = api.put(url, content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["errorCode"] == "E0000003"
    assert api.get(url).json()["recipients"] == "NO_USERS"
    forgot = f"/api/v1/brands/{OTHER_BRAND_ID}/templates/email/ForgotPassword/settings"
    assert api.put(forgot, json={"recipients": "ADMINS_ONLY"}).json()["recipients"] == "ADMINS_ONLY"


@pytest.mark.parametrize(("template", "value"), [
    ("NewSignOnNotification", "ADMINS_ONLY"), ("PasswordChanged", "ADMINS_ONLY"),
    ("AuthenticatorEnrolled", "ADMINS_ONLY"), ("AuthenticatorReset", "ADMINS_ONLY"),
    ("ChangeEmailConfirmation", "NO_USERS"),
])
def test_unsupported_recipients_are_422_e0000189(api, template, value) -> None:
    """Okta's OpenAPI spec: PUT .../settings answers 422 with ErrorInvalidEmailTemplateRecipients
    (E0000189 "This template does not support the recipients value."); which values each template
    takes: okta-developer-docs PR #3325 (NO_USERS/ALL_USERS for NewSignOnNotification,
    PasswordChanged, AuthenticatorEnrolled, AuthenticatorReset; ALL_USERS/ADMINS_ONLY for
    ChangeEmailConfirmation)."""
    url = f"{TEMPLATES}/{template}/settings"
    r = api.put(url, json={"recipients": value})
    assert r.status_code == 422
    body = r.json()
    assert body["errorCode"] == "E0000189" and body["errorLink"] == "E0000189"
    assert body["errorSummary"] == "This template does not support the recipients value."
    assert body["errorCauses"] == [] and body["errorId"].startswith("oae")
    assert api.get(url).json()["recipients"] == "ALL_USERS"  # unchanged
