"""The Pulumi component that declares an org's suspicious-activity reporting from :class:`Settings`.

Resource names are stable and readable (they end up in URNs, state and reports), so renaming one
is a breaking change for users' stacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_okta as okta

from sarguard.model import NOTIFICATION_FIELDS, REPORT_NOTIFICATION
from sarguard.settings.model import BrandSpec, Settings, TemplateSpec
from sarguard.util.urlsecrets import fill_url_placeholders, placeholder_names

COMPONENT_TYPE = "sarguard:index:SuspiciousActivityReporting"
DEFAULT_BRAND = "default"

# pulumi-okta argument name (snake_case) for each Okta API switch.
_SWITCH_ARGS: dict[str, str] = {
    "sendEmailForNewDeviceEnabled": "send_email_for_new_device_enabled",
    "sendEmailForFactorEnrollmentEnabled": "send_email_for_factor_enrollment_enabled",
    "sendEmailForFactorResetEnabled": "send_email_for_factor_reset_enabled",
    "sendEmailForPasswordChangedEnabled": "send_email_for_password_changed_enabled",
    "reportSuspiciousActivityEnabled": "report_suspicious_activity_enabled",
}


def customization_resource_name(brand: str, template: str, language: str) -> str:
    return f"{brand}-{template}-{language}"


def template_settings_resource_name(brand: str, template: str) -> str:
    return f"{brand}-{template}-settings"


def role_subscription_resource_name(role: str) -> str:
    return f"{role.lower().replace('_', '-')}-report-suspicious-activity"


def _headers(plain: Mapping[str, str], secret_names: tuple[str, ...],
             secrets: pulumi.Input[Mapping[str, str]] | None) -> list[okta.EventHookHeaderArgs] | None:
    """The hook's custom headers, by name: plain values as given, each of ``secret_names`` from
    the ``secrets`` map, kept a Pulumi secret (``apply`` on a secret output stays secret)."""
    values: dict[str, pulumi.Input[str]] = dict(plain)
    if secret_names and secrets is not None:
        source = pulumi.Output.secret(secrets)
        for name in secret_names:
            values[name] = source.apply(lambda found, name=name: found[name])
    return [okta.EventHookHeaderArgs(key=k, value=values[k]) for k in sorted(values)] or None


def _hook_uri(url: str, secrets: pulumi.Input[Mapping[str, str]] | None) -> pulumi.Input[str]:
    """The hook URL with its ``{secret:NAME}`` placeholders filled from ``secrets``, kept a Pulumi
    secret; as written when it has none, or when no secrets are given (offline runs: checks then
    see the scheme, host and path, never a credential)."""
    if not placeholder_names(url) or secrets is None:
        return url
    return pulumi.Output.secret(secrets).apply(lambda found: fill_url_placeholders(url, found or {}))


def _auth(header: str | None, secret: pulumi.Input[str] | None) -> dict[str, Any] | None:
    """The HEADER auth block, or None for a hook that sends no auth header (SAR-06 fails)."""
    if not header:
        return None
    return {"type": "HEADER", "key": header,
            "value": pulumi.Output.secret(secret) if secret is not None else None}


class SuspiciousActivityReporting(pulumi.ComponentResource):
    """Security notification emails, link-carrying templates, the report hook and admin alerts."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        hook_secret: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        header_secrets: pulumi.Input[Mapping[str, str]] | None = None,
        url_secrets: pulumi.Input[Mapping[str, str]] | None = None,
    ) -> None:
        # The component's one input says whether the stack manages the switches, so every view
        # of the stack (preview, policy pack, stack export) can tell "not managed on purpose"
        # from "forgotten".
        super().__init__(COMPONENT_TYPE, name, {"manageNotifications": settings.manage_notifications}, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.notifications: okta.SecurityNotificationEmails | None = None
        if settings.manage_notifications:
            switches = {_SWITCH_ARGS[NOTIFICATION_FIELDS[key]]: value
                        for key, value in settings.notifications.items()}
            self.notifications = okta.SecurityNotificationEmails("security-notification-emails",
                                                                 opts=child, **switches)

        self.brand_ids: dict[str, pulumi.Output[str]] = {}
        for brand in settings.brands:
            self.brand_ids[brand.id] = self._brand_id(brand, child)
            for template in brand.declared_templates():  # all four link templates, at least
                self._declare_template(brand, template, self.brand_ids[brand.id], child)

        self.event_hook: okta.EventHook | None = None
        self.verification: okta.EventHookVerification | None = None
        if settings.event_hook:
            hook = settings.event_hook
            self.event_hook = okta.EventHook(
                hook.name,
                name=hook.name,
                status="ACTIVE" if hook.active else "INACTIVE",
                events=list(hook.events),
                channel={"type": "HTTP", "version": "1.0.0", "uri": _hook_uri(hook.url, url_secrets)},
                auth=_auth(hook.auth_header, hook_secret),
                headers=_headers(hook.headers, hook.secret_headers, header_secrets),
                opts=child,
            )
            if hook.verify:
                self.verification = okta.EventHookVerification(
                    f"{hook.name}-verification",
                    event_hook_id=self.event_hook.id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.event_hook]),
                )

        self.role_subscriptions = [
            okta.RoleSubscription(role_subscription_resource_name(role), role_ref=role,
                                  notification_type=REPORT_NOTIFICATION, opts=child)
            for role in settings.admin_roles
        ]

        self.threat_insight: okta.ThreatInsightSettings | None = None
        if settings.threat_insight:
            ti = settings.threat_insight
            self.threat_insight = okta.ThreatInsightSettings(
                "threat-insight", action=ti.action, exclude_zones=list(ti.exclude_zones) or None, opts=child)

        outputs: dict[str, Any] = {"brandIds": self.brand_ids}
        if self.event_hook is not None:
            outputs["eventHookId"] = self.event_hook.id
        if self.verification is not None:
            outputs["verificationStatus"] = self.verification.verification_status
        self.outputs = outputs
        # The engine replaces a component's outputs with what it registers, and the policy pack's
        # AnalyzeStack sees outputs (pulumi pkg/resource/deploy step_executor.go
        # executeRegisterResourceOutputs, step_generator.go AnalyzeResources): repeat the input.
        self.register_outputs({**outputs, "manageNotifications": settings.manage_notifications})

    def _brand_id(self, brand: BrandSpec, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        """``default`` resolves to the org's default brand through the provider; others are ids."""
        if brand.id == DEFAULT_BRAND:
            return okta.get_brand_output(brand_id=DEFAULT_BRAND,
                                         opts=pulumi.InvokeOutputOptions(parent=self)).id
        return pulumi.Output.from_input(brand.id)

    def _declare_template(self, brand: BrandSpec, template: TemplateSpec, brand_id: pulumi.Output[str],
                          child: pulumi.ResourceOptions) -> None:
        okta.EmailTemplateSettings(
            template_settings_resource_name(brand.id, template.name),
            brand_id=brand_id, template_name=template.name, recipients=template.recipients, opts=child)
        if not template.customizations:
            return
        # Okta makes the first customization the default and rejects a second default (409), so the
        # default is created first and every other language waits for it (per template, never
        # across the org: a long depends_on chain overflows the SDK).
        ordered = sorted(template.customizations, key=lambda c: not c.is_default)
        first = None
        for spec in ordered:
            opts = child if first is None else pulumi.ResourceOptions(parent=self, depends_on=[first])
            resource = okta.EmailCustomization(
                customization_resource_name(brand.id, template.name, spec.language),
                brand_id=brand_id, template_name=template.name, language=spec.language,
                subject=spec.subject, body=spec.body, is_default=spec.is_default, opts=opts)
            first = first or resource
