"""SAR-11: Okta delivered the report event to the SOC's hook without failures.

Why: a hook can be ACTIVE and VERIFIED and still drop every report when the SIEM endpoint is
down, its certificate expired or its auth header changed. Okta says so only in the System Log
(``event_hook.delivery``, fired for failed deliveries), so this control reads it (live only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import finding
from sarguard.controls.base import LIVE_ONLY, Control, Finding
from sarguard.model import (
    ORG,
    REPORT_EVENT,
    SECTION_EVENT_HOOKS,
    EventHook,
    OrgState,
    key_event_hook,
)
from sarguard.systemlog.evidence import DELIVERY_EVENT, evidence_or_reason, window_phrase
from sarguard.systemlog.logevent import iso

ID = "SAR-11"
MAX_LISTED = 20  # failures listed in a finding's details; the count is always exact


def _report_hooks(state: OrgState) -> list[EventHook]:
    """ACTIVE hooks subscribed to the report event (the only ones Okta delivers it to)."""
    return [
        h for h in state.event_hooks
        if h.status == "ACTIVE" and isinstance(h.events, list) and REPORT_EVENT in h.events
    ]


def _name(hook: EventHook) -> str:
    return hook.name if isinstance(hook.name, str) else str(hook.id or "unnamed")


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    if state.source != "live":
        return [finding(ID, "not_applicable", ORG,
                        "delivery failures are only in the live org's System Log")]
    evidence, reason = evidence_or_reason(state)
    if evidence is None:
        return [finding(ID, "not_evaluated", ORG, f"System Log could not be read: {reason}")]
    hooks_reason = state.unread_reason(SECTION_EVENT_HOOKS)
    if hooks_reason:
        return [finding(ID, "not_evaluated", ORG,
                        f"event hooks could not be read, so delivery failures cannot be tied to "
                        f"the report hook: {hooks_reason} "
                        f"({len(evidence.delivery_failures)} failure(s) seen)")]
    hooks = _report_hooks(state)
    window = window_phrase(evidence)
    if not hooks:
        return [finding(ID, "not_applicable", ORG,
                        f"no ACTIVE event hook subscribes to {REPORT_EVENT}, so there are no "
                        "report deliveries to check (SAR-05 requires such a hook)")]
    out: list[Finding] = []
    for hook in hooks:
        name = _name(hook)
        key = key_event_hook(name)
        failures = evidence.failures_for(hook)
        if not failures:
            out.append(finding(ID, "pass", key, f"hook {name}: no {DELIVERY_EVENT} failures {window}",
                               urn=hook.urn))
            continue
        last = failures[-1]
        listed = [f.to_dict() for f in failures[-MAX_LISTED:]]
        out.append(finding(
            ID, "fail", key,
            f"hook {name}: {len(failures)} delivery failure(s) {window}; most recent at "
            f"{iso(last.when) or 'an unknown time'}: {last.reason or 'no reason given'}",
            urn=hook.urn, failureCount=len(failures), failures=listed,
        ))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-11-report-deliveries-succeed",
    title="Report events reach the SOC hook without delivery failures",
    severity="high",
    default_level="mandatory",
    rationale=("Okta delivers events at least once but gives up after its retries; a failed "
               "delivery of user.account.report_suspicious_activity_by_enduser means the SOC never "
               "heard about a user's report. Okta records each failure as event_hook.delivery in "
               "the System Log, and nowhere else."),
    remediation=("Check the hook endpoint named in the finding: it must answer 200/204 within 3 "
                 "seconds over https and accept the configured auth header. Fix it, then replay the "
                 "missed reports from the System Log (`sarguard reports --since 30d`). Admin "
                 "Console: Workflow > Event Hooks. Reading the System Log needs the OAuth scope "
                 "okta.logs.read."),
    references=(
        "https://developer.okta.com/docs/concepts/event-hooks/",
        "https://developer.okta.com/docs/reference/api/event-types/",
    ),
    evaluate=evaluate,
    sources=LIVE_ONLY,
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "AU-5": "A failed delivery of a report is a failure of the logging path that someone must learn about.",
        "IR-6(1)": "Checks that the automated reporting mechanism actually delivered in the window.",
        "SI-4": "Monitors the monitoring: the SOC sees every report only if deliveries succeed.",
    },
    "iso-27001": {
        "A.8.16": "Checks that the monitoring feed worked in the window.",
        "A.5.24": "Shows that the planned route from report to incident management works.",
    },
    "cis-v8": {
        "17.3": "Evidence that reports reached the incident handling team.",
    },
}
