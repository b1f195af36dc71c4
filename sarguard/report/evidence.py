"""Human summary of ``Report.evidence`` (System Log, API use), shared by text and Markdown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.report.values import safe_text


def _who_what(report: Mapping[str, Any]) -> str:
    parts = [safe_text(report.get("user") or report.get("userId") or "unknown user")]
    activity = report.get("activityEventType")
    if activity:
        parts.append(f"reported {safe_text(activity)}")
    where = ", ".join(safe_text(v) for v in (report.get("ip"), report.get("location")) if v)
    if where:
        parts.append(f"from {where}")
    return " ".join(parts)


def evidence_lines(evidence: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """``[(section title, lines)]`` for the evidence a live run collected."""
    sections: list[tuple[str, list[str]]] = []
    log = evidence.get("systemLog")
    if isinstance(log, Mapping):
        lines = [f"Window: {log.get('since')} to {log.get('until')}"]
        count = log.get("reportCount") or 0
        recent = log.get("mostRecent")
        line = f"Suspicious-activity reports received: {count}"
        if isinstance(recent, Mapping):
            line += f"; most recent {recent.get('when')}: {_who_what(recent)}"
        lines.append(line)
        top = log.get("topActivityTypes") or []
        if top:
            lines.append("Most reported activity: " + ", ".join(
                f"{safe_text(t.get('eventType'))} ×{t.get('count')}" for t in top if isinstance(t, Mapping)))
        failures = log.get("deliveryFailures") or []
        line = f"Hook delivery failures: {len(failures)}"
        if failures:
            last = failures[-1]
            line += (f"; latest {last.get('when')} ({safe_text(last.get('hookName') or last.get('hookId'))}: "
                     f"{safe_text(last.get('reason'))})")
        lines.append(line)
        tampering = log.get("tampering") or []
        lines.append(f"Changes to review (SAR-12): {len(tampering)}")
        sections.append(("System Log evidence", lines))
    api = evidence.get("api")
    if isinstance(api, Mapping) and api.get("calls") is not None:
        sections.append(("Okta API use", [
            f"{api.get('calls')} calls, {api.get('rate_limited', 0)} rate-limited (429), "
            f"{api.get('retries', 0)} retries, {api.get('rate_limit_waits', 0)} waits for a window reset"]))
    return sections
