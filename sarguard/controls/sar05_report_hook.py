"""SAR-05: an active, verified https event hook receives the report event.

Why: the report is only useful if the SOC's SIEM/SOAR learns about it. Okta delivers events only
to hooks that are ACTIVE and VERIFIED, and only for the event types they subscribe to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import finding, unread_for
from sarguard.controls._hooks import delivery, hook_key, report_hooks
from sarguard.controls.base import Control, Finding
from sarguard.model import ORG, REPORT_EVENT, SECTION_EVENT_HOOKS, OrgState

ID = "SAR-05"


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    reason = unread_for(state, SECTION_EVENT_HOOKS)
    if reason:
        return [finding(ID, "not_evaluated", ORG, f"event hooks could not be read: {reason}")]
    judged = [(hook, delivery(hook)) for hook in report_hooks(state.event_hooks)]
    for hook, d in judged:  # a hook whose own evidence is unread cannot be judged either
        hook_reason = unread_for(state, hook_key(hook))
        if hook_reason:
            d.unknowns.append(f"it could not be read: {hook_reason}")
    ok = [(h, d) for h, d in judged if d.verdict == "ok"]
    open_ = [(h, d) for h, d in judged if d.verdict == "unknown"]
    bad = [(h, d) for h, d in judged if d.verdict == "bad"]
    # The requirement is "at least one": a good hook makes the others irrelevant, and an
    # undetermined one keeps the question open (never a pass, never a definite failure).
    if ok:
        return [finding(ID, "pass", hook_key(h), f"hook is ACTIVE, VERIFIED, subscribed to "
                                                f"{REPORT_EVENT} and delivers over an accepted URL",
                        urn=h.urn) for h, _ in ok]
    if open_:
        return [finding(ID, "not_evaluated", hook_key(h), "hook may deliver the report event but "
                        + "; ".join(d.unknowns), urn=h.urn) for h, d in open_]
    if bad:
        return [finding(ID, "fail", hook_key(h), "hook " + "; ".join(d.problems), urn=h.urn,
                        problems=list(d.problems)) for h, d in bad]
    return [finding(ID, "fail", ORG, f"no event hook is subscribed to {REPORT_EVENT}",
                    rule="SAR-05/hook-exists")]


CONTROL = Control(
    id=ID,
    policy_name="sar-05-report-hook-active",
    title="An active, verified event hook receives suspicious activity reports",
    severity="high",
    default_level="mandatory",
    rationale=("Reports must reach the SOC's SIEM/SOAR. Okta only delivers events to ACTIVE, VERIFIED "
               "event hooks subscribed to user.account.report_suspicious_activity_by_enduser, and "
               "the endpoint must be https so the report and its auth header are not exposed."),
    remediation=("Declare sarguard:settings.eventHook in stacks/Pulumi.<stack>.yaml with an https url, "
                 "events including user.account.report_suspicious_activity_by_enduser and verify: "
                 "true, then `pulumi up`. Admin Console: Workflow > Event Hooks > <hook> > Actions > "
                 "Activate / Verify."),
    references=(
        "https://developer.okta.com/docs/concepts/event-hooks/",
        "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/EventHook/",
    ),
    evaluate=evaluate,
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "IR-6(1)": "The hook delivers each report to the SOC's tooling automatically.",
        "IR-4(1)": "The delivery starts the automated incident handling process (SIEM/SOAR).",
        "SI-4": "Reports become monitoring events in the SOC's systems.",
    },
    "iso-27001": {
        "A.5.24": "The hook is the planned route from a report to incident management.",
        "A.5.25": "Delivered reports reach those who assess and decide on security events.",
        "A.5.26": "The delivery can trigger the documented response.",
        "A.8.16": "Reports feed the monitoring of anomalous behaviour.",
    },
    "cis-v8": {
        "17.3": "Reported incidents reach the incident handling team without manual steps.",
    },
}
