"""SAR-09: email customizations are ones Okta will accept, checked before ``pulumi up`` tries.

Why: Okta rejects a customization that drops a template's required variables, a second default,
a second customization for a language, an unsupported language, a subject over 128 characters or
a body of 64 KB or more, and a recipients value the template does not support (the four link
templates take only ALL_USERS or NO_USERS: 422 E0000189). Found at apply time, that is a half-applied stack; found here, it is a
review comment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import (
    all_templates,
    customization_key,
    describe_language,
    finding,
    template_key,
    template_unread,
    unread_for,
)
from sarguard.controls.base import Control, Finding
from sarguard.controls.velocity import references
from sarguard.model import (
    ORG,
    RECIPIENTS,
    SECTION_BRANDS,
    Customization,
    OrgState,
    Template,
    allowed_recipients,
    is_unknown,
)

ID = "SAR-09"
MAX_SUBJECT_CHARS = 128
MAX_BODY_BYTES = 64 * 1024  # the body must be smaller than this

# Per template: groups of variables; each group needs at least one of its names referenced.
REQUIRED_VARIABLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "NewSignOnNotification": (
        ("request.browser",), ("request.date",), ("request.time",), ("request.location",),
        ("request.ipAddress",),
    ),
    "AuthenticatorEnrolled": (("request.factor", "request.authenticator"),),
    "AuthenticatorReset": (("request.factors", "request.authenticators"),),
}
# Classic Engine orgs ask more of the two authenticator templates: the factor itself (there are no
# "authenticators" on Classic) plus when and where (Okta's custom-email guide, "Use customizable
# email templates", the "Required validation fields" column: "MFA Factor Enrolled (Classic
# Engine)" needs ${request.factor}, ${request.date}, ${request.time} and ${request.location};
# "MFA Factor Reset" the same with ${request.factors}).
ENGINES: tuple[str, ...] = ("identity", "classic")
_WHEN_AND_WHERE = (("request.date",), ("request.time",), ("request.location",))
CLASSIC_REQUIRED_VARIABLES: dict[str, tuple[tuple[str, ...], ...]] = {
    **REQUIRED_VARIABLES,
    "AuthenticatorEnrolled": (("request.factor",), *_WHEN_AND_WHERE),
    "AuthenticatorReset": (("request.factors",), *_WHEN_AND_WHERE),
}


def required_variables(template: str, engine: str = "identity") -> tuple[tuple[str, ...], ...]:
    """The groups of variables ``template`` must reference on an org of ``engine``."""
    table = CLASSIC_REQUIRED_VARIABLES if engine == "classic" else REQUIRED_VARIABLES
    return table.get(template, ())


def _languages() -> frozenset[str]:
    from sarguard.settings.okta_facts import OKTA_LANGUAGES  # package data, loaded on first use

    return OKTA_LANGUAGES


def _refers(refs: set[str], name: str) -> bool:
    return any(ref == name or ref.startswith(name + ".") for ref in refs)


def missing_variable_groups(template: str, body: str,
                            engine: str = "identity") -> list[tuple[str, ...]]:
    """The groups of :func:`required_variables` of ``template`` that ``body`` references none of
    (public so that ``sarguard import --fix`` adds exactly what this control asks for)."""
    refs = references(body)
    return [group for group in required_variables(template, engine)
            if not any(_refers(refs, n) for n in group)]


def _customization_problems(template: Template, custom: Customization,
                            engine: str = "identity") -> tuple[list[str], list[str]]:
    """(problems, unknowns) for one customization."""
    problems: list[str] = []
    unknowns: list[str] = []
    lang = custom.language
    if is_unknown(lang):
        unknowns.append("the language cannot be known during preview")
    elif not lang:
        problems.append("no language is set")
    elif lang not in _languages():
        problems.append(f"language {lang!r} is not one of Okta's supported languages")
    subject = custom.subject
    if is_unknown(subject):
        unknowns.append("the subject cannot be known during preview")
    elif not isinstance(subject, str) or not subject:
        problems.append("no subject is set")
    elif len(subject) > MAX_SUBJECT_CHARS:
        problems.append(f"the subject is {len(subject)} characters (Okta allows at most "
                        f"{MAX_SUBJECT_CHARS})")
    body = custom.body
    if is_unknown(body):
        unknowns.append("the body cannot be known during preview")
    elif not isinstance(body, str) or not body:
        problems.append("no body is set")
    else:
        size = len(body.encode("utf-8"))
        if size >= MAX_BODY_BYTES:
            problems.append(f"the body is {size} bytes (Okta requires less than {MAX_BODY_BYTES})")
        missing = [" or ".join(f"${{{n}}}" for n in group)
                   for group in missing_variable_groups(template.name, body, engine)]
        if missing:
            on = " (required on Classic Engine orgs)" if engine == "classic" else ""
            problems.append(f"the body lacks required variable(s) {', '.join(missing)}{on}")
    return problems, unknowns


def _template_problems(template: Template) -> tuple[list[str], list[str]]:
    """(problems, unknowns) for the set of a template's customizations."""
    problems: list[str] = []
    unknowns: list[str] = []
    customs = template.customizations
    if any(is_unknown(c.is_default) for c in customs):
        unknowns.append("which customization is the default cannot be known during preview")
    else:
        defaults = sum(1 for c in customs if c.is_default is True)
        if defaults == 0:
            problems.append("no customization is the default (exactly one must be)")
        elif defaults > 1:
            problems.append(f"{defaults} customizations are marked default (exactly one must be)")
    langs = Counter(c.language for c in customs if isinstance(c.language, str))
    dupes = sorted(lang for lang, n in langs.items() if n > 1)
    if dupes:
        problems.append(f"more than one customization for language(s) {', '.join(dupes)}")
    if any(is_unknown(c.language) for c in customs):
        unknowns.append("some languages cannot be known during preview")
    return problems, unknowns


def _recipients_problems(template: Template) -> tuple[list[str], list[str]]:
    """(problems, unknowns): Okta answers 422 E0000189 for a recipients value the template does
    not support (the link templates take only ALL_USERS or NO_USERS)."""
    value = template.recipients
    allowed = allowed_recipients(template.name)
    if is_unknown(value):
        return ([], ["the recipients cannot be known during preview"]) if allowed != RECIPIENTS else ([], [])
    if isinstance(value, str) and value and value not in allowed:
        return [f"recipients {value} is not supported by this template (Okta accepts only "
                f"{' or '.join(allowed)}; 422 E0000189)"], []
    return [], []


def _verdict(ok: str, problems: list[str], unknowns: list[str]) -> tuple[str, str]:
    if problems:
        return "fail", "; ".join(problems)
    if unknowns:
        return "not_evaluated", "; ".join(unknowns)
    return "pass", ok


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    reason = unread_for(state, SECTION_BRANDS)
    if reason:
        return [finding(ID, "not_evaluated", ORG, f"brands and templates could not be read: {reason}")]
    out: list[Finding] = []
    engine = options.get("engine", "identity")
    for brand, template in all_templates(state):
        incomplete = template_unread(state, brand, template)
        bad_recipients, unknown_recipients = _recipients_problems(template)
        if not template.customizations and not incomplete and not bad_recipients + unknown_recipients:
            continue
        where = f"{template.name} in brand {brand.key}"
        if incomplete and not bad_recipients:
            status, message = "not_evaluated", f"customizations could not all be read: {incomplete}"
        elif not template.customizations:
            status, message = _verdict("recipients supported", bad_recipients, unknown_recipients)
        else:
            problems, unknowns = _template_problems(template)
            status, message = _verdict("one default, one customization per language",
                                       bad_recipients + problems, unknown_recipients + unknowns)
        out.append(finding(ID, status, template_key(brand, template), f"{where}: {message}",
                           urn=template.settings_urn, rule="SAR-09/template"))
        for custom in template.customizations:
            status, message = _verdict("Okta accepts this customization",
                                       *_customization_problems(template, custom, engine))
            out.append(finding(ID, status, customization_key(brand, template, custom),
                               f"{where} ({describe_language(custom)}): {message}", urn=custom.urn,
                               rule="SAR-09/customization"))
    if not out:  # no subject: Okta's stock templates need no pre-flight check
        out.append(finding(ID, "not_applicable", ORG, "no email customization exists, so there is "
                                                      "nothing Okta could reject"))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-09-templates-acceptable",
    title="Email customizations are acceptable to Okta",
    severity="medium",
    default_level="mandatory",
    rationale=("Okta rejects customizations that drop required variables, add a second default or "
               "a second customization per language, use an unsupported language, or exceed 128 "
               "subject characters / 64 KB of body, and template settings whose recipients the "
               "template does not support (422 E0000189); catching that before apply avoids a "
               "half-applied stack."),
    remediation=("Fix the customization under sarguard:settings.brands[].templates.<Template>."
                 "customizations[] in stacks/Pulumi.<stack>.yaml: keep the template's required "
                 "variables (NewSignOnNotification: ${request.browser}, ${request.date}, "
                 "${request.time}, ${request.location}, ${request.ipAddress}; AuthenticatorEnrolled: "
                 "${request.factor} or ${request.authenticator}; AuthenticatorReset: "
                 "${request.factors} or ${request.authenticators}; on Classic Engine orgs, with "
                 "the policy option engine: classic, AuthenticatorEnrolled needs ${request.factor} "
                 "and AuthenticatorReset ${request.factors}, each with ${request.date}, "
                 "${request.time} and ${request.location}), mark exactly one isDefault: true, "
                 "one entry per supported language, subject <= 128 characters, body < 64 KB; "
                 "recipients ALL_USERS or NO_USERS on the four link templates."),
    references=(
        "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/CustomTemplates/",
        "https://developer.okta.com/docs/guides/custom-email/main/",
        "https://github.com/okta/okta-developer-docs/pull/3325",
    ),
    evaluate=evaluate,
    options_schema={
        "engine": {
            "type": "string",
            "enum": list(ENGINES),
            "description": "The org's engine: on Classic Engine orgs AuthenticatorEnrolled and "
                           "AuthenticatorReset must also render ${request.date}, "
                           "${request.time} and ${request.location}.",
            "default": "identity",
        },
    },
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "CM-6": "Template settings (variables, languages, size limits, recipients) stay within what Okta accepts.",
        "AC-9(3)": "A template Okta rejects or truncates stops the account-change notification it carries.",
    },
    "iso-27001": {
        "A.8.9": "The email configuration is defined and checked against Okta's rules.",
        "A.6.8": "A rejected template would leave users without the email they report from.",
    },
    "cis-v8": {
        "4.1": "The notification templates follow a documented, checked secure configuration.",
    },
}
