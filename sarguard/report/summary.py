"""Counts for the report summary (the JSON ``summary`` object and every headline).

Drift counts (``changed``/``missing``/``unmanaged``/``unread``) are of *unignored* items: they are
what still needs attention. ``ignored`` counts ignored drift and ignored unread items together.
"""

from __future__ import annotations

from sarguard.report.model import Report

FINDING_KEYS: dict[str, str] = {
    "pass": "passed",
    "fail": "failed",
    "not_evaluated": "notEvaluated",
    "not_applicable": "notApplicable",
    "waived": "waived",
    "baselined": "baselined",
}
DRIFT_KEYS: tuple[str, ...] = ("changed", "missing", "unmanaged", "ignored", "unread")


# The summary counts' names in every human format (text lower-cases them), in one place.
SUMMARY_LABELS: dict[str, str] = {
    "passed": "Passed", "failed": "Failed", "notEvaluated": "Not evaluated",
    "notApplicable": "Not applicable", "waived": "Waived", "baselined": "Baselined",
    "changed": "Changed", "missing": "Missing", "unmanaged": "Unmanaged", "ignored": "Ignored",
    "unread": "Unread",
}


def has_drift_section(report: Report) -> bool:
    """Drift/audit reports (or any report carrying drift) show drift, unread and timings."""
    return report.kind in ("drift", "audit") or report.drift is not None


def summarize(report: Report) -> dict[str, int]:
    """The summary object, keys exactly as in the JSON contract."""
    counts = dict.fromkeys(FINDING_KEYS.values(), 0)
    for finding in report.findings:
        key = FINDING_KEYS.get(finding.status)
        if key is not None:
            counts[key] += 1
    if has_drift_section(report):
        counts.update(dict.fromkeys(DRIFT_KEYS, 0))
        for item in report.drift or []:
            if item.ignored:
                counts["ignored"] += 1
            elif item.kind in ("changed", "missing", "unmanaged"):
                counts[item.kind] += 1
        for entry in report.unread:
            counts["ignored" if entry.ignored else "unread"] += 1
    return counts
