"""SAR-08: admins are emailed when a user reports suspicious activity.

Why: the role subscription ``REPORT_SUSPICIOUS_ACTIVITY`` is what tells a human; without it a
report changes the user's session and password and nobody at the org notices. Okta allows the
subscription only for SUPER_ADMIN and ORG_ADMIN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import finding, unread_for
from sarguard.controls.base import Control, Finding
from sarguard.model import (
    ALLOWED_REPORT_ROLES,
    REPORT_NOTIFICATION,
    SECTION_ROLE_SUBSCRIPTIONS,
    OrgState,
    RoleSubscription,
    is_unknown,
    key_role_subscription,
)

ID = "SAR-08"


def _is_report(sub: RoleSubscription) -> bool:
    return sub.notification_type == REPORT_NOTIFICATION


def _undetermined(sub: RoleSubscription) -> bool:
    return is_unknown(sub.role) or is_unknown(sub.notification_type)


def _judge_role(state: OrgState, role: str) -> tuple[str, str, str | None]:
    key = key_role_subscription(role)
    reason = unread_for(state, key, SECTION_ROLE_SUBSCRIPTIONS)
    if reason:
        return "not_evaluated", f"{role}'s subscriptions could not be read: {reason}", None
    mine = [s for s in state.role_subscriptions if s.role == role and _is_report(s)]
    if any(s.status == "subscribed" for s in mine):
        urn = next(s.urn for s in mine if s.status == "subscribed")
        return "pass", f"{role} is subscribed to {REPORT_NOTIFICATION}", urn
    if any(is_unknown(s.status) for s in mine) or any(
            _undetermined(s) for s in state.role_subscriptions):
        return "not_evaluated", (f"whether {role} is subscribed to {REPORT_NOTIFICATION} cannot be "
                                 "known during preview"), None
    if mine:
        return "fail", f"{role} is unsubscribed from {REPORT_NOTIFICATION}", mine[0].urn
    return "fail", f"{role} is not subscribed to {REPORT_NOTIFICATION}", None


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    roles = list(dict.fromkeys(options.get("roles", ["SUPER_ADMIN"])))
    out: list[Finding] = []
    for role in roles:
        status, message, urn = _judge_role(state, role)
        if role not in ALLOWED_REPORT_ROLES:
            status, message = "fail", (f"{role} is in the roles option, but Okta only allows "
                                       f"{' and '.join(ALLOWED_REPORT_ROLES)} to subscribe")
        out.append(finding(ID, status, key_role_subscription(role), message, urn=urn))
    for sub in state.role_subscriptions:
        if not _is_report(sub) or _undetermined(sub) or sub.role in roles:
            continue
        key = key_role_subscription(str(sub.role))
        if sub.role not in ALLOWED_REPORT_ROLES:
            if sub.status != "unsubscribed":
                out.append(finding(ID, "fail", key,
                                   f"{sub.role} cannot subscribe to {REPORT_NOTIFICATION}; Okta "
                                   f"allows only {' and '.join(ALLOWED_REPORT_ROLES)}", urn=sub.urn,
                                   rule="SAR-08/other-role"))
        elif sub.status == "subscribed":
            out.append(finding(ID, "pass", key, f"{sub.role} is also subscribed to "
                                                f"{REPORT_NOTIFICATION}", urn=sub.urn,
                               rule="SAR-08/other-role"))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-08-admins-notified",
    title="Admins are notified of suspicious activity reports",
    severity="medium",
    default_level="mandatory",
    rationale=("The REPORT_SUSPICIOUS_ACTIVITY admin email subscription is how a person learns that "
               "a user reported activity; Okta accepts it only for SUPER_ADMIN and ORG_ADMIN."),
    remediation=("List the roles under sarguard:settings.adminNotifications.roles in "
                 "stacks/Pulumi.<stack>.yaml (SUPER_ADMIN and/or ORG_ADMIN), e.g. `pulumi config "
                 "set --path 'sarguard:settings.adminNotifications.roles[0]' SUPER_ADMIN`, then "
                 "`pulumi up`. Admin Console: Settings > Account > Admin email notifications > User "
                 "reporting of suspicious activity."),
    references=(
        "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/RoleSubscription/",
        "https://help.okta.com/oie/en-us/content/topics/security/suspicious-activity-reporting.htm",
    ),
    evaluate=evaluate,
    options_schema={
        "roles": {
            "type": "array",
            "description": "Roles that must be subscribed to REPORT_SUSPICIOUS_ACTIVITY.",
            "items": {"type": "string", "enum": list(ALLOWED_REPORT_ROLES)},
            "uniqueItems": True,
            "default": ["SUPER_ADMIN"],
        },
    },
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "IR-6": "Reports reach the designated personnel (the admins' role subscription).",
        "SI-4(12)": "Okta alerts the designated admins automatically when a user reports suspicious activity.",
    },
    "iso-27001": {
        "A.5.25": "The admins who assess and decide on a reported event are told about it.",
    },
    "cis-v8": {
        "17.2": "The admins to inform of reported incidents are kept as Okta's notification contacts.",
    },
}
