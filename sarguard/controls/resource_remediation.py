"""Remediation in the form of the evidence, for resources a program declares itself.

Why: the catalog's remediation names ``sarguard:settings`` keys in the stack file, which is
right for sarguard's component and wrong for a program (in any language) that declares
pulumi-okta resources directly — judged from ``pulumi preview --json``. There the fix is an
argument of a resource: this names the resource's Pulumi type, its name and the argument
(pulumi-okta's schema property names, the same in every language's SDK up to its casing).
"""

from __future__ import annotations

from dataclasses import replace

from sarguard.controls.base import Finding

T_NOTIFICATIONS = "okta:index/securityNotificationEmails:SecurityNotificationEmails"
T_CUSTOMIZATION = "okta:index/emailCustomization:EmailCustomization"
T_TEMPLATE_SETTINGS = "okta:index/emailTemplateSettings:EmailTemplateSettings"
T_EVENT_HOOK = "okta:index/eventHook:EventHook"
T_ROLE_SUBSCRIPTION = "okta:index/roleSubscription:RoleSubscription"
T_THREAT_INSIGHT = "okta:index/threatInsightSettings:ThreatInsightSettings"

# (control, resource type) -> what to change in that resource's arguments.
_ARGUMENTS: dict[tuple[str, str], str] = {
    ("SAR-01", T_NOTIFICATIONS): "set reportSuspiciousActivityEnabled to true (or leave it unset: "
                                 "it defaults to true)",
    ("SAR-02", T_NOTIFICATIONS): "set sendEmailForNewDeviceEnabled, sendEmailForFactorEnrollmentEnabled, "
                                 "sendEmailForFactorResetEnabled and sendEmailForPasswordChangedEnabled "
                                 "to true (unset means true)",
    ("SAR-03", T_CUSTOMIZATION): "its body must keep ${request.reportSuspiciousActivityToken} (e.g. as "
                                 "the href of the report button)",
    ("SAR-04", T_TEMPLATE_SETTINGS): 'set recipients to "ALL_USERS"',
    ("SAR-05", T_EVENT_HOOK): "keep status ACTIVE, an https channel uri, "
                              "user.account.report_suspicious_activity_by_enduser in events, and "
                              "declare an okta:index/eventHookVerification:EventHookVerification for it",
    ("SAR-06", T_EVENT_HOOK): "give auth a key (the header name) and a value from a Pulumi secret "
                              "(and every credential-like header's value too)",
    ("SAR-07", T_EVENT_HOOK): "list in events only types `sarguard events --eligible` lists, at most "
                              "300",
    ("SAR-08", T_ROLE_SUBSCRIPTION): 'declare one with roleRef SUPER_ADMIN or ORG_ADMIN and '
                                     'notificationType "REPORT_SUSPICIOUS_ACTIVITY"',
    ("SAR-09", T_CUSTOMIZATION): "keep the template's required variables in its body, exactly one "
                                 "customization per template with isDefault true, one per language, "
                                 "subject <= 128 characters, body < 64 KB",
    ("SAR-10", T_THREAT_INSIGHT): 'set action to "audit" or "block"',
}


# A finding about something the program does not declare at all names the resource to add.
_MISSING: dict[str, str] = {
    "SAR-01": T_NOTIFICATIONS,
    "SAR-02": T_NOTIFICATIONS,
    "SAR-05": T_EVENT_HOOK,
    "SAR-08": T_ROLE_SUBSCRIPTION,
    "SAR-10": T_THREAT_INSIGHT,
}
# sarguard's component: its children are built from the stack settings, whose remediation stands.
_COMPONENT = "sarguard:index:SuspiciousActivityReporting"


def _type_and_name(urn: str) -> tuple[str, str] | None:
    parts = urn.split("::")
    if len(parts) < 4 or _COMPONENT in parts[2]:
        return None
    return parts[2].rsplit("$", 1)[-1], parts[-1]


def resource_remediation(finding: Finding, *, component: bool = False) -> str | None:
    """The fix as an argument of the declared resource the finding's URN names (or, with no URN,
    the resource to declare), or None when the catalog's remediation stands: the resource is the
    component's (``component``: the program declares sarguard's component) or not in the table."""
    if finding.urn:
        located = _type_and_name(finding.urn)
        if located is None:
            return None
        rtype, name = located
        advice = _ARGUMENTS.get((finding.control, rtype))
        if advice is None:
            return None
        return f"In the program, the {rtype} resource {name!r}: {advice}; then `pulumi up`."
    rtype = _MISSING.get(finding.control)
    if rtype is None or component:
        return None
    return (f"In the program, declare an {rtype} resource: "
            f"{_ARGUMENTS[(finding.control, rtype)]}; then `pulumi up`.")


def speak_resources(findings: list[Finding], *, component: bool = False) -> list[Finding]:
    """``findings`` with the remediation of every failing or unevaluated one rewritten in the
    terms of the resources the program declares (see :func:`resource_remediation`)."""
    out: list[Finding] = []
    for finding in findings:
        fix = resource_remediation(finding, component=component) \
            if finding.status in ("fail", "not_evaluated") else None
        out.append(replace(finding, remediation=fix) if fix else finding)
    return out
