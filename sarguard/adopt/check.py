"""The control catalog over the planned stack, before anything is written.

``sarguard import --fix`` promises that ``sarguard check`` passes every mandatory control once the
printed secrets are set. This builds the state the program would declare for the plan (the
secrets assumed set, as the precondition says) and runs the same catalog over it, so the summary
names what would still fail (no hook without ``--hook-url``, an event type Okta does not publish)
instead of letting ``check`` find out.
"""

from __future__ import annotations

from sarguard.adopt.plan import AdoptionPlan
from sarguard.controls.base import Finding
from sarguard.controls.catalog import CATALOG
from sarguard.controls.runner import evaluate_catalog
from sarguard.evidence.pulumi_resources import Secret
from sarguard.model import (
    NOTIFICATION_FIELDS,
    NOTIFICATIONS_MANAGED,
    REPORT_NOTIFICATION,
    Brand,
    Customization,
    EventHook,
    NotificationSettings,
    OrgState,
    RoleSubscription,
    Template,
    ThreatInsight,
)

# The controls that judge declared evidence (SAR-11/12 judge the System Log: a stack has none).
STACK_CONTROLS = tuple(c.id for c in CATALOG if "declared" in c.sources)


def planned_state(plan: AdoptionPlan) -> OrgState:
    """What the program would declare for ``plan``, as declared evidence."""
    state = OrgState(source="declared")
    if plan.notifications is None:
        state.meta[NOTIFICATIONS_MANAGED] = False
    else:
        state.notifications = NotificationSettings(
            {NOTIFICATION_FIELDS[name]: value for name, value in plan.notifications.items()})
    for brand in plan.brands:
        state.brands[brand.key] = Brand(
            key=brand.key, id=brand.id, name=brand.name, is_default=brand.key == "default",
            templates={t.name: Template(t.name, t.recipients, [
                Customization(c.language, c.subject, c.body, c.is_default) for c in t.customizations])
                for t in brand.templates})
    hook = plan.hook
    if hook is not None:
        headers: dict[str, object] = dict(hook.headers)
        headers.update({h.name: Secret(True) for h in hook.secret_headers})
        state.event_hooks.append(EventHook(
            name=hook.name, status="ACTIVE" if hook.active else "INACTIVE",
            verification_status="VERIFIED" if hook.verify else "UNVERIFIED", channel_type="HTTP",
            channel_version="1.0.0", uri=hook.url, headers=headers,
            auth_type="HEADER" if hook.auth_header else None, auth_key=hook.auth_header,
            auth_value_set=bool(hook.auth_header), auth_value_secret=True if hook.auth_header else None,
            events=list(hook.events)))
    state.role_subscriptions = [RoleSubscription(role, REPORT_NOTIFICATION) for role in plan.roles]
    state.threat_insight = ThreatInsight(plan.threat_action, list(plan.threat_zones))
    return state


def still_failing(plan: AdoptionPlan) -> list[Finding]:
    """Mandatory findings that fail (or cannot be judged) on the planned stack."""
    findings = evaluate_catalog(planned_state(plan))
    return [f for f in findings if f.control in STACK_CONTROLS and f.level == "mandatory"
            and f.status in ("fail", "not_evaluated")]
