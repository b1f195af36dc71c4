"""SAR-03: every customization of the link-carrying templates keeps the report link.

Why: a customized template shows the "Report suspicious activity" button only when its body
renders ``${request.reportSuspiciousActivityToken}``. Orgs that customized before the feature
existed, or that commented the token out, silently lose the link for that brand and language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import (
    customization_key,
    describe_language,
    finding,
    link_templates,
    template_key,
    template_unread,
    unread_for,
)
from sarguard.controls.base import Control, Finding
from sarguard.controls.velocity import has_reference, has_visible_reference
from sarguard.model import ORG, SECTION_BRANDS, OrgState, is_unknown

ID = "SAR-03"
TOKEN = "request.reportSuspiciousActivityToken"


def judge_body(body: Any) -> tuple[str, str]:
    """``(status, why)`` for one body: ``pass`` only when an email would show the link. Public so
    that ``sarguard import --fix`` decides "needs the link" exactly as this control does."""
    if is_unknown(body):
        return "not_evaluated", "the body cannot be known during preview"
    if not isinstance(body, str) or not body:
        return "fail", "the customization has no body, so it has no report link"
    if has_visible_reference(body, TOKEN):
        return "pass", f"the body renders ${{{TOKEN}}}"
    if has_reference(body, TOKEN):
        return "fail", (f"${{{TOKEN}}} appears only inside an HTML comment (<!-- … -->), which "
                        "renders no report button")
    if TOKEN in body or "reportSuspiciousActivityToken" in body:
        return "fail", (f"${{{TOKEN}}} appears only where Velocity does not render it "
                        "(commented out, escaped or malformed)")
    return "fail", f"the body does not reference ${{{TOKEN}}} (missing or misspelled)"


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    reason = unread_for(state, SECTION_BRANDS)
    if reason:
        return [finding(ID, "not_evaluated", ORG, f"brands and templates could not be read: {reason}")]
    out: list[Finding] = []
    for brand, template in link_templates(state):
        incomplete = template_unread(state, brand, template)
        if incomplete:
            out.append(finding(ID, "not_evaluated", template_key(brand, template),
                               f"customizations of {template.name} could not all be read: {incomplete}",
                               urn=template.settings_urn, rule="SAR-03/template-read"))
        for custom in template.customizations:
            status, why = judge_body(custom.body)
            out.append(finding(ID, status, customization_key(brand, template, custom),
                               f"{template.name} ({describe_language(custom)}, brand {brand.key}): "
                               f"{why}", urn=custom.urn, rule="SAR-03/report-link"))
    if not out:
        out.append(finding(ID, "pass", ORG, "no link-carrying template is customized; Okta's "
                                            "default templates carry the report link"))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-03-templates-keep-report-link",
    title="Customized link-carrying email templates keep the report link",
    severity="critical",
    default_level="mandatory",
    rationale=("Okta only renders the Report suspicious activity button in a customized "
               "NewSignOnNotification, AuthenticatorEnrolled, AuthenticatorReset or PasswordChanged "
               "template when the body keeps ${request.reportSuspiciousActivityToken} where the "
               "email shows it (not in a Velocity comment, escaped, or inside an HTML comment); "
               "every brand and language is a separate customization that can lose it."),
    remediation=("Add ${request.reportSuspiciousActivityToken} (e.g. as the href of the report "
                 "button) to the body of the customization named in the finding: edit body/bodyFile "
                 "under sarguard:settings.brands[].templates.<Template>.customizations[] in "
                 "stacks/Pulumi.<stack>.yaml and run `pulumi up`, or reset the template in the Admin "
                 "Console (Customizations > Brands > <brand> > Emails > <template> > Reset to default)."),
    references=(
        "https://help.okta.com/oie/en-us/content/topics/security/suspicious-activity-reporting.htm",
        "https://developer.okta.com/docs/guides/custom-email/main/",
    ),
    evaluate=evaluate,
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "IR-6": "A customized email without the link removes the users' way to report.",
        "IR-6(1)": "The link is the automated reporting mechanism; the check keeps it in every template.",
        "CM-6": "The templates are configuration settings whose required content is checked on every change.",
    },
    "iso-27001": {
        "A.6.8": "Keeps the reporting channel inside each customized email.",
    },
    "cis-v8": {
        "17.3": "Keeps the reporting process reachable from every customized email.",
    },
}
