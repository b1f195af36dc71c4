"""Generate a benchmark org twice over: as an emulator seed (the live side) and as a Pulumi
project whose stack declares exactly that org (the declared side), so ``sarguard drift`` runs for
real and must find nothing.

Why generated, not checked in: the large org is 50 brands x 4 templates x 27 languages (5,400
customizations); its shape is a parameter of every measurement, and both sides must agree byte
for byte or drift would report differences instead of measuring reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sarguard.model import LINK_TEMPLATES, REPORT_EVENT
from sarguard.settings.okta_facts import OKTA_LANGUAGES

STACK = "bench"
SHAPE_FILE = "shape.json"
PROJECT_NAME = "sarguard-bench"
REPORT_HOOK = "suspicious-activity-reports"
REPORT_HOOK_URL = "https://soar.example.com/okta/events"
ADMIN_ROLES = ("SUPER_ADMIN", "ORG_ADMIN")
ADMIN_USER = "00u1benchAdmin000001"
# An opaque stand-in: offline runs never decrypt ``secure:`` values.
SECURE_PLACEHOLDER = "AAABAHNhcmd1YXJkLWJlbmNoLXBsYWNlaG9sZGVy"
OTHER_HOOK_EVENTS = ("user.lifecycle.create", "user.lifecycle.deactivate", "group.user_membership.add")
ALL_LANGUAGES: tuple[str, ...] = ("en", *sorted(OKTA_LANGUAGES - {"en"}))

# Variables Okta requires per template, so the generated bodies are ones Okta would accept.
_REQUIRED = {
    "NewSignOnNotification": ("request.browser", "request.date", "request.time",
                              "request.location", "request.ipAddress"),
    "AuthenticatorEnrolled": ("request.authenticator", "request.date"),
    "AuthenticatorReset": ("request.authenticators", "request.date"),
    "PasswordChanged": ("request.date", "request.time"),
}


@dataclass(frozen=True)
class OrgShape:
    """How big the org is. Every brand customizes every template in every language."""

    brands: int
    languages: tuple[str, ...] = ALL_LANGUAGES
    templates: tuple[str, ...] = LINK_TEMPLATES
    hooks: int = 25
    report_events: int = 3

    def __post_init__(self) -> None:
        if self.brands < 1:
            raise ValueError(f"brands: expected at least 1, got {self.brands}")
        if not 1 <= self.hooks <= 25:
            raise ValueError(f"hooks: expected 1-25 (Okta's limit), got {self.hooks}")
        unknown = set(self.languages) - OKTA_LANGUAGES
        if unknown or not self.languages:
            raise ValueError(f"languages: expected Okta languages, got {sorted(unknown) or 'none'}")
        if not set(self.templates) <= set(LINK_TEMPLATES) or not self.templates:
            raise ValueError(f"templates: expected some of {', '.join(LINK_TEMPLATES)}")

    @property
    def customizations(self) -> int:
        return self.brands * len(self.templates) * len(self.languages)

    @property
    def label(self) -> str:
        return (f"{self.brands} brands x {len(self.templates)} templates x "
                f"{len(self.languages)} languages")


def brand_id(index: int) -> str:
    """Okta-shaped brand ids; brand 0 is the org's default brand."""
    return f"bnd{index:04d}BenchBrand"


def stack_brand_id(index: int) -> str:
    return "default" if index == 0 else brand_id(index)


def subject(template: str, language: str) -> str:
    return f"[{language}] {template} for your ${{org.name}} account"


def body(template: str, language: str) -> str:
    """A realistic (~1 KB) body that keeps the report link and the required variables."""
    rows = "\n".join(f"    <tr><td>{v.split('.')[-1]}</td><td>${{{v}}}</td></tr>"
                     for v in _REQUIRED[template])
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}">\n'
        '<body style="font-family: Arial, Helvetica, sans-serif; color: #1d1d21;">\n'
        f"  <h2>{template} ({language})</h2>\n"
        "  <p>Hello $!{user.profile.firstName},</p>\n"
        f"  <p>This is the {language} notice that something changed on your ${{org.name}} "
        "account.</p>\n"
        f'  <table role="presentation">\n{rows}\n  </table>\n'
        "  <p>If this was you, there is nothing else to do. If you don't recognize this "
        "activity, report it now so your administrator can secure your account:</p>\n"
        '  <p><a href="${baseURL}/login/report-suspicious-activity?token='
        '${request.reportSuspiciousActivityToken}">Report suspicious activity</a></p>\n'
        "</body>\n</html>\n"
    )


def body_file(template: str, language: str) -> str:
    return f"email-templates/{template}.{language}.html"


# -- the live side -------------------------------------------------------------------------


def _customizations(shape: OrgShape, template: str) -> list[dict[str, Any]]:
    return [
        {"language": lang, "isDefault": i == 0, "subject": subject(template, lang),
         "body": body(template, lang), "created": "-30d"}
        for i, lang in enumerate(shape.languages)
    ]


def _hooks(shape: OrgShape) -> list[dict[str, Any]]:
    report = {
        "id": "who0benchReportHook1", "name": REPORT_HOOK, "status": "ACTIVE",
        "verificationStatus": "VERIFIED",
        "channel": {"uri": REPORT_HOOK_URL, "headers": [{"key": "X-Source", "value": "okta"}],
                    "authScheme": {"type": "HEADER", "key": "Authorization",
                                   "value": "bench-shared-secret"}},
        "events": [REPORT_EVENT],
    }
    others = [
        {"id": f"who{i:04d}benchOtherHook", "name": f"integration-hook-{i:02d}",
         "status": "ACTIVE", "verificationStatus": "VERIFIED",
         "channel": {"uri": f"https://integrations.example.com/hooks/{i}",
                     "authScheme": {"type": "HEADER", "key": "Authorization",
                                    "value": f"integration-secret-{i}"}},
         "events": [OTHER_HOOK_EVENTS[i % len(OTHER_HOOK_EVENTS)]]}
        for i in range(1, shape.hooks)
    ]
    return [report, *others]


def _report_event(index: int) -> dict[str, Any]:
    user = {"id": ADMIN_USER, "type": "User", "alternateId": "ada.admin@example.com",
            "displayName": "Ada Admin"}
    return {
        "uuid": f"r0000000-0000-4000-8000-{index:012d}",
        "published": f"-{index + 1}d",
        "eventType": REPORT_EVENT,
        "severity": "WARN",
        "displayMessage": "User reported suspicious activity",
        "actor": user,
        "target": [user],
        "outcome": {"result": "SUCCESS"},
        "debugContext": {"debugData": {
            "suspiciousActivityEventType": "user.session.start",
            "suspiciousActivityTimestamp": f"-{index + 1}d1h",
            "suspiciousActivityEventIp": "203.0.113.45",
            "suspiciousActivityBrowser": "CHROME",
            "suspiciousActivityOs": "Windows 10",
        }},
    }


def build_seed(shape: OrgShape) -> dict[str, Any]:
    """The emulator seed (a dict: ``Emulator(seed=...)``) for ``shape``."""
    brands = [
        {"id": brand_id(i), "name": f"Bench Brand {i}", "isDefault": i == 0, "locale": "en",
         "customPrivacyPolicyUrl": None,
         "templates": {t: {"recipients": "ALL_USERS", "customizations": _customizations(shape, t)}
                       for t in shape.templates}}
        for i in range(shape.brands)
    ]
    return {
        "org": {"name": "bench"},
        "users": [{"id": ADMIN_USER, "login": "ada.admin@example.com", "firstName": "Ada",
                   "lastName": "Admin", "email": "ada.admin@example.com", "created": "-400d"}],
        "notifications": {
            "sendEmailForNewDeviceEnabled": True,
            "sendEmailForFactorEnrollmentEnabled": True,
            "sendEmailForFactorResetEnabled": True,
            "sendEmailForPasswordChangedEnabled": True,
            "reportSuspiciousActivityEnabled": True,
        },
        "brands": brands,
        "eventHooks": _hooks(shape),
        "roleSubscriptions": {role: {"REPORT_SUSPICIOUS_ACTIVITY": "subscribed"}
                              for role in ADMIN_ROLES},
        "threatInsight": {"action": "audit", "excludeZones": []},
        "systemLog": [_report_event(i) for i in range(shape.report_events)],
    }


# -- the declared side ---------------------------------------------------------------------


def stack_settings(shape: OrgShape) -> dict[str, Any]:
    """``sarguard:settings`` declaring the same org as :func:`build_seed`."""
    brands = []
    for i in range(shape.brands):
        templates = {
            t: {"recipients": "ALL_USERS", "customizations": [
                {"language": lang, **({"isDefault": True} if n == 0 else {}),
                 "subject": subject(t, lang), "bodyFile": body_file(t, lang)}
                for n, lang in enumerate(shape.languages)]}
            for t in shape.templates
        }
        brands.append({"id": stack_brand_id(i), "templates": templates})
    return {
        "notifications": {"newSignOn": True, "factorEnrolled": True, "factorReset": True,
                          "passwordChanged": True, "reportSuspiciousActivity": True},
        "brands": brands,
        "eventHook": {"name": REPORT_HOOK, "url": REPORT_HOOK_URL, "authHeader": "Authorization",
                      "events": [REPORT_EVENT], "headers": {"X-Source": "okta"}, "verify": True},
        "adminNotifications": {"roles": list(ADMIN_ROLES)},
        "threatInsight": {"action": "audit"},
    }


def write_project(shape: OrgShape, root: Path, stack: str = STACK) -> Path:
    """A stacks-like Pulumi project in ``root``: Pulumi.yaml, stacks/Pulumi.<stack>.yaml and the
    body files the stack points at. Returns ``root``."""
    (root / "stacks").mkdir(parents=True, exist_ok=True)
    project = {"name": PROJECT_NAME, "runtime": {"name": "python"}, "stackConfigDir": "stacks",
               "config": {"okta:baseUrl": {"value": "okta.com"}}}
    (root / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False), "utf-8")
    for template in shape.templates:
        for lang in shape.languages:
            target = root / body_file(template, lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body(template, lang), "utf-8")
    config = {
        "okta:orgName": "bench",
        "okta:baseUrl": "okta.com",
        "sarguard:eventHookSecret": {"secure": SECURE_PLACEHOLDER},
        "sarguard:settings": stack_settings(shape),
    }
    text = ("# Generated by `python -m benchmarks`: the benchmark org "
            f"({shape.label}).\n" + yaml.dump({"config": config}, Dumper=_dumper(),
                                               sort_keys=False, allow_unicode=True, width=120))
    (root / "stacks" / f"Pulumi.{stack}.yaml").write_text(text, "utf-8")
    (root / SHAPE_FILE).write_text(json.dumps(shape_dict(shape)), "utf-8")
    return root


def shape_dict(shape: OrgShape) -> dict[str, Any]:
    return {"brands": shape.brands, "languages": list(shape.languages),
            "templates": list(shape.templates), "hooks": shape.hooks,
            "report_events": shape.report_events}


def read_shape(root: Path) -> OrgShape:
    """The shape a project was generated from (``write_project`` leaves it beside the stack)."""
    data = json.loads((root / SHAPE_FILE).read_text("utf-8"))
    return OrgShape(brands=data["brands"], languages=tuple(data["languages"]),
                    templates=tuple(data["templates"]), hooks=data["hooks"],
                    report_events=data["report_events"])


def _dumper() -> type[yaml.SafeDumper]:
    return getattr(yaml, "CSafeDumper", yaml.SafeDumper)
