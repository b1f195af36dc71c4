"""Run the catalog over one :class:`OrgState` with a policy config.

The runner owns what is the same for every control: enforcement levels, options merged over
defaults, ``not_applicable`` for sources a control does not cover, and the report fields (severity,
remediation, location) a control need not repeat.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sarguard.controls.base import Control, Finding, rule_of
from sarguard.controls.catalog import CATALOG
from sarguard.controls.remediation import raw_remediation
from sarguard.model import (
    ORG,
    SECTION_BRANDS,
    SECTION_EVENT_HOOKS,
    SECTION_ROLE_SUBSCRIPTIONS,
    Location,
    OrgState,
)

if TYPE_CHECKING:
    from sarguard.verdicts.policy_config import PolicyConfig

# Resource key prefix -> the section key whose location stands in for it.
_SECTIONS = {
    "brand": SECTION_BRANDS,
    "eventHook": SECTION_EVENT_HOOKS,
    "roleSubscription": SECTION_ROLE_SUBSCRIPTIONS,
}


def locate(state: OrgState, resource: str) -> Location | None:
    """The resource's declared location, else its section's, else the org's (if any)."""
    if resource in state.locations:
        return state.locations[resource]
    parts = resource.split("/")
    for depth in range(len(parts) - 1, 0, -1):  # brand/x/template/T/... -> brand/x/template/T
        parent = "/".join(parts[:depth])
        if parent in state.locations:
            return state.locations[parent]
    section = _SECTIONS.get(parts[0])
    if section and section in state.locations:
        return state.locations[section]
    return state.locations.get(ORG)


_RANK = {"fail": 0, "not_evaluated": 1, "waived": 2, "baselined": 2, "pass": 3, "not_applicable": 4}


def merge_by_resource(findings: list[Finding]) -> list[Finding]:
    """One finding per resource: duplicates (e.g. two customizations for one language) merge,
    the worst status wins and every message is kept."""
    merged: dict[str, Finding] = {}
    for f in findings:
        first = merged.get(f.resource)
        if first is None:
            merged[f.resource] = f
            continue
        worst, other = (f, first) if _RANK.get(f.status, 0) < _RANK.get(first.status, 0) else (first, f)
        worst.message = f"{worst.message}; {other.message}" if other.message != worst.message \
            else worst.message
        worst.urn = worst.urn or other.urn
        merged[f.resource] = worst
    return list(merged.values())


def run_control(control: Control, state: OrgState, options: dict[str, Any],
                level: str) -> list[Finding]:
    """Evaluate one control and complete its findings; a crash is reported, never raised."""
    if state.source not in control.sources:
        sources = ", ".join(sorted(control.sources))
        findings = [Finding(control=control.id, status="not_applicable", resource=ORG,
                            message=f"{control.id} applies to {sources} evidence only")]
    else:
        try:
            findings = control.evaluate(state, options)
        except Exception as exc:  # noqa: BLE001 -- fail closed: one broken control must not hide the rest
            findings = [Finding(control=control.id, status="not_evaluated", resource=ORG,
                                message=f"{control.id} could not be evaluated: "
                                        f"{type(exc).__name__}: {exc}")]
    findings = merge_by_resource(findings)
    for f in findings:
        f.severity = f.severity or control.severity
        f.remediation = f.remediation or raw_remediation(control.id, state, f.resource) \
            or control.remediation
        f.level = level
        f.rule = rule_of(f)
        if f.location is None:
            f.location = locate(state, f.resource)
    return findings


def in_group(findings: list[Finding], subject: str | None) -> list[Finding]:
    """Findings of one org among several a program manages: each subject names its provider
    (``provider/<name>/<resource key>``), so two orgs' singletons never collide."""
    if subject:
        for finding in findings:
            finding.resource = f"provider/{subject}/{finding.resource}"
    return findings


def evaluate_catalog(state: OrgState, config: PolicyConfig | None = None,
                     controls: list[Control] = CATALOG) -> list[Finding]:
    """All findings of ``controls`` over ``state``; disabled controls give none."""
    out: list[Finding] = []
    for control in controls:
        level = config.level_for(control) if config else control.default_level
        if level == "disabled":
            continue
        options = config.options_for(control) if config else control.default_options()
        out.extend(run_control(control, state, copy.deepcopy(options), level))
    return out
