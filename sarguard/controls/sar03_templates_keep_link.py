"""SAR-03: every customization of the link-carrying templates keeps the report link.

Why: a customized template shows the "Report suspicious activity" button only when its body
renders ``${request.reportSuspiciousActivityToken}`` in a link the user can click. Orgs that
customized before the feature existed, or that commented the token out, silently lose the link for
that brand and language; a body that puts the token in a link to another site hands it that site,
and one inside ``#if(false)`` never renders it. So the token must sit in the ``href`` of a link to
the org itself (:mod:`sarguard.controls.sar03_links`), in a block that renders
(:func:`sarguard.controls.velocity.rendering`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
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
from sarguard.controls.sar03_links import TokenUse, host_of, token_uses
from sarguard.controls.velocity import rendered_references, rendering, strip_html_comments
from sarguard.model import ORG, SECTION_BRANDS, OrgState, is_unknown

ID = "SAR-03"
TOKEN = "request.reportSuspiciousActivityToken"
# Four times Okta's body limit: room for any body Okta accepts, while a hostile one (Python's
# html.parser slows down on some shapes) stays bounded to a fraction of a second.
MAX_JUDGED_CHARS = 256 * 1024


def judge_body(body: Any, org_url: str | None = None) -> tuple[str, str]:
    """``(status, why)`` for one body: ``pass`` only when an email would show a link that takes
    the token to the org itself (``org_url``, when known, is the org's own URL). Public so that
    ``sarguard import --fix`` decides "needs the link" exactly as this control does."""
    if is_unknown(body):
        return "not_evaluated", "the body cannot be known during preview"
    if not isinstance(body, str) or not body:
        return "fail", "the customization has no body, so it has no report link"
    if len(body) > MAX_JUDGED_CHARS:
        return "fail", (f"the body is {len(body)} characters, more than sarguard reads for links "
                        f"({MAX_JUDGED_CHARS}; Okta accepts less than 64 KB), so no report link "
                        "in it is vouched for")
    return _judge_text(body, org_url)


@lru_cache(maxsize=1024)
def _judge_text(body: str, org_url: str | None) -> tuple[str, str]:
    """The judgement of a body's text. Cached: an org's brands and languages share bodies (one
    template in 27 languages × many brands), and the verdict depends on the text and org only."""
    rendered = rendering(body)
    uses = token_uses(strip_html_comments(rendered.text), host_of(org_url), TOKEN)
    wrong = _wrong_use(uses, org_url)
    if wrong:
        return "fail", wrong
    linked = [u for u in uses if u.where == "link"]
    if linked:
        return "pass", (f"the report link's href ({linked[0].detail}) takes ${{{TOKEN}}} to "
                        "the org")
    if uses:
        place = f"in a <{uses[0].tag}> attribute" if uses[0].tag else "as text"
        return "fail", (f"${{{TOKEN}}} is rendered outside any link's href ({place}), so the "
                        "email has no report button")
    if any(name == TOKEN for name, _, _ in rendered_references(rendered.text)):
        return "fail", (f"${{{TOKEN}}} appears only inside an HTML comment (<!-- … -->), which "
                        "renders no report button")
    dead = next((why for chunk, why in rendered.dead
                 if any(name == TOKEN for name, _, _ in rendered_references(chunk))), None)
    if dead:
        if rendered.malformed:
            return "fail", f"{dead}; the report link with it"
        return "fail", (f"${{{TOKEN}}} appears only inside a Velocity block that never renders: "
                        f"{dead}")
    if TOKEN in body or "reportSuspiciousActivityToken" in body:
        return "fail", (f"${{{TOKEN}}} appears only where Velocity does not render it "
                        "(commented out, escaped or malformed)")
    return "fail", f"the body does not reference ${{{TOKEN}}} (missing or misspelled)"


def _wrong_use(uses: list[TokenUse], org_url: str | None) -> str | None:
    """Why one of ``uses`` disqualifies the body: the token handed to another site anywhere (an
    email client follows an image's URL and links a bare URL in text), or a link whose target
    sarguard cannot tell is the org."""
    for use in uses:
        if use.target == "foreign":
            place = "a link's href" if use.where == "link" else (
                f"a <{use.tag}> attribute" if use.tag else "the text")
            return (f"{place} hands ${{{TOKEN}}} to another site ({use.detail}); the token may "
                    "only go to the org itself: ${baseURL}/login/report-suspicious-activity?token=…")
    for use in uses:
        if use.where != "link":
            continue
        if use.target == "computed":
            return (f"the report link's target is computed by Velocity ({use.detail}), so "
                    "sarguard cannot tell it is the org; start the href with ${baseURL}")
        if use.target == "unknown-org":
            return (f"the report link sends ${{{TOKEN}}} to {use.detail}, which sarguard cannot "
                    "confirm is the org (the org's URL is not known to this run); start the href "
                    "with ${baseURL}")
    return None


def org_url_of(state: OrgState) -> str | None:
    """The org's own URL when the evidence carries it (a live read; a stack whose evidence
    names ``okta:orgName``/``okta:baseUrl``), else None: then only ``${baseURL}`` and relative
    links count as the org."""
    url = state.meta.get("org")
    return url if isinstance(url, str) and url else None


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    reason = unread_for(state, SECTION_BRANDS)
    if reason:
        return [finding(ID, "not_evaluated", ORG, f"brands and templates could not be read: {reason}")]
    out: list[Finding] = []
    org_url = org_url_of(state)
    for brand, template in link_templates(state):
        incomplete = template_unread(state, brand, template)
        if incomplete:
            out.append(finding(ID, "not_evaluated", template_key(brand, template),
                               f"customizations of {template.name} could not all be read: {incomplete}",
                               urn=template.settings_urn, rule="SAR-03/template-read"))
        for custom in template.customizations:
            status, why = judge_body(custom.body, org_url)
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
               "email shows it (not in a Velocity comment, escaped, inside an HTML comment or in "
               "a Velocity block that never renders), and the token is only safe in a link to the "
               "org itself; every brand and language is a separate customization that can lose it."),
    remediation=("Put the report link, <a href=\"${baseURL}/login/report-suspicious-activity?"
                 "token=${request.reportSuspiciousActivityToken}\">, where it renders (outside "
                 "#if(false) and comments), and the token in no URL of another site, in the body "
                 "of the customization named in the finding: edit body/bodyFile "
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
