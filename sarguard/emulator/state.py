"""The live org the emulator serves: plain records behind one lock.

Why plain records and not API JSON: handlers enforce Okta's rules on these (one default
customization, write-only hook secrets, ...) and render JSON only on the way out, so the secret
``authScheme.value`` lives here and can never leak through a forgotten field. Tests may read and
alter ``emu.state`` directly (take ``state.lock`` when the server is running).
"""

from __future__ import annotations

import random
import string
import threading
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

from sarguard.emulator.timeutil import iso, parse_iso

# Okta's email templates (Customizations > Emails); the first four carry the report link.
LINK_TEMPLATES: tuple[str, ...] = (
    "NewSignOnNotification",
    "AuthenticatorEnrolled",
    "AuthenticatorReset",
    "PasswordChanged",
)
TEMPLATE_NAMES: tuple[str, ...] = (
    "ADForgotPassword", "ADForgotPasswordDenied", "ADSelfServiceUnlock", "ADUserActivation",
    "AuthenticatorEnrolled", "AuthenticatorReset", "ChangeEmailConfirmation", "EmailChallenge",
    "EmailChangeConfirmation", "EmailFactorVerification", "ForgotPassword",
    "ForgotPasswordDenied", "IGAReviewerEndNotification", "IGAReviewerNotification",
    "IGAReviewerPendingNotification", "IGAReviewerReassigned", "LDAPForgotPassword",
    "LDAPForgotPasswordDenied", "LDAPSelfServiceUnlock", "LDAPUserActivation",
    "MyAccountChangeConfirmation", "NewSignOnNotification", "OktaVerifyActivation",
    "PasswordChanged", "PasswordResetByAdmin", "PendingEmailChange", "RegistrationActivation",
    "RegistrationEmailVerification", "SelfServiceUnlock", "SelfServiceUnlockOnUnlockedAccount",
    "UserActivation",
)
# Languages Okta accepts for email customizations.
LANGUAGES: frozenset[str] = frozenset({
    "cs", "da", "de", "el", "en", "es", "fi", "fr", "hu", "id", "it", "ja", "ko", "ms", "nb",
    "nl-NL", "pl", "pt-BR", "ro", "ru", "sv", "th", "tr", "uk", "vi", "zh-CN", "zh-TW",
})
RECIPIENTS: tuple[str, ...] = ("ALL_USERS", "ADMINS_ONLY", "NO_USERS")
# The Security > General switches (internal endpoint field names).
NOTIFICATION_FIELDS: tuple[str, ...] = (
    "sendEmailForNewDeviceEnabled",
    "sendEmailForFactorEnrollmentEnabled",
    "sendEmailForFactorResetEnabled",
    "sendEmailForPasswordChangedEnabled",
    "reportSuspiciousActivityEnabled",
)
REPORT_TOKEN = "${request.reportSuspiciousActivityToken}"
# Standard admin roles (the spec's RoleType enum without CUSTOM).
STANDARD_ROLES: tuple[str, ...] = (
    "ACCESS_CERTIFICATIONS_ADMIN", "ACCESS_REQUESTS_ADMIN", "API_ACCESS_MANAGEMENT_ADMIN",
    "APP_ADMIN", "GROUP_MEMBERSHIP_ADMIN", "HELP_DESK_ADMIN", "ORG_ADMIN", "READ_ONLY_ADMIN",
    "REPORT_ADMIN", "SUPER_ADMIN", "USER_ADMIN", "WORKFLOWS_ADMIN",
)
NOTIFICATION_TYPES: tuple[str, ...] = (
    "AD_AGENT", "AGENT_AUTO_UPDATE_NOTIFICATION", "AGENT_AUTO_UPDATE_NOTIFICATION_LDAP",
    "APP_IMPORT", "CONNECTOR_AGENT", "IWA_AGENT", "LDAP_AGENT", "OKTA_ANNOUNCEMENT",
    "OKTA_UPDATE", "RATELIMIT_NOTIFICATION", "REPORT_SUSPICIOUS_ACTIVITY", "USER_DEPROVISION",
    "USER_LOCKED_OUT",
)
# Okta offers the report notification only to these roles.
REPORT_NOTIFICATION_ROLES: frozenset[str] = frozenset({"SUPER_ADMIN", "ORG_ADMIN"})


class IdFactory:
    """Okta-shaped ids (3-character prefix + 17 characters), reproducible from ``rng_seed``."""

    _ALPHABET = string.ascii_letters + string.digits

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self._lock:
            return prefix + "".join(self._rng.choice(self._ALPHABET) for _ in range(17))

    def uuid(self) -> str:
        """A version-4 UUID (LogEvent ``uuid``, delivery ``eventId``) from the same generator."""
        with self._lock:
            return str(uuidlib.UUID(int=self._rng.getrandbits(128), version=4))


# Okta's user statuses (the spec's UserStatus enum).
USER_STATUSES: tuple[str, ...] = (
    "ACTIVE", "DEPROVISIONED", "LOCKED_OUT", "PASSWORD_EXPIRED", "PROVISIONED", "RECOVERY",
    "STAGED", "SUSPENDED",
)


@dataclass
class User:
    id: str
    login: str
    email: str
    first_name: str
    last_name: str
    created: str
    status: str = "ACTIVE"
    status_changed: str | None = None
    last_updated: str | None = None
    last_login: str | None = None
    password_changed: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def set_status(self, status: str, when: str) -> None:
        if status != self.status:
            self.status = status
            self.status_changed = when
        self.last_updated = when


@dataclass
class Customization:
    id: str
    language: str
    subject: str
    body: str
    is_default: bool
    created: str
    last_updated: str


@dataclass
class Template:
    name: str
    recipients: str = "ALL_USERS"
    customizations: list[Customization] = field(default_factory=list)

    def default_customization(self) -> Customization | None:
        return next((c for c in self.customizations if c.is_default), None)


@dataclass
class Brand:
    id: str
    name: str
    is_default: bool = False
    locale: str = "en"
    remove_powered_by_okta: bool = False
    custom_privacy_policy_url: str | None = None
    templates: dict[str, Template] = field(default_factory=dict)

    def template(self, name: str) -> Template | None:
        return self.templates.get(name)


@dataclass
class EventHook:
    id: str
    name: str
    events: list[str]
    uri: str
    status: str = "ACTIVE"
    verification_status: str = "UNVERIFIED"
    description: str | None = None
    headers: list[dict[str, str]] = field(default_factory=list)
    auth_type: str | None = None
    auth_key: str | None = None
    auth_value: str | None = field(default=None, repr=False)  # write-only: never rendered
    created: str = ""
    last_updated: str = ""
    created_by: str = ""
    # Emulator-only: make verification of a non-loopback hook fail (a broken SOAR endpoint).
    verification_fails: bool = False


@dataclass
class OAuthClient:
    client_id: str
    public_keys: list[Any]  # cryptography public key objects
    scopes: frozenset[str]
    dpop: bool = False


@dataclass
class OrgStore:
    """Everything the emulator knows about the org; guard every access with ``lock``."""

    org_name: str
    ids: IdFactory
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict, repr=False)  # SSWS token -> user id
    notifications: dict[str, bool] = field(default_factory=dict)
    brands: dict[str, Brand] = field(default_factory=dict)
    event_hooks: dict[str, EventHook] = field(default_factory=dict)
    # role -> notification type -> "subscribed" | "unsubscribed"
    role_subscriptions: dict[str, dict[str, str]] = field(default_factory=dict)
    custom_roles: dict[str, str] = field(default_factory=dict)  # role id -> label
    threat_insight: dict[str, Any] = field(default_factory=dict)
    zones: dict[str, dict[str, Any]] = field(default_factory=dict)  # IP network zones, by id
    logs: list[dict[str, Any]] = field(default_factory=list)  # sorted by (published, uuid)
    oauth_clients: dict[str, OAuthClient] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- lookups ---------------------------------------------------------------------------

    def default_brand(self) -> Brand | None:
        return next((b for b in self.brands.values() if b.is_default), None)

    def is_role(self, role_ref: str) -> bool:
        return role_ref in STANDARD_ROLES or role_ref in self.custom_roles

    def subscription_types(self, role_ref: str) -> tuple[str, ...]:
        """Notification types a role can subscribe to (the report one only for two roles)."""
        if role_ref in REPORT_NOTIFICATION_ROLES:
            return NOTIFICATION_TYPES
        return tuple(t for t in NOTIFICATION_TYPES if t != "REPORT_SUSPICIOUS_ACTIVITY")

    def subscription_status(self, role_ref: str, notification_type: str) -> str:
        return self.role_subscriptions.get(role_ref, {}).get(notification_type, "unsubscribed")

    # -- mutations used by tests and handlers ----------------------------------------------

    def add_log_event(self, event: dict[str, Any]) -> None:
        """Insert one LogEvent keeping the (published, uuid) order polling relies on.

        ``published`` is rewritten in Okta's format so string order is time order.
        """
        event = dict(event)
        event["published"] = iso(parse_iso(str(event["published"])))
        with self.lock:
            self.logs.append(event)
            self.logs.sort(key=log_sort_key)


def log_sort_key(event: dict[str, Any]) -> tuple[str, str]:
    return (str(event.get("published", "")), str(event.get("uuid", "")))
