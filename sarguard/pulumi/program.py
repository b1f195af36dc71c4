"""The Pulumi component that declares an org's suspicious-activity reporting from :class:`Settings`.

Resource names are stable and readable (they end up in URNs, state and reports), so renaming one
is a breaking change for users' stacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_okta as okta

from sarguard.evidence.pulumi_resources import (
    T_CUSTOMIZATION,
    T_EVENT_HOOK,
    T_NOTIFICATIONS,
    T_ROLE_SUBSCRIPTION,
    T_TEMPLATE_SETTINGS,
    T_THREAT_INSIGHT,
    T_VERIFICATION,
)
from sarguard.model import NOTIFICATION_FIELDS, REPORT_NOTIFICATION
from sarguard.pulumi import stacksettings
from sarguard.settings.loader import URL_SECRETS_KEY
from sarguard.settings.model import BrandSpec, Settings, TemplateSpec

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


# What sarguard's own ``__main__.py`` names its instance: the one instance whose children keep
# aliases to the names they had before names derived from the component's name.
DEFAULT_COMPONENT_NAME = "suspicious-activity-reporting"


def customization_resource_name(brand: str, template: str, language: str) -> str:
    return f"{brand}-{template}-{language}"


def template_settings_resource_name(brand: str, template: str) -> str:
    return f"{brand}-{template}-settings"


def role_subscription_resource_name(role: str) -> str:
    return f"{role.lower().replace('_', '-')}-report-suspicious-activity"


def child_resource_name(component: str, base: str) -> str:
    """A child's name: the component's name, then the child's own (``base``), so two instances
    (one per org) never declare the same name."""
    return f"{component}-{base}"


def okta_provider(opts: pulumi.ResourceOptions | None) -> pulumi.ProviderResource | None:
    """The Okta provider ``opts`` names (``provider``, or ``providers`` by package), if any."""
    if opts is None:
        return None
    if opts.provider is not None:
        return opts.provider
    providers = opts.providers
    if isinstance(providers, Mapping):
        return providers.get("okta")
    for provider in providers or ():
        if getattr(provider, "package", None) == "okta":
            return provider
    return None


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


def _hook_url(url: str, secrets: pulumi.Input[Mapping[str, str]] | None) -> pulumi.Input[str]:
    """The delivery URL with its ``{secret:NAME}`` placeholders filled from ``secrets``: a
    Pulumi secret then, since it carries a credential. A URL without placeholders stays plain, and
    so does every URL in sarguard's offline runs (reports show it with its placeholders)."""
    from sarguard.util.urlsecrets import fill_url_placeholders, placeholder_names

    if not placeholder_names(url) or stacksettings.is_offline():
        return url  # sarguard's offline runs judge the URL with its placeholders
    if secrets is None:
        return fill_url_placeholders(url, {})  # raises, naming the first placeholder
    return pulumi.Output.secret(secrets).apply(lambda found: fill_url_placeholders(url, found))


def _auth(header: str | None, secret: pulumi.Input[str] | None) -> dict[str, Any] | None:
    """The HEADER auth block, or None for a hook that sends no auth header (SAR-06 fails)."""
    if not header:
        return None
    return {"type": "HEADER", "key": header,
            "value": pulumi.Output.secret(secret) if secret is not None else None}


class SuspiciousActivityReporting(pulumi.ComponentResource):
    """Security notification emails, link-carrying templates, the report hook and admin alerts.

    ``settings`` is a mapping with exactly the shape of the ``sarguard:settings`` stack value
    (validated the same way; problems raise :class:`sarguard.SettingsError`), or None to read
    ``sarguard:settings`` and its secrets from the stack's config (one instance per program).
    ``opts`` reaches every child and invoke, so one program can declare an instance per org,
    each with its own explicit provider.
    """

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any] | Settings | None = None,
        *,
        hook_secret: pulumi.Input[str] | None = None,
        header_secrets: pulumi.Input[Mapping[str, str]] | None = None,
        url_secrets: pulumi.Input[Mapping[str, str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if settings is None:
            stacksettings.claim_stack_settings(name)
            settings, *_ = stacksettings.settings_from_stack()
            config = pulumi.Config("sarguard")
            hook_secret = hook_secret if hook_secret is not None else config.get_secret("eventHookSecret")
            header_secrets = header_secrets if header_secrets is not None \
                else config.get_secret_object("eventHookHeaderSecrets")
            url_secrets = url_secrets if url_secrets is not None \
                else config.get_secret_object(URL_SECRETS_KEY.removeprefix("sarguard:"))
        elif not isinstance(settings, Settings):
            settings = stacksettings.settings_from_mapping(name, settings, hook_secret=hook_secret,
                                                           header_secrets=header_secrets,
                                                           url_secrets=url_secrets)
        # The component's one input says whether the stack manages the switches, so every view
        # of the stack (preview, policy pack, stack export) can tell "not managed on purpose"
        # from "forgotten".
        super().__init__(COMPONENT_TYPE, name, {"manageNotifications": settings.manage_notifications}, opts)
        self._name = name
        self._has_parent = opts is not None and opts.parent is not None
        self._provider = okta_provider(opts)

        self.notifications: okta.SecurityNotificationEmails | None = None
        if settings.manage_notifications:
            switches = {_SWITCH_ARGS[NOTIFICATION_FIELDS[key]]: value
                        for key, value in settings.notifications.items()}
            self.notifications = okta.SecurityNotificationEmails(
                *self._child("security-notification-emails", T_NOTIFICATIONS), **switches)

        self.brand_ids: dict[str, pulumi.Output[str]] = {}
        for brand in settings.brands:
            brand_id = self._brand_id(brand)
            self.brand_ids[brand.id] = pulumi.Output.from_input(brand_id)
            for template in brand.declared_templates():  # all four link templates, at least
                self._declare_template(brand, template, brand_id)

        self.event_hook: okta.EventHook | None = None
        self.verification: okta.EventHookVerification | None = None
        if settings.event_hook:
            hook = settings.event_hook
            self.event_hook = okta.EventHook(
                *self._child(hook.name, T_EVENT_HOOK),
                name=hook.name,
                status="ACTIVE" if hook.active else "INACTIVE",
                events=list(hook.events),
                channel={"type": "HTTP", "version": "1.0.0", "uri": _hook_url(hook.url, url_secrets)},
                auth=_auth(hook.auth_header, hook_secret),
                headers=_headers(hook.headers, hook.secret_headers, header_secrets),
            )
            if hook.verify:
                self.verification = okta.EventHookVerification(
                    *self._child(f"{hook.name}-verification", T_VERIFICATION, depends_on=[self.event_hook]),
                    event_hook_id=self.event_hook.id,
                )

        self.role_subscriptions = [
            okta.RoleSubscription(*self._child(role_subscription_resource_name(role), T_ROLE_SUBSCRIPTION),
                                  role_ref=role,
                                  notification_type=REPORT_NOTIFICATION)
            for role in settings.admin_roles
        ]

        self.threat_insight: okta.ThreatInsightSettings | None = None
        if settings.threat_insight:
            ti = settings.threat_insight
            self.threat_insight = okta.ThreatInsightSettings(
                *self._child("threat-insight", T_THREAT_INSIGHT), action=ti.action,
                exclude_zones=list(ti.exclude_zones) or None)

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

    def _child(self, base: str, typ: str, depends_on: list[pulumi.Resource] | None = None
               ) -> tuple[str, pulumi.ResourceOptions]:
        """A child's name and options: parented here, on this instance's Okta provider, and (for
        the instance named as sarguard's own program names it) aliased to the name it had before
        names were derived from the component's, so deployed stacks keep their URNs. Pulumi
        refuses two resources claiming one alias: no other instance carries them. Offline runs
        (``check``, ``plan``, drift's declared side) have no state to keep, and no part of them
        reads an alias: they skip them (a tenth of a large mock run)."""
        aliases = [self._old_urn(base, typ)] if self._name == DEFAULT_COMPONENT_NAME and \
            not stacksettings.is_offline() else None
        return child_resource_name(self._name, base), pulumi.ResourceOptions(
            parent=self, provider=self._provider, depends_on=depends_on, aliases=aliases)

    def _old_urn(self, base: str, typ: str) -> str | pulumi.Alias:
        """The URN the child had under its old name. At the top of the program (as sarguard's own
        ``__main__.py`` declares it) that URN is known as text, which the SDK takes as it is;
        a ``pulumi.Alias`` spec costs a chain of outputs per child (about a third of a mock
        run). Under a parent of the user's, the spec (the engine computes the URN)."""
        if self._has_parent:
            return pulumi.Alias(name=base)
        return (f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::"
                f"{COMPONENT_TYPE}${typ}::{base}")

    def _brand_id(self, brand: BrandSpec) -> pulumi.Input[str]:
        """``default`` resolves to the org's default brand through the provider; others are ids,
        passed to the children as they are (an output per brand costs the engine a chain of
        futures per child for the same value)."""
        if brand.id == DEFAULT_BRAND:
            return okta.get_brand_output(
                brand_id=DEFAULT_BRAND,
                opts=pulumi.InvokeOutputOptions(parent=self, provider=self._provider)).id
        return brand.id

    def _declare_template(self, brand: BrandSpec, template: TemplateSpec,
                          brand_id: pulumi.Input[str]) -> None:
        okta.EmailTemplateSettings(
            *self._child(template_settings_resource_name(brand.id, template.name), T_TEMPLATE_SETTINGS),
            brand_id=brand_id, template_name=template.name, recipients=template.recipients)
        if not template.customizations:
            return
        # Okta makes the first customization the default and rejects a second default (409), so the
        # default is created first and every other language waits for it (per template, never
        # across the org: a long depends_on chain overflows the SDK).
        ordered = sorted(template.customizations, key=lambda c: not c.is_default)
        first = None
        for spec in ordered:
            resource = okta.EmailCustomization(
                *self._child(customization_resource_name(brand.id, template.name, spec.language), T_CUSTOMIZATION,
                             depends_on=[first] if first is not None else None),
                brand_id=brand_id, template_name=template.name, language=spec.language,
                subject=spec.subject, body=spec.body, is_default=spec.is_default)
            first = first or resource
