"""SAR-10 (advisory): ThreatInsight is not switched off.

Why: ThreatInsight flags sign-ins from known-malicious IPs; with ``action: none`` the org loses a
signal that corroborates (or pre-empts) what users report, and the System Log carries less
context for the SOC's investigation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import DECLARED_SOURCES, finding, unread_for
from sarguard.controls.base import Control, Finding
from sarguard.model import SECTION_THREAT_INSIGHT, OrgState, is_unknown, key_threat_insight

ID = "SAR-10"


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    key = key_threat_insight()
    reason = unread_for(state, key, SECTION_THREAT_INSIGHT)
    if reason:
        return [finding(ID, "not_evaluated", key, f"ThreatInsight could not be read: {reason}")]
    ti = state.threat_insight
    if ti is None:
        if state.source in DECLARED_SOURCES:  # no subject: the stack does not manage it
            return [finding(ID, "not_applicable", key, "this stack declares no "
                                                       "ThreatInsightSettings resource, so it does "
                                                       "not manage ThreatInsight; drift and audit "
                                                       "judge it on the live org")]
        return [finding(ID, "not_evaluated", key, "ThreatInsight settings were not collected")]
    if is_unknown(ti.action):
        return [finding(ID, "not_evaluated", key, "action cannot be known during preview",
                        urn=ti.urn)]
    if ti.action in ("audit", "block"):
        return [finding(ID, "pass", key, f"ThreatInsight action is {ti.action}", urn=ti.urn)]
    if ti.action == "none":
        return [finding(ID, "fail", key, "ThreatInsight action is none (disabled)", urn=ti.urn)]
    return [finding(ID, "fail", key, f"ThreatInsight action is {ti.action or 'not set'}; expected "
                                     "audit or block", urn=ti.urn)]


CONTROL = Control(
    id=ID,
    policy_name="sar-10-threatinsight-enabled",
    title="ThreatInsight is enabled",
    severity="low",
    default_level="advisory",
    rationale=("ThreatInsight logs (audit) or blocks (block) sign-in attempts from suspicious IPs, "
               "context that corroborates user reports; action none disables it."),
    remediation=("Set sarguard:settings.threatInsight.action to audit or block in "
                 "stacks/Pulumi.<stack>.yaml (`pulumi config set --path "
                 "'sarguard:settings.threatInsight.action' audit`), then `pulumi up`. Admin Console: "
                 "Security > General > Okta ThreatInsight settings."),
    references=(
        "https://help.okta.com/oie/en-us/content/topics/security/threat-insight/about-threatinsight.htm",
        "https://developer.okta.com/docs/api/openapi/okta-management/management/tag/ThreatInsight/",
    ),
    evaluate=evaluate,
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "SI-4": "ThreatInsight monitors sign-in traffic for known-malicious sources.",
    },
    "iso-27001": {
        "A.8.16": "Monitors authentication activity for anomalous behaviour.",
    },
    "cis-v8": {
        "13.1": "Okta's security event alerting on suspicious sign-ins is turned on.",
    },
}
