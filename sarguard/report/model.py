"""The one report object every command produces and every renderer reads.

Renderers (``sarguard.report.render_*``) are pure functions ``Report -> str``. The JSON form is a
public contract (see README "Report format"); only add keys, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sarguard.controls.base import Control, Finding

Kind = Literal["check", "drift", "audit", "drill"]
DriftKind = Literal["changed", "missing", "unmanaged"]


@dataclass
class DriftItem:
    """One attribute-level difference between the declared and the live org."""

    kind: DriftKind
    resource: str
    field: str  # Okta API field name, dotted (``channel.config.uri``)
    declared: Any = None
    live: Any = None
    ignored: bool = False
    reason: str | None = None  # the ignore entry's reason when ignored
    note: str | None = None  # e.g. "write-only: cannot be compared"


@dataclass
class UnreadItem:
    """Evidence that could not be read: fail closed unless knowingly ignored."""

    resource: str
    reason: str
    ignored: bool = False
    ignore_reason: str | None = None


@dataclass
class Report:
    kind: Kind
    findings: list[Finding] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)  # catalog metadata (SARIF rules)
    stack: str | None = None
    org: str | None = None
    warnings: list[str] = field(default_factory=list)
    drift: list[DriftItem] | None = None  # None: not a drift run
    unread: list[UnreadItem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # Extra evidence sections (e.g. System Log summary) keyed by name; rendered when present.
    evidence: dict[str, Any] = field(default_factory=dict)
    strict: bool = False
    # Files the findings point at (stack file path, for SARIF artifact locations).
    stack_file: str | None = None
    errors: list[str] = field(default_factory=list)  # could-not-run reasons (exit 2)
