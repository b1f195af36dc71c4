"""One self-contained HTML file for auditors: opened offline, printed, attached to evidence.

The verdict and counts come first, then the run's provenance, what stopped the run, each control
(status, severity, resources and what was found, fixes, waivers), drift as side-by-side diffs,
unread evidence, the System Log evidence, and a section per framework mapping. Everything is in
the file (inline CSS, no script, a Content-Security-Policy that lets nothing load), and it is
rendered from Jinja2 templates with autoescaping on: a string from the org is always text, never
markup. Pure: the only thing read is the package's own templates.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from sarguard.controls.base import Control, Finding
from sarguard.controls.frameworks import FRAMEWORK_NAMES, MAPPING_NOTE, by_requirement
from sarguard.report.diffs import side_by_side
from sarguard.report.evidence import evidence_lines
from sarguard.report.model import DriftItem, Report
from sarguard.report.summary import SUMMARY_LABELS, summarize
from sarguard.report.values import display, safe_text
from sarguard.report.view import (
    STATUS_LABELS,
    STATUS_ORDER,
    TOOL_NAME,
    TOOL_VERSION,
    catalog,
    drift_state,
    groups,
    org_label,
    outcome,
    problem_detail,
    remediation_of,
    run_errors,
    severity_of,
    verdict,
)

VERDICT_CLASSES = {0: "ok", 1: "fail", 2: "error"}
NOT_RUN = "not_run"


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("sarguard.report", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def render_html(report: Report) -> str:
    return _environment().get_template("report.html.j2").render(**context(report))


def context(report: Report) -> dict[str, Any]:
    """What the template shows, every string already made safe (autoescape does the markup)."""
    code, word = outcome(report)
    controls = _controls(report)
    status_of = {c["id"]: c["status"] for c in controls}
    subject = safe_text(report.stack) or org_label(report)
    return {
        "title": f"{TOOL_NAME} {report.kind} report" + (f" — {subject}" if subject else ""),
        "kind": report.kind,
        "code": code,
        "word": word,
        "verdict": verdict(report),
        "verdict_class": VERDICT_CLASSES[code],
        "summary": [(SUMMARY_LABELS.get(k, k), v) for k, v in summarize(report).items()],
        "provenance": provenance(report),
        "errors": [_error(e) for e in run_errors(report)],
        "controls": controls,
        "drift": _drift(report),
        "unread": [{"resource": safe_text(u.resource), "reason": safe_text(u.reason),
                    "ignored": u.ignored, "ignore_reason": safe_text(u.ignore_reason)}
                   for u in report.unread],
        "evidence": evidence_lines(report.evidence),
        "frameworks": _frameworks(report, status_of),
        "mapping_note": MAPPING_NOTE,
        "notes": [safe_text(n) for n in report.notes],
        "warnings": [safe_text(w) for w in report.warnings],
        "status_labels": {**STATUS_LABELS, NOT_RUN: "not run"},
    }


def provenance(report: Report) -> list[tuple[str, str]]:
    """``(label, value)`` of what made this report, from when, about what."""
    rows = [("sarguard version", TOOL_VERSION), ("Command", safe_text(report.command) or "—"),
            ("Kind", report.kind)]
    if report.stack:
        rows.append(("Stack", safe_text(report.stack)))
    org = org_label(report)
    if org:
        rows.append(("Org", org))
    if report.stack_file:
        rows.append(("Stack file", safe_text(report.stack_file)))
    rows.append(("Generated", safe_text(report.generated_at) or "—"))
    window = evidence_window(report)
    if window:
        rows.append(("Evidence window", window))
    return rows


def evidence_window(report: Report) -> str:
    """The System Log window the evidence covers, ``since to until`` (empty without one)."""
    log = report.evidence.get("systemLog") if isinstance(report.evidence, dict) else None
    if not isinstance(log, dict) or not (log.get("since") or log.get("until")):
        return ""
    return f"{safe_text(log.get('since')) or '…'} to {safe_text(log.get('until')) or 'now'}"


def control_status(findings: list[Finding]) -> str:
    """A control's status in the report: the most pressing of its findings' statuses."""
    statuses = {f.status for f in findings if f.level != "disabled"} or {f.status for f in findings}
    return next((s for s in STATUS_ORDER if s in statuses), NOT_RUN)


def _controls(report: Report) -> list[dict[str, Any]]:
    out = []
    for group in groups(report):
        control = group.control
        findings = group.findings
        fixes = list(dict.fromkeys(
            fix for f in findings if f.status == "fail" and (fix := remediation_of(f, control))))
        out.append({
            "id": safe_text(group.control_id),
            "anchor": _anchor(group.control_id),
            "title": safe_text(group.title),
            "status": control_status(findings),
            "severity": safe_text(severity_of(findings[0], control)),
            "level": safe_text(findings[0].level),
            "rationale": safe_text(control.rationale) if control else "",
            "tags": [ref.tag for ref in control.frameworks] if control else [],
            "findings": [_finding(report, f, control) for f in findings],
            "fixes": fixes,
            "waivers": [{"resource": safe_text(f.resource),
                         "reason": safe_text((f.waiver or {}).get("reason")),
                         "expires": safe_text((f.waiver or {}).get("expires")) or "never"}
                        for f in findings if f.waiver is not None],
        })
    return out


def _finding(report: Report, finding: Finding, control: Control | None) -> dict[str, Any]:
    where = ""
    if finding.location is not None and finding.location.file:
        line = finding.location.line
        where = safe_text(finding.location.file) + (
            f":{line}" if isinstance(line, int) and line >= 1 else "")
    return {"status": finding.status, "resource": safe_text(finding.resource),
            "message": safe_text(finding.message), "location": where,
            "severity": safe_text(severity_of(finding, control)), "level": safe_text(finding.level)}


def _drift(report: Report) -> dict[str, Any] | None:
    if report.drift is None and report.kind == "check":
        return None
    items = report.drift or []
    ordered = [d for d in items if not d.ignored] + [d for d in items if d.ignored]
    return {"items": [_drift_item(d) for d in ordered]}


def _drift_item(item: DriftItem) -> dict[str, Any]:
    rows = side_by_side(item.declared, item.live) if item.kind == "changed" else None
    return {"kind": item.kind, "resource": safe_text(item.resource), "field": safe_text(item.field),
            "declared": display(item.declared, 2000), "live": display(item.live, 2000),
            "state": drift_state(item), "ignored": item.ignored, "rows": rows}


def _error(problem: Any) -> dict[str, str]:
    place = ""
    if problem.file:
        place = problem.file + (f":{problem.line}" if problem.line else "")
        if problem.key_path:
            place += f" {problem.key_path}"
    return {"place": place, "message": problem_detail(problem) if place else problem.message}


def _frameworks(report: Report, status_of: dict[str, str]) -> list[dict[str, Any]]:
    """A section per framework: each requirement, the controls that support it, their status."""
    known = catalog(report)
    out = []
    for key, name in FRAMEWORK_NAMES.items():
        requirements = [{"id": requirement, "controls": [
            {"id": c.id, "anchor": _anchor(c.id), "title": c.title,
             "status": status_of.get(c.id, NOT_RUN), "rationale": ref.rationale,
             "linked": c.id in status_of}
            for c, ref in pairs]} for requirement, pairs in by_requirement(known.values(), key)]
        if requirements:
            out.append({"key": key, "name": name, "requirements": requirements})
    return out


def _anchor(control_id: str) -> str:
    return "control-" + "".join(ch if ch.isalnum() or ch == "-" else "_" for ch in control_id)
