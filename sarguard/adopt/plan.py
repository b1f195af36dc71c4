"""What the stack will declare, taken from what the live org holds.

One :class:`AdoptionPlan` per run: the switches, every brand with its four link-carrying templates
and their customizations, the hook subscribed to the report event, the subscribed roles and
ThreatInsight. Each part keeps its live id (the import file needs it) and the notes the stack
file's comments show. What the stack cannot declare is skipped here with a warning that names
it; evidence that could not be read stops the run (nothing is written), except the notification
switches, which OAuth-only credentials can never read: the stack then leaves them unmanaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sarguard.adopt.errors import AdoptError
from sarguard.adopt.orgurl import ProviderOrg, provider_org
from sarguard.model import (
    ALLOWED_REPORT_ROLES,
    LINK_TEMPLATES,
    NOTIFICATION_FIELDS,
    REPORT_EVENT,
    SECTION_NOTIFICATIONS,
    EventHook,
    OrgState,
    Template,
)
from sarguard.report.values import clean_text
from sarguard.settings.okta_facts import OKTA_LANGUAGES
from sarguard.util.credentials import fingerprint, is_credential_header
from sarguard.util.urlsecrets import split_url_secrets

# The settings schema's brand id pattern (sarguard/data/settings.schema.json): also what keeps a
# brand's email-templates/<brand>/ folder a plain name.
BRAND_ID = re.compile(r"^[A-Za-z0-9_-]+$")
DEFAULT_AUTH_HEADER = "Authorization"


@dataclass
class CustomizationPlan:
    language: str
    is_default: bool
    subject: str
    body: str
    id: str | None  # the live customization's id (None: --fix adds it)
    notes: list[str] = field(default_factory=list)


@dataclass
class TemplatePlan:
    name: str
    recipients: str
    customizations: list[CustomizationPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class BrandPlan:
    key: str  # "default" for the org's default brand, else its id
    id: str   # the live id (the default brand's too: the import ids need it)
    name: str | None
    templates: list[TemplatePlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class SecretHeader:
    """A credential-like custom header: its value goes to a Pulumi secret, never to a file."""

    name: str
    fingerprint: str | None  # of the live value, so the user can tell the right one


@dataclass
class HookPlan:
    name: str
    url: str  # credential parameters already {secret:NAME} placeholders (see __post_init__)
    auth_header: str | None  # None: the live hook sends none (declared so; --fix adds one)
    events: list[str]
    headers: dict[str, str]
    secret_headers: list[SecretHeader]
    active: bool
    verify: bool
    id: str | None  # None: --fix --hook-url declares a new hook
    status: str | None = None  # live status and verification, for the comments
    verification: str | None = None
    notes: list[str] = field(default_factory=list)
    # The URL's {secret:NAME} placeholders: values go to sarguard:eventHookUrlSecrets.
    url_secrets: list[SecretHeader] = field(default_factory=list)

    def __post_init__(self) -> None:
        """A credential in the URL (a Logic App's ``sig=``, Azure Functions' ``code=``) never
        stays in the plan: it becomes a placeholder, and only its fingerprint is kept."""
        self.url, values = split_url_secrets(self.url)
        self.url_secrets += [SecretHeader(name, fingerprint(value)) for name, value in values.items()]


@dataclass
class AdoptionPlan:
    org_url: str
    provider: ProviderOrg | None
    # settings name -> value; None when the stack leaves the switches unmanaged
    notifications: dict[str, bool] | None
    notifications_unread: str | None
    brands: list[BrandPlan]
    hook: HookPlan | None
    other_report_hooks: list[str]  # "name (id, status/verification)" of those not imported
    roles: list[str]
    threat_action: str
    threat_zones: list[str]
    warnings: list[str] = field(default_factory=list)
    fixed: bool = False
    live_roles: list[str] = field(default_factory=list)  # subscribed live (importable)

    def customizations(self) -> list[tuple[BrandPlan, TemplatePlan, CustomizationPlan]]:
        return [(b, t, c) for b in self.brands for t in b.templates for c in t.customizations]


def shown(value: object) -> str:
    """A string from the org, safe in a comment, a warning or a CI log: one line, no controls."""
    return clean_text(str(value)).replace("\n", " ")


def blocking_unread(state: OrgState) -> list[str]:
    """Every unread family the stack would need, except the notification switches."""
    return [f"{key}: {reason}" for key, reason in sorted(state.unread.items())
            if key != SECTION_NOTIFICATIONS]


def build_plan(state: OrgState) -> AdoptionPlan:
    """The plan for what ``state`` (a live read) holds; raises :class:`AdoptError` when part of
    what the stack must declare could not be read."""
    blocked = blocking_unread(state)
    if blocked:
        listed = "\n".join(f"  - {shown(line)}" for line in blocked)
        raise AdoptError(f"cannot import: part of the org could not be read, and a stack "
                         f"written without it would declare less than is live:\n{listed}")
    org_url = str(state.meta.get("org") or "")
    warnings: list[str] = []
    notifications, unread = _notifications(state, warnings)
    if state.threat_insight is None or not isinstance(state.threat_insight.action, str):
        raise AdoptError("cannot import: the ThreatInsight answer has no action")
    hook, others = _report_hook(state.event_hooks, warnings)
    roles = [role for role in ALLOWED_REPORT_ROLES
             if any(s.role == role and s.status == "subscribed" for s in state.role_subscriptions)]
    return AdoptionPlan(
        org_url=org_url,
        provider=provider_org(org_url),
        notifications=notifications,
        notifications_unread=unread,
        brands=_brands(state, warnings),
        hook=hook,
        other_report_hooks=others,
        roles=list(roles),
        live_roles=list(roles),
        threat_action=state.threat_insight.action,
        threat_zones=list(state.threat_insight.exclude_zones),
        warnings=warnings,
    )


def _notifications(state: OrgState, warnings: list[str]) -> tuple[dict[str, bool] | None, str | None]:
    reason = state.unread.get(SECTION_NOTIFICATIONS)
    if reason is not None or state.notifications is None:
        reason = reason or "the security notification switches were not read"
        warnings.append(f"the notification switches could not be read ({reason}); the stack "
                        "leaves them unmanaged (notifications.manage: false), and drift/audit "
                        "judge them live: accept that with the waiver and ignore entries below")
        return None, reason
    values = {name: state.notifications.get(api) for name, api in NOTIFICATION_FIELDS.items()}
    return {name: bool(value) for name, value in values.items()}, None


def _brands(state: OrgState, warnings: list[str]) -> list[BrandPlan]:
    brands = sorted(state.brands.values(), key=lambda b: (not b.is_default, b.key))
    out: list[BrandPlan] = []
    for brand in brands:
        brand_id = brand.id if isinstance(brand.id, str) else ""
        if not BRAND_ID.fullmatch(brand.key) or not BRAND_ID.fullmatch(brand_id):
            raise AdoptError(f"cannot import: Okta returned the brand id {shown(brand_id)!r}, which "
                             "a stack cannot declare (expected letters, digits, '_' and '-')")
        plan = BrandPlan(key=brand.key, id=brand_id, name=brand.name if isinstance(brand.name, str) else None)
        for name in LINK_TEMPLATES:
            template = brand.templates.get(name)
            if template is None or not isinstance(template.recipients, str):
                raise AdoptError(f"cannot import: brand {brand.key} has no readable {name} "
                                 "template settings")
            plan.templates.append(_template(brand.key, name, template, warnings))
        out.append(plan)
    return out


def _template(brand: str, name: str, template: Template, warnings: list[str]) -> TemplatePlan:
    plan = TemplatePlan(name=name, recipients=template.recipients)
    if not template.customizations:
        plan.notes.append("not customized: Okta sends its default template (which carries the "
                          "report link)")
    for custom in sorted(template.customizations, key=lambda c: (not c.is_default, str(c.language))):
        where = f"{name} of brand {brand}"
        language = custom.language
        if not isinstance(language, str) or language not in OKTA_LANGUAGES:
            default = " (Okta's default for it)" if custom.is_default else ""
            warnings.append(f"skipped the {shown(language)!r} customization{default} of {where}: "
                            "it is not one of Okta's 27 email languages, so the stack cannot "
                            "declare it (drift lists it as unmanaged)")
            plan.notes.append(f"not declared: the {shown(language)!r} customization (not one of "
                              "Okta's 27 email languages)")
            continue
        if not isinstance(custom.body, str) or not isinstance(custom.subject, str):
            raise AdoptError(f"cannot import: the {language} customization of {where} has no "
                             "subject or body in Okta's answer")
        plan.customizations.append(CustomizationPlan(
            language=language, is_default=custom.is_default is True, subject=custom.subject,
            body=custom.body, id=custom.id))
    if plan.customizations and not any(c.is_default for c in plan.customizations):
        warnings.append(f"{name} of brand {brand}: no declared customization is the default "
                        "(SAR-09 fails until one is marked isDefault: true)")
    return plan


def _rank(hook: EventHook) -> tuple[int, str, str]:
    """ACTIVE+VERIFIED first, then ACTIVE, then the rest; ties by name and id."""
    score = 0 if (hook.status == "ACTIVE" and hook.verification_status == "VERIFIED") else \
        1 if hook.status == "ACTIVE" else 2
    return score, str(hook.name), str(hook.id)


def _describe(hook: EventHook) -> str:
    return f"{shown(hook.name)} (id {shown(hook.id)}, {shown(hook.status)}/{shown(hook.verification_status)})"


def _report_hook(hooks: list[EventHook], warnings: list[str]) -> tuple[HookPlan | None, list[str]]:
    """The stack holds one hook: the ACTIVE+VERIFIED one subscribed to the report event."""
    subscribed = sorted((h for h in hooks if isinstance(h.events, list) and REPORT_EVENT in h.events),
                        key=_rank)
    if not subscribed:
        return None, []
    chosen, others = subscribed[0], [_describe(h) for h in subscribed[1:]]
    if others:
        warnings.append(f"{len(subscribed)} hooks are subscribed to {REPORT_EVENT}; the stack holds "
                        f"one: imported {_describe(chosen)}, not imported: {', '.join(others)}")
    plain: dict[str, str] = {}
    secret: list[SecretHeader] = []
    for key, value in sorted(chosen.headers.items()):
        if is_credential_header(key):
            secret.append(SecretHeader(key, fingerprint(value) if isinstance(value, str) else None))
        else:
            plain[key] = value if isinstance(value, str) else ""
    auth = chosen.auth_key if isinstance(chosen.auth_key, str) and chosen.auth_key else None
    plan = HookPlan(
        name=str(chosen.name), url=str(chosen.uri or ""), auth_header=auth,
        events=[str(e) for e in chosen.events], headers=plain, secret_headers=secret,
        active=chosen.status == "ACTIVE", verify=chosen.verification_status == "VERIFIED",
        id=str(chosen.id) if chosen.id else None, status=chosen.status if isinstance(chosen.status, str) else None,
        verification=chosen.verification_status if isinstance(chosen.verification_status, str) else None)
    if auth is None:
        warnings.append(f"the hook {shown(chosen.name)} sends no auth header; the stack declares it "
                        "as it is (SAR-06 fails); `sarguard import --fix` declares "
                        f"{DEFAULT_AUTH_HEADER} (its value from sarguard:eventHookSecret)")
        plan.notes.append("Okta shows no auth header on this hook: declared as it is (SAR-06 fails)")
    return plan, others
