"""SAR-02: the security notification emails that carry the report link are switched on.

Why: the link lives only in the new sign-on, factor enrolled, factor reset and password changed
emails; a switch that is off means that email (and its link) is never sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import finding
from sarguard.controls._notifications import read_switch, section_problem
from sarguard.controls.base import Control, Finding
from sarguard.model import NOTIFICATION_FIELDS, SWITCH_TEMPLATE, OrgState, key_notifications

ID = "SAR-02"
SWITCHES: tuple[str, ...] = tuple(SWITCH_TEMPLATE)  # newSignOn, factorEnrolled, ...


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    key = key_notifications()
    urn = state.notifications_urn
    required = [name for name in SWITCHES if name in options.get("required", SWITCHES)]
    problem = section_problem(state)
    if problem:
        return [finding(ID, problem[0], key, problem[1], urn=urn)]
    if not required:
        return [finding(ID, "pass", key, "no link-carrying email is required by the policy config",
                        urn=urn)]
    readings = {name: read_switch(state, NOTIFICATION_FIELDS[name]) for name in required}
    off = [name for name, r in readings.items() if r.state == "off"]
    undetermined = [name for name, r in readings.items() if r.state == "undetermined"]
    detail = "; ".join(r.phrase for r in readings.values())
    if off:
        return [finding(ID, "fail", key,
                        f"required link-carrying email(s) switched off: {', '.join(off)} ({detail})",
                        urn=urn, off=off)]
    if undetermined:
        return [finding(ID, "not_evaluated", key, f"cannot judge {', '.join(undetermined)}: {detail}",
                        urn=urn)]
    return [finding(ID, "pass", key, f"all required link-carrying emails are on ({detail})", urn=urn)]


CONTROL = Control(
    id=ID,
    policy_name="sar-02-link-emails-enabled",
    title="Security notification emails that carry the report link are enabled",
    severity="high",
    default_level="mandatory",
    rationale=("The report link only reaches users inside the new sign-on, factor enrolled, factor "
               "reset and password changed notification emails; each switch that is off removes "
               "one path for users to report suspicious activity."),
    remediation=("Set each required switch to true under sarguard:settings.notifications in "
                 "stacks/Pulumi.<stack>.yaml (newSignOn, factorEnrolled, factorReset, "
                 "passwordChanged; unset means true), e.g. `pulumi config set --path "
                 "'sarguard:settings.notifications.newSignOn' true`, then `pulumi up`. Admin "
                 "Console: Security > General > Security notification emails."),
    references=(
        "https://help.okta.com/oie/en-us/content/topics/security/security_general.htm",
        "https://help.okta.com/oie/en-us/content/topics/security/suspicious-activity-reporting.htm",
    ),
    evaluate=evaluate,
    options_schema={
        "required": {
            "type": "array",
            "description": "Which link-carrying emails must be on.",
            "items": {"type": "string", "enum": list(SWITCHES)},
            "uniqueItems": True,
            "default": list(SWITCHES),
        },
    },
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "AC-9(3)": "The new sign-on, factor and password emails notify users of changes to their account.",
        "AC-9(4)": "The new sign-on email tells users when, where and from what device they signed in.",
        "IR-6": "These emails carry the report link: without them users have nothing to report from.",
    },
    "iso-27001": {
        "A.6.8": "The emails are where users see the event and the channel to report it.",
    },
    "cis-v8": {
        "17.3": "The emails carry the reporting process to every user the event concerns.",
    },
}
