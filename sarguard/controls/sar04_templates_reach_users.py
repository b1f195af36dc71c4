"""SAR-04: the link-carrying templates are sent to end users in every brand.

Why: the Security > General switches only govern the default brand. In any brand a template
whose recipients are ``ADMINS_ONLY`` or ``NO_USERS`` never reaches the end user, link or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import (
    DECLARED_SOURCES,
    finding,
    link_templates,
    template_key,
    unread_for,
)
from sarguard.controls.base import Control, Finding
from sarguard.model import ORG, SECTION_BRANDS, OrgState, is_unknown

ID = "SAR-04"
REQUIRED = "ALL_USERS"


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    reason = unread_for(state, SECTION_BRANDS)
    if reason:
        return [finding(ID, "not_evaluated", ORG, f"brands and templates could not be read: {reason}")]
    out: list[Finding] = []
    for brand, template in link_templates(state):
        key = template_key(brand, template)
        where = f"{template.name} in brand {brand.key}"
        reason = unread_for(state, key)
        value = template.recipients
        if reason:
            out.append(finding(ID, "not_evaluated", key, f"{where}: settings could not be read: {reason}",
                               urn=template.settings_urn))
        elif is_unknown(value):
            out.append(finding(ID, "not_evaluated", key,
                               f"{where}: recipients cannot be known during preview",
                               urn=template.settings_urn))
        elif value is None:
            if state.source not in DECLARED_SOURCES:  # live: Okta did not say
                out.append(finding(ID, "not_evaluated", key, f"{where}: recipients were not returned",
                                   urn=template.settings_urn))
            else:  # declared without an EmailTemplateSettings: no subject in this evidence
                out.append(finding(ID, "not_applicable", key,
                                   f"{where}: no EmailTemplateSettings is declared, so this "
                                   "evidence does not set its recipients; drift and audit judge "
                                   "them on the live org", urn=template.settings_urn))
        elif value == REQUIRED:
            out.append(finding(ID, "pass", key, f"{where}: recipients are {REQUIRED}",
                               urn=template.settings_urn))
        else:
            out.append(finding(ID, "fail", key,
                               f"{where}: recipients are {value}, so end users never get this email",
                               urn=template.settings_urn, recipients=value))
    if not out:  # no brand holds a link-carrying template: nothing to judge
        out.append(finding(ID, "not_applicable", ORG, "no link-carrying template is declared or "
                                                      "present, so there are no recipients to judge"))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-04-templates-reach-end-users",
    title="Link-carrying email templates are sent to all users in every brand",
    severity="high",
    default_level="mandatory",
    rationale=("Template recipients are set per brand; ADMINS_ONLY or NO_USERS on a link-carrying "
               "template stops that email, and its report link, from reaching end users even when "
               "the Security > General switches are on."),
    remediation=("Set recipients: ALL_USERS under sarguard:settings.brands[].templates.<Template> in "
                 "stacks/Pulumi.<stack>.yaml (ALL_USERS is the default) and run `pulumi up`. Admin "
                 "Console: Customizations > Brands > <brand> > Emails > <template> > Settings > "
                 "Send this email to: All users."),
    references=(
        "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/CustomTemplates/",
        "https://help.okta.com/oie/en-us/content/topics/settings/settings-configure-email-notification.htm",
    ),
    evaluate=evaluate,
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "AC-9(3)": "Account-change notifications must reach the users themselves, not only admins.",
        "IR-6": "Only a user who receives the email can report the activity in it.",
    },
    "iso-27001": {
        "A.6.8": "Event reports come from the people who receive the notifications.",
    },
    "cis-v8": {
        "17.3": "The reporting process reaches every user, in every brand.",
    },
}
