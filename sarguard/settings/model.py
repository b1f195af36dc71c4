"""Typed, validated stack settings (what the program and the checks consume)."""

from __future__ import annotations

from dataclasses import dataclass

from sarguard.model import LINK_TEMPLATES

# Settings notification names, in the order the README documents them.
NOTIFICATION_NAMES: tuple[str, ...] = (
    "newSignOn",
    "factorEnrolled",
    "factorReset",
    "passwordChanged",
    "reportSuspiciousActivity",
)

KeyPath = tuple[str | int, ...]
DEFAULT_RECIPIENTS = "ALL_USERS"


@dataclass(frozen=True)
class CustomizationSpec:
    language: str
    subject: str
    body: str
    is_default: bool
    body_file: str | None
    path: KeyPath


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    recipients: str
    customizations: tuple[CustomizationSpec, ...]
    path: KeyPath


@dataclass(frozen=True)
class BrandSpec:
    id: str
    templates: tuple[TemplateSpec, ...]
    path: KeyPath

    def declared_templates(self) -> tuple[TemplateSpec, ...]:
        """What the program declares for this brand: the templates the settings name, then
        every link-carrying template they leave out, with recipients ``ALL_USERS`` and no
        customization — so each of the four is judged (SAR-04) and compared (drift), not only
        those a user happened to mention. Their path is the brand's ``templates`` key."""
        named = {t.name for t in self.templates}
        implied = tuple(TemplateSpec(name, DEFAULT_RECIPIENTS, (), (*self.path, "templates", name))
                        for name in LINK_TEMPLATES if name not in named)
        return self.templates + implied


@dataclass(frozen=True)
class EventHookSpec:
    name: str
    # May hold {secret:NAME} placeholders in its query (values from sarguard:eventHookUrlSecrets).
    url: str
    # None: the hook sends no auth header (Okta accepts it; SAR-06 fails for it).
    auth_header: str | None
    events: tuple[str, ...]
    headers: dict[str, str]
    verify: bool
    path: KeyPath
    # false declares the hook INACTIVE, as an imported org may have it (SAR-05 fails on it).
    active: bool = True
    # Header names whose values come from sarguard:eventHookHeaderSecrets (credential-like ones).
    secret_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThreatInsightSpec:
    action: str
    exclude_zones: tuple[str, ...]
    path: KeyPath


@dataclass(frozen=True)
class Settings:
    notifications: dict[str, bool]
    brands: tuple[BrandSpec, ...]
    event_hook: EventHookSpec | None
    admin_roles: tuple[str, ...]
    threat_insight: ThreatInsightSpec | None
    # notifications.manage: declare SecurityNotificationEmails (false: OAuth-only orgs, where the
    # provider cannot manage it; ``notifications`` is then empty).
    manage_notifications: bool = True
