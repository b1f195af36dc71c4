"""The one report object every command produces and every renderer reads.

Renderers (``sarguard.report.render_*``) are pure functions ``Report -> str``. The JSON form is a
public contract (see README "Report format"); only add keys, never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sarguard.controls.base import Control, Finding
from sarguard.errors import Problem
from sarguard.model import Location

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
    # Where the stack declares this resource (file and line); None for live-only items, which
    # point at the stack file without a line.
    location: Location | None = None


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
    # Could-not-run reasons (exit 2). A plain string is a problem with no place in a file;
    # renderers read them through ``report.view.run_errors``.
    errors: list[Problem | str] = field(default_factory=list)
    # Facts about what this run could not compare or see that need no action (the hook's
    # write-only auth value); ``warnings`` are for things a user should act on.
    notes: list[str] = field(default_factory=list)
    org_url: str | None = None  # the org's URL (https://acme.okta.com), shown in every header
    # Provenance (HTML and OSCAL reports): the command line that made the report, credentials
    # redacted, and when it was made (ISO 8601, UTC). The command layer fills them in.
    command: str | None = None
    generated_at: str | None = None
