"""SAR-01: the "Report suspicious activity" switch is on.

Why: with ``reportSuspiciousActivityEnabled`` off, no security email carries the report link, so
end users have no way to flag activity and everything downstream (hook, admin alerts) is moot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import finding
from sarguard.controls._notifications import read_switch, section_problem
from sarguard.controls.base import Control, Finding
from sarguard.model import NOTIFICATION_FIELDS, OrgState, key_notifications

ID = "SAR-01"
FIELD = NOTIFICATION_FIELDS["reportSuspiciousActivity"]


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    key = key_notifications()
    problem = section_problem(state)
    if problem:
        return [finding(ID, problem[0], key, problem[1], urn=state.notifications_urn)]
    reading = read_switch(state, FIELD)
    status = {"on": "pass", "off": "fail", "undetermined": "not_evaluated"}[reading.state]
    return [finding(ID, status, key, f"{reading.phrase}", urn=state.notifications_urn)]


CONTROL = Control(
    id=ID,
    policy_name="sar-01-report-suspicious-activity-enabled",
    title="Report suspicious activity is enabled",
    severity="critical",
    default_level="mandatory",
    rationale=("End users can only report unrecognized activity from a security notification "
               "email when reportSuspiciousActivityEnabled is on; with it off the emails carry no "
               "report link and the whole reporting pipeline is dead."),
    remediation=("Set sarguard:settings.notifications.reportSuspiciousActivity to true in "
                 "stacks/Pulumi.<stack>.yaml (or remove the key: it defaults to true), e.g. "
                 "`pulumi config set --path 'sarguard:settings.notifications.reportSuspiciousActivity' "
                 "true`, then `pulumi up`. Admin Console: Security > General > Security notification "
                 "emails > Report suspicious activity via email."),
    references=(
        "https://help.okta.com/oie/en-us/content/topics/security/suspicious-activity-reporting.htm",
        "https://help.okta.com/oie/en-us/content/topics/security/security_general.htm",
    ),
    evaluate=evaluate,
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "IR-6": "The report button is the path by which users report a suspected incident on their own account.",
        "IR-6(1)": "One click in the email files the report through Okta, an automated reporting mechanism.",
    },
    "iso-27001": {
        "A.6.8": "Gives people a channel to report a suspected security event as soon as they see it.",
    },
    "cis-v8": {
        "17.3": "The feature is the enterprise's process for users to report an incident on their account.",
    },
}
