"""The shape of a control and of its findings.

A control is metadata plus a pure ``evaluate(state, options) -> list[Finding]``. The policy pack,
the offline check and the live audit all call the same function; none re-implements a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sarguard.controls.frameworks import FrameworkRef
from sarguard.model import Location, OrgState

Status = Literal["pass", "fail", "not_evaluated", "not_applicable", "waived", "baselined"]
Severity = Literal["critical", "high", "medium", "low"]
Level = Literal["mandatory", "advisory", "disabled"]

# ``baselined``: a failure the ``--baseline`` report already had (shown, never counted).
STATUSES: tuple[str, ...] = ("pass", "fail", "not_evaluated", "not_applicable", "waived",
                             "baselined")
# Evidence sources a control can apply to (``OrgState.source``).
ALL_SOURCES = frozenset({"declared", "stack-export", "pack", "live"})
LIVE_ONLY = frozenset({"live"})


@dataclass
class Finding:
    """One control's verdict on one resource (``org`` for org-level verdicts)."""

    control: str
    status: Status
    resource: str
    message: str
    severity: str = ""
    remediation: str = ""
    level: str = "mandatory"  # the enforcement level in force when it was evaluated
    waiver: dict[str, Any] | None = None
    location: Location | None = None
    urn: str | None = None  # declared evidence: the Pulumi URN (pack diagnostics point at it)
    details: dict[str, Any] = field(default_factory=dict)
    # Which check inside the control judged (``SAR-09/customization``): a short, stable id that
    # baselines fingerprint. The runner fills ``<control>/main`` for controls with one check.
    rule: str = ""


def rule_of(finding: Finding) -> str:
    """The finding's rule; ``<control>/main`` for a control with one check (the default)."""
    return finding.rule or f"{finding.control}/main"


Evaluate = Callable[[OrgState, Mapping[str, Any]], list[Finding]]


@dataclass(frozen=True)
class Control:
    """Catalog entry. ``id`` and ``policy_name`` are public contracts: never rename them."""

    id: str
    policy_name: str
    title: str
    severity: Severity
    default_level: Level
    rationale: str
    remediation: str
    evaluate: Evaluate
    references: tuple[str, ...] = ()
    sources: frozenset[str] = ALL_SOURCES
    # JSON Schema ``properties`` for the control's options (policy config), with defaults.
    options_schema: Mapping[str, Any] = field(default_factory=dict)
    # sarguard's mappings to NIST SP 800-53, ISO/IEC 27001 and CIS Controls (the module's
    # ``FRAMEWORKS``; see sarguard.controls.frameworks).
    frameworks: tuple[FrameworkRef, ...] = ()

    def default_options(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.options_schema.items() if "default" in v}
