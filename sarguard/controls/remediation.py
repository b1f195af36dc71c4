"""Remediation in the form of the evidence: a resource the program declares with a pulumi-okta
class is fixed in that class's arguments, not in ``sarguard:settings`` it does not have.

The catalog's own remediation speaks settings keys (what sarguard's component reads); evidence
adapters record, per resource key, the class a program used directly (``OrgState.meta``
``declaredAs``), and the runner picks the wording here for those resources.
"""

from __future__ import annotations

from sarguard.model import DECLARED_AS, RAW_PROGRAM, OrgState

_LINK = "${request.reportSuspiciousActivityToken}"
_RAW: dict[str, str] = {
    "SAR-01": ("Set report_suspicious_activity_enabled=True on okta.SecurityNotificationEmails(…) "
               "at the line named in the finding (unset means true) and run `pulumi up`."),
    "SAR-02": ("Set send_email_for_new_device_enabled, send_email_for_factor_enrollment_enabled, "
               "send_email_for_factor_reset_enabled and send_email_for_password_changed_enabled to "
               "True on okta.SecurityNotificationEmails(…) and run `pulumi up`."),
    "SAR-03": (f"okta.EmailCustomization(body=…) must keep {_LINK} (e.g. as the href of the report "
               "button): add it to the body at the line named in the finding and run `pulumi up`."),
    "SAR-04": ("Set recipients=\"ALL_USERS\" on okta.EmailTemplateSettings(…) for the template named "
               "in the finding (ALL_USERS is the default) and run `pulumi up`."),
    "SAR-05": ("Declare okta.EventHook(status=\"ACTIVE\", events=[\"user.account."
               "report_suspicious_activity_by_enduser\"], channel={\"type\": \"HTTP\", \"version\": "
               "\"1.0.0\", \"uri\": \"https://…\"}) and okta.EventHookVerification(event_hook_id="
               "hook.id), then run `pulumi up`."),
    "SAR-06": ("Give okta.EventHook(auth={\"type\": \"HEADER\", \"key\": <header>, \"value\": …}) a "
               "value from a Pulumi secret (pulumi.Config().require_secret(…)), never a literal, and "
               "run `pulumi up`."),
    "SAR-07": ("Fix okta.EventHook(events=[…], channel={\"uri\": …}) at the line named in the "
               "finding: subscribe user.account.report_suspicious_activity_by_enduser, only event "
               "types Okta accepts, an https URL."),
    "SAR-08": ("Declare okta.RoleSubscription(role_ref=\"SUPER_ADMIN\" (and/or \"ORG_ADMIN\"), "
               "notification_type=\"REPORT_SUSPICIOUS_ACTIVITY\") and run `pulumi up`."),
    "SAR-09": ("Fix okta.EmailCustomization(subject=…, body=…, language=…, is_default=…) at the "
               "line named in the finding: keep the template's required variables, exactly one "
               "is_default=True per template, one customization per language, subject <= 128 "
               "characters, body < 64 KB."),
    "SAR-10": ("Set action=\"audit\" or \"block\" on okta.ThreatInsightSettings(…) and run "
               "`pulumi up`."),
}


def raw_remediation(control: str, state: OrgState, resource: str) -> str | None:
    """The class-and-argument wording for ``resource`` when the program declared it with a
    pulumi-okta class (or, for an org-level finding, when the program declares everything that
    way), else None (the catalog's settings wording applies)."""
    declared_as = state.meta.get(DECLARED_AS) or {}
    if resource in declared_as or ("/" not in resource and state.meta.get(RAW_PROGRAM)):
        return _RAW.get(control)
    return None
