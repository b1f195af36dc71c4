"""Brands, email templates (with expand) and template settings; cursor pagination via Link."""

from __future__ import annotations

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
    r = api.put(url, json={"recipients": "ADMINS_ONLY"})
    assert r.status_code == 200 and r.json()["recipients"] == "ADMINS_ONLY"
    assert api.get(url).json()["recipients"] == "ADMINS_ONLY"
    # the other brand's template is untouched
    other = f"{TEMPLATES}/AuthenticatorReset/settings"
    assert api.get(other).json()["recipients"] == "ALL_USERS"
    assert api.put(url, json={"recipients": "EVERYONE"}).status_code == 422
    assert api.put(url, json={}).status_code == 400
    bad_json = api.put(url, content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["errorCode"] == "E0000003"
    assert api.get(url).json()["recipients"] == "ADMINS_ONLY"
