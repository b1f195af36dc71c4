"""Small builders for control tests: a fully passing OrgState, and Pulumi-resource lists."""

from __future__ import annotations

from typing import Any

from sarguard.controls.base import Finding
from sarguard.controls.catalog import get_control
from sarguard.evidence.pulumi_resources import DeclaredResource
from sarguard.model import (
    LINK_TEMPLATES,
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
# Every variable any link-carrying template requires, plus the report link.
GOOD_BODY = (
    "<p>Browser $request.browser on ${request.date} at ${request.time} from "
    "${request.location} (${request.ipAddress}). Factor: ${request.factor} / ${request.factors}</p>"
    f'<a href="{TOKEN}">Report suspicious activity</a>'
)


def custom(language: str = "en", *, body: Any = GOOD_BODY, is_default: Any = True,
           subject: Any = "Security notice", urn: str | None = None) -> Customization:
    return Customization(language=language, subject=subject, body=body, is_default=is_default,
                         resource_name=f"c-{language}", urn=urn or f"urn:test::custom-{language}")


def hook(name: str = "soc", **overrides: Any) -> EventHook:
    values: dict[str, Any] = dict(
        name=name, id=f"{name}-id", status="ACTIVE", verification_status="VERIFIED",
        channel_type="HTTP", channel_version="1.0.0", uri="https://soar.example.com/okta",
        auth_type="HEADER", auth_key="Authorization", auth_value_set=True, auth_value_secret=True,
        events=[REPORT_EVENT], resource_name=name, urn=f"urn:test::hook-{name}",
    )
    values.update(overrides)
    return EventHook(**values)


def good_state(source: str = "declared") -> OrgState:
    """An org every control SAR-01..SAR-10 passes."""
    templates = {name: Template(name=name, recipients="ALL_USERS", settings_urn=f"urn:test::{name}",
                                customizations=[custom("en"), custom("fr", is_default=False)])
                 for name in LINK_TEMPLATES}
    return OrgState(
        source=source,  # type: ignore[arg-type]
        notifications=NotificationSettings(values={f: True for f in NOTIFICATION_FIELDS.values()}),
        notifications_urn="urn:test::notifications",
        brands={"default": Brand(key="default", id="bnd1", is_default=True, templates=templates)},
        event_hooks=[hook()],
        role_subscriptions=[RoleSubscription(role="SUPER_ADMIN", notification_type=REPORT_NOTIFICATION,
                                             urn="urn:test::super-admin")],
        threat_insight=ThreatInsight(action="audit", urn="urn:test::ti"),
    )


def run(control_id: str, state: OrgState, **options: Any) -> list[Finding]:
    """Evaluate one control with its defaults overlaid by ``options``."""
    control = get_control(control_id)
    return control.evaluate(state, {**control.default_options(), **options})


def by_resource(findings: list[Finding]) -> dict[str, Finding]:
    keys = [f.resource for f in findings]
    assert len(keys) == len(set(keys)), f"more than one finding per resource: {keys}"
    return {f.resource: f for f in findings}


def statuses(findings: list[Finding]) -> set[str]:
    return {f.status for f in findings}


# ---- Pulumi resource lists (the shape mocks / the pack / stack exports produce) ---------------

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
URN = "urn:pulumi:demo::sarguard::{type}::{name}"


def secret(value: Any) -> dict[str, Any]:
    return {**SECRET_SIG, "value": value}


def res(type_: str, name: str, inputs: dict[str, Any], **kw: Any) -> DeclaredResource:
    return DeclaredResource(type=type_, name=name, inputs=inputs,
                            urn=URN.format(type=type_, name=name), **kw)


def good_resources(brand_id: str = "default-brand-id") -> list[DeclaredResource]:
    """What the program declares for a passing stack, in the mock engine's shape."""
    out = [res("okta:index/securityNotificationEmails:SecurityNotificationEmails", "notifications",
               {"reportSuspiciousActivityEnabled": True})]
    for name in LINK_TEMPLATES:
        out.append(res("okta:index/emailTemplateSettings:EmailTemplateSettings", f"{name}-settings",
                       {"brandId": brand_id, "templateName": name, "recipients": "ALL_USERS"}))
        out.append(res("okta:index/emailCustomization:EmailCustomization", f"{name}-en",
                       {"brandId": brand_id, "templateName": name, "language": "en",
                        "subject": "Security notice", "body": GOOD_BODY, "isDefault": True}))
    out.append(res("okta:index/eventHook:EventHook", "soc",
                   {"name": "soc", "status": "ACTIVE", "events": [REPORT_EVENT],
                    "channel": {"type": "HTTP", "version": "1.0.0",
                                "uri": "https://soar.example.com/okta"},
                    "auth": {"type": "HEADER", "key": "Authorization",
                             "value": secret("s3cr3t-value")}},
                   id="soc-id"))
    out.append(res("okta:index/eventHookVerification:EventHookVerification", "soc-verification",
                   {"eventHookId": "soc-id"}, id="soc-verification-id"))
    out.append(res("okta:index/roleSubscription:RoleSubscription", "super-admin",
                   {"roleRef": "SUPER_ADMIN", "notificationType": REPORT_NOTIFICATION}))
    out.append(res("okta:index/threatInsightSettings:ThreatInsightSettings", "threat-insight",
                   {"action": "block"}))
    return out
