"""Role subscriptions, ThreatInsight, and the internal notification switches (SSWS only)."""

from __future__ import annotations

from sarguard.emulator import Emulator
from tests.emulator.helpers import BRAND_ID, oauth_client

SUBS = "/api/v1/roles/{role}/subscriptions"
RSA = "REPORT_SUSPICIOUS_ACTIVITY"
INTERNAL = "/api/internal/org/settings/security-notification-settings"


def test_role_subscription_items_and_statuses(api) -> None:
    items = api.get(SUBS.format(role="SUPER_ADMIN")).json()
    by_type = {i["notificationType"]: i for i in items}
    assert by_type[RSA]["status"] == "subscribed"
    assert by_type[RSA]["channels"] == ["email"]
    assert by_type["USER_LOCKED_OUT"]["status"] == "unsubscribed"
    one = api.get(SUBS.format(role="ORG_ADMIN") + f"/{RSA}").json()
    assert one["status"] == "unsubscribed"
    assert one["_links"]["self"]["href"].endswith(f"/roles/ORG_ADMIN/subscriptions/{RSA}")


def test_subscribe_and_unsubscribe(api) -> None:
    url = SUBS.format(role="ORG_ADMIN") + f"/{RSA}"
    r = api.post(url + "/subscribe")
    assert r.status_code == 200 and r.content == b""
    assert api.get(url).json()["status"] == "subscribed"
    assert api.post(url + "/unsubscribe").status_code == 200
    assert api.get(url).json()["status"] == "unsubscribed"
    # other roles are untouched
    assert api.get(SUBS.format(role="SUPER_ADMIN") + f"/{RSA}").json()["status"] == "subscribed"


def test_report_notification_only_for_super_and_org_admin(api) -> None:
    items = api.get(SUBS.format(role="APP_ADMIN")).json()
    assert RSA not in {i["notificationType"] for i in items}
    assert api.get(SUBS.format(role="APP_ADMIN") + f"/{RSA}").status_code == 404
    assert api.post(SUBS.format(role="APP_ADMIN") + f"/{RSA}/subscribe").status_code == 404


def test_unknown_roles_and_types_are_404_custom_roles_work(api) -> None:
    assert api.get(SUBS.format(role="NOT_A_ROLE")).status_code == 404
    assert api.get(SUBS.format(role="SUPER_ADMIN") + "/NOT_A_TYPE").status_code == 404
    custom = api.get(SUBS.format(role="cr0customRole000001"))
    assert custom.status_code == 200 and custom.json()


def test_threat_insight_get_and_update(api) -> None:
    current = api.get("/api/v1/threats/configuration").json()
    assert current["action"] == "audit" and current["excludeZones"] == []
    r = api.post("/api/v1/threats/configuration",
                 json={"action": "block", "excludeZones": ["nzo1trusted00000001"]})
    assert r.status_code == 200
    assert api.get("/api/v1/threats/configuration").json()["action"] == "block"
    assert api.post("/api/v1/threats/configuration", json={"action": "panic"}).status_code == 400
    assert api.post("/api/v1/threats/configuration",
                    json={"action": "none", "excludeZones": "x"}).status_code == 400
    assert api.get("/api/v1/threats/configuration").json()["excludeZones"] == [
        "nzo1trusted00000001"]


def test_internal_switches_read_and_write(api) -> None:
    body = api.get(INTERNAL).json()
    assert body["reportSuspiciousActivityEnabled"] is True
    r = api.put(INTERNAL, json={"reportSuspiciousActivityEnabled": False})
    assert r.status_code == 200 and r.json()["reportSuspiciousActivityEnabled"] is False
    assert r.json()["sendEmailForNewDeviceEnabled"] is True  # the others are kept
    assert api.put(INTERNAL, json={"bogusSwitch": True}).status_code == 400
    assert api.put(INTERNAL, json={"sendEmailForNewDeviceEnabled": "yes"}).status_code == 400


def test_internal_lists_derive_from_default_brand_customizations(api) -> None:
    body = api.get(INTERNAL).json()
    assert body["customizedEmailsList"] == ["NewSignOnNotification"]
    assert body["customizedEmailsWithReportButtonList"] == ["NewSignOnNotification"]
    base = f"/api/v1/brands/{BRAND_ID}/templates/email/PasswordChanged/customizations"
    api.post(base, json={"language": "en", "subject": "s", "body": "no link here"})
    body = api.get(INTERNAL).json()
    assert body["customizedEmailsList"] == ["NewSignOnNotification", "PasswordChanged"]
    assert body["customizedEmailsWithReportButtonList"] == ["NewSignOnNotification"]


def test_internal_endpoint_is_ssws_only(emu: Emulator) -> None:
    # A valid OAuth token cannot read it: there is no scope for it, SSWS only (401 E0000011).
    with oauth_client(emu, ["okta.brands.read"]) as client:
        assert client.get("/api/v1/brands").status_code == 200
        r = client.get(INTERNAL)
    assert r.status_code == 401 and r.json()["errorCode"] == "E0000011"
