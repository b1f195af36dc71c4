"""Source-neutral model of an org's suspicious-activity-reporting configuration.

Every evidence source (Pulumi resources under mocks, a ``pulumi stack export`` file, the
policy pack's view of a preview, the live Okta API) is turned into one :class:`OrgState`.
Controls and drift only ever see this model, so a rule is written once and means the same
thing whatever the evidence was.

Conventions
-----------
* ``UNKNOWN`` marks a value that cannot be known yet (a Pulumi preview's unknown output).
  Controls must report ``not_evaluated`` for it, never ``pass``.
* ``None`` means "not set / not present". For declared evidence, an unset switch is judged by
  the provider default (the five notification switches default to true) and recorded in
  ``NotificationSettings.defaulted``.
* Evidence that could not be read (a failed API call, a missing OAuth scope) is *not* silently
  left empty: its resource key goes into ``OrgState.unread`` with the reason, and the section
  stays ``None``/absent. Controls that need it report ``not_evaluated`` (fail closed).
* Resource keys are the public report contract:
  ``securityNotificationEmails``, ``brand/<id>/template/<Name>/settings``,
  ``brand/<id>/template/<Name>/customization/<language>``, ``eventHook/<name>``,
  ``roleSubscription/<ROLE>/<NOTIFICATION_TYPE>``, ``threatInsight``, ``org``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sarguard.util.credentials import is_credential_header, url_credential_values

Source = Literal["declared", "stack-export", "pack", "live"]


class _Unknown:
    """Singleton for values unknown during a Pulumi preview."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # an unknown is never truthy: fail closed
        return False


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    """True when ``value`` is (or contains at top level) a preview-time unknown."""
    return value is UNKNOWN


# The four email templates that carry the "Report suspicious activity" link.
LINK_TEMPLATES: tuple[str, ...] = (
    "NewSignOnNotification",
    "AuthenticatorEnrolled",
    "AuthenticatorReset",
    "PasswordChanged",
)

# Okta's email template recipients values (EmailSettings.recipients in the Management API).
RECIPIENTS: tuple[str, ...] = ("ALL_USERS", "ADMINS_ONLY", "NO_USERS")
# Templates that accept only some of them; any other value is 422 E0000189 "This template does
# not support the recipients value" (okta-developer-docs PR #3325, Brands API "Email template
# settings": the security templates take NO_USERS/ALL_USERS, ChangeEmailConfirmation
# ALL_USERS/ADMINS_ONLY).
TEMPLATE_RECIPIENTS: dict[str, tuple[str, ...]] = {
    **{name: ("ALL_USERS", "NO_USERS") for name in LINK_TEMPLATES},
    "ChangeEmailConfirmation": ("ALL_USERS", "ADMINS_ONLY"),
}
RECIPIENTS_DOC = "https://github.com/okta/okta-developer-docs/pull/3325"


def allowed_recipients(template: str) -> tuple[str, ...]:
    """The recipients values Okta accepts for ``template``."""
    return TEMPLATE_RECIPIENTS.get(template, RECIPIENTS)


REPORT_EVENT = "user.account.report_suspicious_activity_by_enduser"
REPORT_NOTIFICATION = "REPORT_SUSPICIOUS_ACTIVITY"
ALLOWED_REPORT_ROLES: tuple[str, ...] = ("SUPER_ADMIN", "ORG_ADMIN")

# Settings name -> Okta API field of the Security > General switches.
NOTIFICATION_FIELDS: dict[str, str] = {
    "newSignOn": "sendEmailForNewDeviceEnabled",
    "factorEnrolled": "sendEmailForFactorEnrollmentEnabled",
    "factorReset": "sendEmailForFactorResetEnabled",
    "passwordChanged": "sendEmailForPasswordChangedEnabled",
    "reportSuspiciousActivity": "reportSuspiciousActivityEnabled",
}
# Which link-carrying template each switch governs (reportSuspiciousActivity governs the link).
SWITCH_TEMPLATE: dict[str, str] = {
    "newSignOn": "NewSignOnNotification",
    "factorEnrolled": "AuthenticatorEnrolled",
    "factorReset": "AuthenticatorReset",
    "passwordChanged": "PasswordChanged",
}


@dataclass
class Location:
    """Where a setting lives in the user's files (for SARIF and annotations)."""

    file: str
    line: int | None = None


@dataclass
class NotificationSettings:
    """Security > General notification switches, keyed by Okta API field name."""

    values: dict[str, bool | _Unknown | None] = field(default_factory=dict)
    # API fields whose value came from the provider default because the input was unset.
    defaulted: set[str] = field(default_factory=set)

    def get(self, api_field: str) -> bool | _Unknown | None:
        return self.values.get(api_field)


@dataclass
class Customization:
    """One language's customization of one email template."""

    language: str | _Unknown | None
    subject: str | _Unknown | None = None
    body: str | _Unknown | None = None
    is_default: bool | _Unknown | None = None
    id: str | None = None
    # Declared evidence: the Pulumi resource name / URN the finding should point at.
    resource_name: str | None = None
    urn: str | None = None


@dataclass
class Template:
    """One email template of one brand."""

    name: str
    recipients: str | _Unknown | None = None
    customizations: list[Customization] = field(default_factory=list)
    # Live evidence: the count Okta reports (``expand=customizationCount``); None if unknown.
    customization_count: int | None = None
    settings_resource_name: str | None = None
    settings_urn: str | None = None


@dataclass
class Brand:
    """A brand. ``key`` is ``default`` for the org's default brand, else the brand id."""

    key: str
    id: str | _Unknown | None = None
    name: str | None = None
    is_default: bool = False
    templates: dict[str, Template] = field(default_factory=dict)


@dataclass
class EventHook:
    """An event hook, whatever the source."""

    name: str | _Unknown
    id: str | _Unknown | None = None
    status: str | _Unknown | None = None  # ACTIVE | INACTIVE
    # Live: Okta's verificationStatus. Declared: VERIFIED when a verification resource is
    # linked to this hook, UNVERIFIED when none is, UNKNOWN when the link cannot be told.
    verification_status: str | _Unknown | None = None
    channel_type: str | _Unknown | None = None
    channel_version: str | _Unknown | None = None
    uri: str | _Unknown | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    auth_type: str | _Unknown | None = None
    auth_key: str | _Unknown | None = None
    # Whether an auth value is set: True/False, or None when the source cannot show it (live).
    auth_value_set: bool | None = None
    # Whether the auth value is a Pulumi secret: True/False, or None when not knowable.
    auth_value_secret: bool | None = None
    # The whole auth block is one encrypted secret (a real ``pulumi stack export``: pulumi-okta
    # marks ``auth`` secret as a whole), so its type and key cannot be read from this evidence.
    auth_opaque: bool = False
    # Likewise the whole channel, when its URL was filled from sarguard:eventHookUrlSecrets: the
    # delivery URL cannot be read from this evidence (``uri`` is then None).
    channel_opaque: bool = False
    events: list[str] | _Unknown = field(default_factory=list)
    resource_name: str | None = None
    urn: str | None = None


@dataclass
class RoleSubscription:
    """A role's subscription to an admin notification type."""

    role: str | _Unknown
    notification_type: str | _Unknown
    status: str | _Unknown = "subscribed"  # subscribed | unsubscribed
    resource_name: str | None = None
    urn: str | None = None


@dataclass
class ThreatInsight:
    action: str | _Unknown | None = None
    exclude_zones: list[str] = field(default_factory=list)
    resource_name: str | None = None
    urn: str | None = None


@dataclass
class OrgState:
    """Everything the controls and drift know about one org (declared or live)."""

    source: Source
    notifications: NotificationSettings | None = None
    notifications_resource_name: str | None = None
    notifications_urn: str | None = None
    brands: dict[str, Brand] = field(default_factory=dict)
    event_hooks: list[EventHook] = field(default_factory=list)
    role_subscriptions: list[RoleSubscription] = field(default_factory=list)
    threat_insight: ThreatInsight | None = None
    # resource key (or section key like ``eventHooks``/``brands``) -> why it could not be read.
    unread: dict[str, str] = field(default_factory=dict)
    # resource key -> where the setting is declared (stack file / line) for reports.
    locations: dict[str, Location] = field(default_factory=dict)
    # System Log evidence (live only); filled by the System Log reader. None = not collected.
    system_log: Any = None
    # Free-form facts about the evidence (org URL, stack name, ...).
    meta: dict[str, Any] = field(default_factory=dict)

    def credential_header_values(self) -> tuple[str, ...]:
        """The hooks' credentials Okta returns in clear: credential-like custom header values
        (``X-Api-Key``, ``x-functions-key``...) and the credential parameters of their URLs
        (``sig=``, ``code=``...); the live reader registers them for redaction."""
        headers = tuple(value for hook in self.event_hooks if isinstance(hook.headers, dict)
                        for name, value in hook.headers.items()
                        if isinstance(value, str) and is_credential_header(name))
        return headers + tuple(value for hook in self.event_hooks
                               for value in url_credential_values(hook.uri))

    def unread_reason(self, *keys: str) -> str | None:
        """The reason the first of ``keys`` (resource or section keys) could not be read."""
        for key in keys:
            if key in self.unread:
                return self.unread[key]
        return None


# ---- resource keys (public contract) -------------------------------------------------------

def key_notifications() -> str:
    return "securityNotificationEmails"


def key_template_settings(brand: str, template: str) -> str:
    return f"brand/{brand}/template/{template}/settings"


def key_customization(brand: str, template: str, language: str) -> str:
    return f"brand/{brand}/template/{template}/customization/{language}"


def key_event_hook(name: str) -> str:
    return f"eventHook/{name}"


def key_role_subscription(role: str, notification_type: str = REPORT_NOTIFICATION) -> str:
    return f"roleSubscription/{role}/{notification_type}"


def key_threat_insight() -> str:
    return "threatInsight"


ORG = "org"

# OrgState.meta key, False when the declared stack leaves the notification switches unmanaged on
# purpose (settings notifications.manage: false; the component's manageNotifications input).
NOTIFICATIONS_MANAGED = "notificationsManaged"

# OrgState.meta keys of declared evidence: resource key -> the pulumi-okta class a program used
# directly (not sarguard's component), and True when no sarguard component is declared at all
# (remediation then names classes and arguments, not settings keys).
DECLARED_AS = "declaredAs"
RAW_PROGRAM = "rawProgram"

# Section keys used in ``OrgState.unread`` when a whole family could not be read.
SECTION_NOTIFICATIONS = "securityNotificationEmails"
SECTION_BRANDS = "brands"
SECTION_EVENT_HOOKS = "eventHooks"
SECTION_ROLE_SUBSCRIPTIONS = "roleSubscriptions"
SECTION_THREAT_INSIGHT = "threatInsight"
SECTION_SYSTEM_LOG = "systemLog"
