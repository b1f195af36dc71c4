"""A small org for the live reader tests: two brands, customized templates, hooks, roles."""

from __future__ import annotations

from typing import Any

import httpx

from sarguard.model import LINK_TEMPLATES, REPORT_EVENT
from sarguard.okta.auth import OAuthAuth
from tests.okta.fakeokta import ORG, FakeOkta, json_response, make_client
from tests.okta.keys import rsa_key

NOTIFICATIONS = {
    "sendEmailForNewDeviceEnabled": True,
    "sendEmailForFactorEnrollmentEnabled": True,
    "sendEmailForFactorResetEnabled": False,
    "sendEmailForPasswordChangedEnabled": True,
    "reportSuspiciousActivityEnabled": True,
    "customizedEmailsList": ["NewSignOnNotification"],
    "customizedEmailsWithReportButtonList": [],
}
BRANDS = [
    {"id": "bndDEFAULT", "name": "Acme", "isDefault": True},
    {"id": "bndSUB", "name": "Acme Kids", "isDefault": False},
]
# brand id -> template name -> (recipients, customizationCount)
TEMPLATES: dict[str, dict[str, tuple[str, int]]] = {
    "bndDEFAULT": {"NewSignOnNotification": ("ALL_USERS", 2), "AuthenticatorEnrolled":
                   ("ALL_USERS", 0), "AuthenticatorReset": ("ALL_USERS", 0),
                   "PasswordChanged": ("ADMINS_ONLY", 1), "UserActivation": ("ALL_USERS", 3)},
    "bndSUB": {"NewSignOnNotification": ("ALL_USERS", 0), "AuthenticatorEnrolled": ("NO_USERS", 0),
               "AuthenticatorReset": ("ALL_USERS", 0), "PasswordChanged": ("ALL_USERS", 0)},
}
CUSTOMIZATIONS = {
    ("bndDEFAULT", "NewSignOnNotification"): [
        {"id": "c1", "language": "en", "isDefault": True, "subject": "New sign-on",
         "body": "<a href='${request.reportSuspiciousActivityToken}'>Report</a>"},
        {"id": "c2", "language": "fr", "isDefault": False, "subject": "Connexion",
         "body": "<p>Bonjour</p>"},
    ],
    ("bndDEFAULT", "PasswordChanged"): [
        {"id": "c3", "language": "en", "isDefault": True, "subject": "Password changed",
         "body": "${request.reportSuspiciousActivityToken}"},
    ],
}
HOOKS = [{
    "id": "who1", "name": "soc-report", "status": "ACTIVE", "verificationStatus": "VERIFIED",
    "channel": {"type": "HTTP", "version": "1.0.0", "config": {
        "uri": "https://soc.example/okta", "headers": [{"key": "X-Env", "value": "prod"}],
        "authScheme": {"type": "HEADER", "key": "Authorization"}}},
    "events": {"type": "EVENT_TYPE", "items": [REPORT_EVENT]},
}]
ROLES = {"SUPER_ADMIN": "subscribed", "ORG_ADMIN": "unsubscribed"}
THREATS = {"action": "block", "excludeZones": ["nzo1"]}


def _templates(brand_id: str):
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["expand"] == "settings,customizationCount"
        items = [{"name": name, "_embedded": {"settings": {"recipients": rec},
                                              "customizationCount": count}}
                 for name, (rec, count) in TEMPLATES[brand_id].items()]
        return json_response(items)
    return handler


def install(fake: FakeOkta) -> FakeOkta:
    """Register every endpoint the live reader may call."""
    fake.route("/api/v1/users/me", {"id": "00uADMIN"})

    def notifications(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "acme-admin.okta.com", "internal endpoint is on the -admin host"
        return json_response(NOTIFICATIONS)

    fake.route("/api/internal/org/settings/security-notification-settings", notifications)
    fake.route("/api/v1/brands", BRANDS)
    for brand_id in TEMPLATES:
        fake.route(f"/api/v1/brands/{brand_id}/templates/email", _templates(brand_id))
    for (brand_id, name), items in CUSTOMIZATIONS.items():
        fake.route(f"/api/v1/brands/{brand_id}/templates/email/{name}/customizations", items)
    fake.route("/api/v1/eventHooks", HOOKS)
    for role, status in ROLES.items():
        fake.route(f"/api/v1/roles/{role}/subscriptions/REPORT_SUSPICIOUS_ACTIVITY",
                   {"notificationType": "REPORT_SUSPICIOUS_ACTIVITY", "channels": ["email"],
                    "status": status})
    fake.route("/api/v1/threats/configuration", THREATS)
    return fake


def oauth_client(fake: FakeOkta, **options: Any):
    fake.route("/oauth2/v1/token", lambda r: json_response(
        {"token_type": "Bearer", "access_token": "at-SECRET-live", "expires_in": 3600}),
        method="POST")
    auth = OAuthAuth(client_id="0oaLIVE", private_key=rsa_key()[0], key_id="k1",
                     scopes=["okta.brands.read"], token_url=ORG + "/oauth2/v1/token",
                     clock=fake.clock)
    return make_client(fake, auth, **options)


assert set(LINK_TEMPLATES) <= set(TEMPLATES["bndDEFAULT"])
