"""Shared helpers for control modules: building findings and reading evidence fail-closed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from sarguard.controls.base import Finding, Status
from sarguard.model import (
    LINK_TEMPLATES,
    SECTION_BRANDS,
    Brand,
    Customization,
    OrgState,
    Template,
    is_unknown,
    key_customization,
    key_template_settings,
)
from sarguard.util.netutil import is_loopback_host

# Sources whose evidence is a declaration (provider defaults apply to unset inputs).
DECLARED_SOURCES = frozenset({"declared", "stack-export", "pack"})
# Sources that can show whether a value is a Pulumi secret (the pack's SDK unwraps secrets).
SECRET_AWARE_SOURCES = frozenset({"declared", "stack-export"})


def finding(control: str, status: Status, resource: str, message: str,
            urn: str | None = None, rule: str = "", **details: Any) -> Finding:
    """A finding with only the control-owned fields set; the runner fills the rest. ``rule``
    names the check inside the control (``SAR-09/customization``); left empty, the runner
    fills ``<control>/main``."""
    return Finding(control=control, status=status, resource=resource, message=message,
                   urn=urn, details=dict(details), rule=rule)


def unread_for(state: OrgState, key: str, *sections: str) -> str | None:
    """Why ``key`` (or a parent path of it, or one of ``sections``) could not be read."""
    parts = key.split("/")
    candidates = ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]
    return state.unread_reason(*candidates, *sections)


def unread_under(state: OrgState, prefix: str) -> str | None:
    """Why some key below ``prefix`` could not be read (e.g. one template's customizations)."""
    for key, reason in state.unread.items():
        if key.startswith(prefix + "/"):
            return reason
    return None


def describe(value: Any) -> str:
    """A value as a message shows it (never used for secrets)."""
    if is_unknown(value):
        return "unknown until apply"
    if value is None:
        return "not set"
    return repr(value)


def listing(items: list[str], limit: int = 10) -> str:
    """A comma-separated list for a message, cut short after ``limit`` items."""
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def language_label(custom: Customization) -> str:
    """The language part of a customization's resource key, even when the language is unknown."""
    if isinstance(custom.language, str) and custom.language:
        return custom.language
    return custom.resource_name or "unknown-language"


def describe_language(custom: Customization) -> str:
    """The language as a message shows it."""
    if isinstance(custom.language, str) and custom.language:
        return custom.language
    return "language unknown until apply" if is_unknown(custom.language) else "no language"


def link_templates(state: OrgState) -> Iterator[tuple[Brand, Template]]:
    """Every (brand, template) pair of the four link-carrying templates, in a stable order."""
    for brand_key in sorted(state.brands):
        brand = state.brands[brand_key]
        for name in LINK_TEMPLATES:
            if name in brand.templates:
                yield brand, brand.templates[name]


def all_templates(state: OrgState) -> Iterator[tuple[Brand, Template]]:
    """Every (brand, template) pair the evidence holds, in a stable order."""
    for brand_key in sorted(state.brands):
        brand = state.brands[brand_key]
        for name in sorted(brand.templates):
            yield brand, brand.templates[name]


def customization_key(brand: Brand, template: Template, custom: Customization) -> str:
    return key_customization(brand.key, template.name, language_label(custom))


def template_key(brand: Brand, template: Template) -> str:
    """Template-level findings (e.g. "exactly one default") use the template's settings key."""
    return key_template_settings(brand.key, template.name)


def template_unread(state: OrgState, brand: Brand, template: Template) -> str | None:
    """Why this template's customizations may be incomplete (fail closed), if they may be."""
    prefix = f"brand/{brand.key}/template/{template.name}"
    reason = unread_for(state, prefix + "/customization", SECTION_BRANDS) or unread_under(
        state, prefix + "/customization")
    if reason:
        return reason
    count = template.customization_count
    if count is not None and count > len(template.customizations):
        return (f"Okta reports {count} customizations but only "
                f"{len(template.customizations)} could be read")
    if count is None and not template.customizations:
        # The template's own listing failed (its settings are unread): its customizations,
        # if any, were never seen.
        listing = unread_for(state, template_key(brand, template))
        if listing:
            return f"the template could not be read: {listing}"
    return None


def url_host(uri: str) -> str | None:
    """The host part of ``uri`` (lower-cased), or None when it has none."""
    try:
        host = urlsplit(uri).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def uri_problem(uri: Any) -> str | None:
    """Why a hook delivery URL is not acceptable, or None when it is (https; http to loopback).

    Messages name the host only: a URL's path or query may carry a token.
    """
    if not isinstance(uri, str) or not uri:
        return "has no delivery URL"
    try:
        parts = urlsplit(uri)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:
        return "has a malformed delivery URL"
    if not host:
        return "has a delivery URL without a host"
    if scheme == "https":
        return None
    if scheme == "http" and is_loopback_host(host):
        return None
    if scheme == "http":
        return f"delivers over plain http to a non-loopback host ({host})"
    return f"delivers to an unsupported URL scheme {scheme!r}"
