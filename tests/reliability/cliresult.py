"""What one CLI run produced, and the parts of a report that carry its conclusions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class CliRun:
    code: int
    out: str
    err: str
    report: dict[str, Any] | None = None

    @property
    def not_evaluated(self) -> set[str]:
        return {f["control"] for f in self.findings if f["status"] == "not_evaluated"}

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list((self.report or {}).get("findings", []))

    @property
    def unread(self) -> list[dict[str, Any]]:
        return list((self.report or {}).get("unread", []))

    @property
    def api(self) -> dict[str, Any]:
        return dict((self.report or {}).get("evidence", {}).get("api", {}))


def triples(run: CliRun) -> set[tuple[str, str, str]]:
    """What a report concludes: (control, resource, status) for every finding."""
    return {(f["control"], f["resource"], f["status"]) for f in run.findings}


def drift_items(run: CliRun) -> set[tuple[str, str, str]]:
    return {(d["kind"], d["resource"], d["field"]) for d in (run.report or {}).get("drift", [])}
