"""Typed, validated stack settings (what the program and the checks consume)."""

from __future__ import annotations

from dataclasses import dataclass

# Settings notification names, in the order the README documents them.
NOTIFICATION_NAMES: tuple[str, ...] = (
    "newSignOn",
    "factorEnrolled",
    "factorReset",
    "passwordChanged",
    "reportSuspiciousActivity",
)

KeyPath = tuple[str | int, ...]


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


@dataclass(frozen=True)
class EventHookSpec:
    name: str
    url: str
    auth_header: str
    events: tuple[str, ...]
    headers: dict[str, str]
    verify: bool
    path: KeyPath


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
