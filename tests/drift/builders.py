"""Small builders for declared/live OrgState pairs that agree, so each test changes one thing."""

from __future__ import annotations

from sarguard.model import (
    NOTIFICATION_FIELDS,
    REPORT_EVENT,
    REPORT_NOTIFICATION,
    Brand,
    Customization,
    EventHook,
    NotificationSettings,
    OrgState,
    RoleSubscription,
    Template,
    ThreatInsight,
)

TOKEN = "${request.reportSuspiciousActivityToken}"
BODY = (
    "<html>\n  <body>\n    <p>New sign-on to your account.</p>\n"
    f'    <p><a href="{TOKEN}">Report suspicious activity</a></p>\n  </body>\n</html>\n'
)
HOOK_URI = "https://soc.example.com/okta/hook"
OTHER_BRAND = "bnd1a2b3c4"


def customization(language: str, *, default: bool = False, body: str = BODY) -> Customization:
    return Customization(
        language=language,
        subject=f"New sign-on ({language})",
        body=body,
        is_default=default,
    )


def hook(name: str = "soc-siem", **overrides: object) -> EventHook:
    values: dict[str, object] = {
        "name": name,
        "status": "ACTIVE",
        "verification_status": "VERIFIED",
        "channel_type": "HTTP",
        "channel_version": "1.0.0",
        "uri": HOOK_URI,
        "headers": {"X-Source": "okta", "X-Tenant": "acme"},
        "auth_type": "HEADER",
        "auth_key": "Authorization",
        "events": [REPORT_EVENT, "user.session.start"],
    }
    values.update(overrides)
    return EventHook(**values)  # type: ignore[arg-type]


def _brands() -> dict[str, Brand]:
    default = Brand(
        key="default",
        id="bnd0default",
        is_default=True,
        templates={
            "NewSignOnNotification": Template(
                name="NewSignOnNotification",
                customizations=[customization("en", default=True), customization("fr")],
            )
        },
    )
    other = Brand(
        key=OTHER_BRAND,
        id=OTHER_BRAND,
        templates={
            "PasswordChanged": Template(name="PasswordChanged", recipients="ALL_USERS"),
        },
    )
    return {"default": default, OTHER_BRAND: other}


def declared_state() -> OrgState:
    """A stack that declares every family; one switch is left unset (provider default)."""
    values: dict[str, bool | None] = {f: True for f in NOTIFICATION_FIELDS.values()}
    values["sendEmailForFactorResetEnabled"] = None
    state = OrgState(
        source="declared",
        notifications=NotificationSettings(
            values=values, defaulted={"sendEmailForFactorResetEnabled"}
        ),
        brands=_brands(),
        event_hooks=[hook()],
        role_subscriptions=[
            RoleSubscription("SUPER_ADMIN", REPORT_NOTIFICATION),
            RoleSubscription("ORG_ADMIN", REPORT_NOTIFICATION),
        ],
        threat_insight=ThreatInsight(action="block", exclude_zones=["zone-a", "zone-b"]),
    )
    for h in state.event_hooks:
        h.auth_value_set = True
        h.auth_value_secret = True
    return state


def live_state() -> OrgState:
    """The live org exactly as declared (as a live reader would build it)."""
    brands = _brands()
    for brand in brands.values():
        for template in brand.templates.values():
            template.customization_count = len(template.customizations)
            for i, c in enumerate(template.customizations):
                c.id = f"cus{i}"
    brands["default"].templates["PasswordChanged"] = Template(
        name="PasswordChanged", recipients="ADMINS_ONLY", customization_count=0
    )
    brands[OTHER_BRAND].templates["PasswordChanged"].customization_count = 0
    live_hook = hook(id="who1")
    return OrgState(
        source="live",
        notifications=NotificationSettings(values={f: True for f in NOTIFICATION_FIELDS.values()}),
        brands=brands,
        event_hooks=[live_hook],
        role_subscriptions=[
            RoleSubscription("SUPER_ADMIN", REPORT_NOTIFICATION),
            RoleSubscription("ORG_ADMIN", REPORT_NOTIFICATION),
            RoleSubscription("SUPER_ADMIN", "OKTA_ANNOUNCEMENT", status="unsubscribed"),
        ],
        threat_insight=ThreatInsight(action="block", exclude_zones=["zone-b", "zone-a"]),
    )


def live_customization(state: OrgState, template: str, language: str, brand: str = "default"):
    """The live customization object of one language (for tests to modify)."""
    for c in state.brands[brand].templates[template].customizations:
        if c.language == language:
            return c
    raise KeyError(language)
