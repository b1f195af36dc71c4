"""SAR-12: nothing that reporting depends on was changed in the window (or the change is known).

Why: an attacker who reads the reports switches them off first: deactivating the SOC hook,
unsubscribing admins, customizing a template without the link, weakening ThreatInsight or
stopping a log stream. Each leaves a System Log event. Listing who did what, and when, lets a
reviewer tell a planned change from an attack. Advisory: planned changes are normal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import finding
from sarguard.controls.base import LIVE_ONLY, Control, Finding
from sarguard.model import ORG, EventHook, OrgState, key_event_hook, key_threat_insight
from sarguard.systemlog.evidence import (
    TAMPERING_FAMILIES,
    TamperingEvent,
    evidence_or_reason,
    window_phrase,
)
from sarguard.systemlog.logevent import iso

ID = "SAR-12"


def _resource(event: TamperingEvent, hooks: list[EventHook]) -> str:
    """The resource key a reviewer should look at: the hook or ThreatInsight when known."""
    if event.family == "event-hook":
        for hook in hooks:
            if isinstance(hook.id, str) and hook.id in event.target_ids:
                return key_event_hook(hook.name if isinstance(hook.name, str) else hook.id)
    if event.event_type == "security.threat.configuration.update":
        return key_threat_insight()
    return ORG


def _describe(event: TamperingEvent) -> str:
    when = iso(event.when) or "unknown time"
    who = event.who or "unknown actor"
    return f"{when}: {who} — {event.what} (outcome {event.outcome or 'unknown'})"


def _expected(event: TamperingEvent, expected: set[str]) -> bool:
    """True when the actor's id or login is listed in ``expectedActors`` (logins ignore case)."""
    if event.actor_id and event.actor_id in expected:
        return True
    login = (event.actor_login or "").lower()
    return bool(login) and login in {e.lower() for e in expected}


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    if state.source != "live":
        return [finding(ID, "not_applicable", ORG, "changes are only in the live org's System Log")]
    evidence, reason = evidence_or_reason(state)
    if evidence is None:
        return [finding(ID, "not_evaluated", ORG, f"System Log could not be read: {reason}")]
    window = window_phrase(evidence)
    expected = {str(a) for a in options.get("expectedActors", []) or []}
    if not evidence.tampering:
        families = ", ".join(TAMPERING_FAMILIES)
        return [finding(ID, "pass", ORG, f"no changes to {families} {window}")]
    out: list[Finding] = []
    for event in evidence.tampering:
        key = _resource(event, state.event_hooks)
        details = event.to_dict()
        if _expected(event, expected):
            out.append(finding(ID, "pass", key, f"{_describe(event)}; by an expected actor",
                               **details))
        else:
            out.append(finding(ID, "fail", key,
                               f"{_describe(event)}; confirm this change was planned", **details))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-12-no-tampering",
    title="No unreviewed changes to hooks, subscriptions, templates, brands, threat protection "
          "or log streams",
    severity="medium",
    default_level="advisory",
    rationale=("Deactivating or editing the report hook, unsubscribing admins from report "
               "notifications, changing email templates or brands, weakening ThreatInsight or "
               "attack protection, and stopping log streams each silence suspicious activity "
               "reporting. The System Log records who made each change; an unplanned one is a "
               "sign of an attacker covering their tracks."),
    remediation=("For each listed change, confirm with the actor named that it was planned "
                 "(a change request or pull request). If not, treat it as an incident: "
                 "`sarguard investigate --user <actor id> --since <time>`, revert with `pulumi up`, "
                 "and review the actor's sessions. Add the deployment's service account to the "
                 "policy option expectedActors so its changes are not flagged. Reading the System "
                 "Log needs the OAuth scope okta.logs.read."),
    references=(
        "https://developer.okta.com/docs/reference/api/event-types/",
        "https://attack.mitre.org/techniques/T1562/008/",
    ),
    evaluate=evaluate,
    sources=LIVE_ONLY,
    options_schema={
        "expectedActors": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": ("Actor ids or logins whose changes are planned (e.g. the service "
                            "app that runs `pulumi up`); their changes are listed as pass."),
        },
    },
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "CM-3": "Lists the changes made to the reporting configuration in the window, with who made them.",
        "AU-6": "Reviews the System Log's audit records of those changes.",
        "SI-4": "Watches for an attacker disabling the reporting path.",
    },
    "iso-27001": {
        "A.8.32": "Changes to the reporting configuration are reviewed against the expected actors.",
        "A.8.16": "Monitors for changes that would silence reporting.",
    },
    "cis-v8": {
        "8.11": "Reviews audit log entries of changes to the reporting configuration.",
    },
}
