"""``sarguard import --fix``: the plan made compliant, starting from what the org is.

Every change is recorded as a :class:`Fix` (control id, resource key, what changed) and noted on
the part it changed, so the stack file's comments and the printed summary say the same thing.
"Needs the link" and "lacks a required variable" are decided by the controls' own functions
(:func:`~sarguard.controls.sar03_templates_keep_link.judge_body`,
:func:`~sarguard.controls.sar09_templates_acceptable.missing_variable_groups`), so ``sarguard
check`` passes on what this writes by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sarguard.adopt.bodies import REPORT_LINK_BLOCK, insert_block, variables_block
from sarguard.adopt.plan import (
    DEFAULT_AUTH_HEADER,
    AdoptionPlan,
    CustomizationPlan,
    HookPlan,
    TemplatePlan,
)
from sarguard.controls.sar03_templates_keep_link import judge_body
from sarguard.controls.sar09_templates_acceptable import MAX_BODY_BYTES, missing_variable_groups
from sarguard.model import (
    REPORT_EVENT,
    key_customization,
    key_event_hook,
    key_notifications,
    key_role_subscription,
    key_template_settings,
    key_threat_insight,
)

NEW_HOOK_NAME = "suspicious-activity-reports"
FIX_ROLE = "SUPER_ADMIN"
MIN_THREAT_ACTION = "audit"


@dataclass(frozen=True)
class Fix:
    control: str
    resource: str
    change: str


def apply_fixes(plan: AdoptionPlan, hook_url: str | None = None) -> list[Fix]:
    """Change ``plan`` in place into the compliant version; returns every change made."""
    fixes: list[Fix] = []
    plan.fixed = True
    _switches(plan, fixes)
    for brand in plan.brands:
        for template in brand.templates:
            _recipients(brand.key, template, fixes)
            _default(brand.key, template, fixes)
            for custom in template.customizations:
                _variables(brand.key, template, custom, fixes, plan.warnings)
                _link(brand.key, template, custom, fixes, plan.warnings)
    _hook(plan, hook_url, fixes)
    if FIX_ROLE not in plan.roles:
        plan.roles.insert(0, FIX_ROLE)
        fixes.append(Fix("SAR-08", key_role_subscription(FIX_ROLE), f"{FIX_ROLE} subscribed to "
                                                                     "REPORT_SUSPICIOUS_ACTIVITY"))
    if plan.threat_action == "none":
        plan.threat_action = MIN_THREAT_ACTION
        fixes.append(Fix("SAR-10", key_threat_insight(), "ThreatInsight action none -> audit"))
    return fixes


def _switches(plan: AdoptionPlan, fixes: list[Fix]) -> None:
    if plan.notifications is None:
        plan.warnings.append("SAR-01/SAR-02 not fixed: the switches could not be read, so the "
                             "stack does not manage them; turn them on in the Admin Console "
                             "(Security > General) or import with an SSWS API token")
        return
    for name, value in plan.notifications.items():
        if not value:
            plan.notifications[name] = True
            control = "SAR-01" if name == "reportSuspiciousActivity" else "SAR-02"
            fixes.append(Fix(control, key_notifications(), f"{name} false -> true"))


def _recipients(brand: str, template: TemplatePlan, fixes: list[Fix]) -> None:
    if template.recipients != "ALL_USERS":
        fixes.append(Fix("SAR-04", key_template_settings(brand, template.name),
                         f"recipients {template.recipients} -> ALL_USERS"))
        template.notes.append(f"--fix SAR-04: recipients were {template.recipients}")
        template.recipients = "ALL_USERS"


def _default(brand: str, template: TemplatePlan, fixes: list[Fix]) -> None:
    """Okta keeps exactly one default per customized template (SAR-09)."""
    if not template.customizations or any(c.is_default for c in template.customizations):
        return
    chosen = next((c for c in template.customizations if c.language == "en"), template.customizations[0])
    chosen.is_default = True
    chosen.notes.append("--fix SAR-09: marked the default (none of the declared ones was)")
    fixes.append(Fix("SAR-09", key_customization(brand, template.name, chosen.language),
                     "marked isDefault: true (the template had no declared default)"))


def _fits(body: str) -> bool:
    return len(body.encode("utf-8")) < MAX_BODY_BYTES


def _variables(brand: str, template: TemplatePlan, custom: CustomizationPlan, fixes: list[Fix],
               warnings: list[str]) -> None:
    groups = missing_variable_groups(template.name, custom.body)
    if not groups:
        return
    names = [group[-1] for group in groups]  # the current name of each (request.authenticator...)
    fixed = insert_block(custom.body, variables_block(names),
                         lambda body: not missing_variable_groups(template.name, body) and _fits(body))
    resource = key_customization(brand, template.name, custom.language)
    if fixed is None:
        warnings.append(f"SAR-09 not fixed for {resource}: the variables cannot be added within "
                        "Okta's 64 KB body limit")
        return
    custom.body = fixed
    listed = ", ".join(f"${{{n}}}" for n in names)
    custom.notes.append(f"--fix SAR-09: added {listed}")
    fixes.append(Fix("SAR-09", resource, f"added the required variable(s) {listed}"))


def _link(brand: str, template: TemplatePlan, custom: CustomizationPlan, fixes: list[Fix],
          warnings: list[str]) -> None:
    status, why = judge_body(custom.body)
    if status == "pass":
        return
    resource = key_customization(brand, template.name, custom.language)
    fixed = insert_block(custom.body, REPORT_LINK_BLOCK,
                         lambda body: judge_body(body)[0] == "pass" and _fits(body)
                         and not missing_variable_groups(template.name, body))
    if fixed is None:
        warnings.append(f"SAR-03 not fixed for {resource}: {_why_no_link(custom.body)}")
        return
    custom.body = fixed
    custom.notes.append("--fix SAR-03: report link added")
    fixes.append(Fix("SAR-03", resource, f"report link added ({why})"))


def _why_no_link(body: str) -> str:
    """Why adding the link block does not make the body pass: the body itself (a token handed to
    another site, a body Velocity cannot parse) or Okta's size limit."""
    anyway = insert_block(body, REPORT_LINK_BLOCK, lambda _: True)
    status, why = judge_body(anyway) if anyway is not None else ("fail", "")
    if status != "pass" and why:
        return (f"with the report link added it still fails ({why}); edit the body by hand "
                "(e.g. remove a link that hands the token to another site)")
    return "the report link cannot be added within Okta's 64 KB body limit"


def _hook(plan: AdoptionPlan, hook_url: str | None, fixes: list[Fix]) -> None:
    hook = plan.hook
    if hook is None:
        if hook_url is None:
            plan.warnings.append("SAR-05 will fail: no hook is subscribed to the report event; "
                                 "run `sarguard import --fix --hook-url URL` with your SOC's "
                                 "endpoint to declare one")
            return
        plan.hook = HookPlan(name=NEW_HOOK_NAME, url=hook_url, auth_header=DEFAULT_AUTH_HEADER,
                             events=[REPORT_EVENT], headers={}, secret_headers=[], active=True,
                             verify=True, id=None,
                             notes=["--fix SAR-05: a new hook to --hook-url (none was subscribed "
                                    "to the report event)"])
        fixes.append(Fix("SAR-05", key_event_hook(NEW_HOOK_NAME), f"new hook to {plan.hook.url}"))
        return
    if hook_url is not None:
        plan.warnings.append(f"--hook-url ignored: the org already has a report hook "
                             f"({hook.name}), which the stack keeps")
    resource = key_event_hook(hook.name)
    if not hook.active:
        hook.active = True
        hook.notes.append("--fix SAR-05: active (was INACTIVE)")
        fixes.append(Fix("SAR-05", resource, "active: true (was INACTIVE)"))
    if not hook.verify:
        hook.verify = True
        hook.notes.append("--fix SAR-05: verify (was UNVERIFIED)")
        fixes.append(Fix("SAR-05", resource, "verify: true (was UNVERIFIED)"))
    if not hook.auth_header:
        hook.auth_header = DEFAULT_AUTH_HEADER
        hook.notes.append(f"--fix SAR-06: authHeader {DEFAULT_AUTH_HEADER} (the hook sent none)")
        fixes.append(Fix("SAR-06", resource, f"authHeader: {DEFAULT_AUTH_HEADER} (the hook sent none)"))
