"""The JSON report: the public, machine-readable contract (keys are only ever added).

Beyond the documented keys it adds ``exitCode`` at top level, ``urn`` on findings with declared
evidence, and ``"ignored": false`` on drift/unread items that are not ignored. Every finding has
``rule`` (the check inside the control that judged) and ``fingerprint`` (control, rule and
subject hashed: see ``report/fingerprint.py``) — what ``--baseline`` and ``sarguard diff`` match.

``completed`` is false exactly when the run exits 2 because it could not run or could not finish
reading (see ``exit_codes.completed``); ``errors`` then lists why, each as ``{"file", "line",
"keyPath", "message"}`` (``null`` where an error has no place in a file), and is ``[]`` when
``completed`` is true. ``notes`` holds what the run could not compare or see that needs no action.
"""

from __future__ import annotations

import json
from typing import Any

from sarguard.controls.base import Control, Finding, rule_of
from sarguard.controls.frameworks import MAPPING_SOURCE
from sarguard.errors import Problem
from sarguard.report.exit_codes import completed, exit_code
from sarguard.report.fingerprint import fingerprints
from sarguard.report.model import DriftItem, Report, UnreadItem
from sarguard.report.summary import has_drift_section, summarize
from sarguard.report.values import jsonable, safe_text
from sarguard.report.view import (
    TOOL_NAME,
    TOOL_VERSION,
    catalog,
    remediation_of,
    run_errors,
    severity_of,
)


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON data (also what the other machine formats are checked against)."""
    controls = catalog(report)
    # One list per control, shared by its findings (the same JSON; built once, not per finding).
    mappings = {cid: frameworks_json(c) for cid, c in controls.items() if c.frameworks}
    data: dict[str, Any] = {
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "kind": report.kind,
        "stack": report.stack,
        "org": report.org,
        "orgUrl": report.org_url,
        "exitCode": exit_code(report),
        "completed": completed(report),
        "summary": summarize(report),
        "findings": [_finding(f, controls.get(f.control), print_, mappings)
                     for f, print_ in zip(report.findings, fingerprints(report), strict=True)],
        "warnings": [safe_text(w) for w in report.warnings],
        "notes": [safe_text(n) for n in report.notes],
        "errors": [_error(e) for e in run_errors(report)],
    }
    if has_drift_section(report):
        data["drift"] = [_drift(d) for d in report.drift or []]
    if has_drift_section(report) or report.unread:
        data["unread"] = [_unread(u) for u in report.unread]
    if has_drift_section(report) or report.timings:
        data["timings"] = {k: round(float(v), 3) for k, v in report.timings.items()}
    if report.evidence:
        data["evidence"] = jsonable(report.evidence)
    return data


def render_json(report: Report) -> str:
    return dumps_indented(to_dict(report))


def dumps_indented(doc: Any) -> str:
    """``doc`` as indented JSON. orjson writes it in C (the standard library's encoder falls
    back to pure Python whenever it indents: a fifth of a large ``check``); anything orjson
    refuses — an integer past 64 bits or a lone surrogate from a hostile org — goes through the
    standard library, which writes the same document."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency; a broken install still works
        orjson = None
    if orjson is not None:
        try:
            return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n"
        except (orjson.JSONEncodeError, TypeError):
            pass
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding, control: Control | None, fingerprint: str,
             mappings: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "control": finding.control,
        "rule": rule_of(finding),
        "fingerprint": fingerprint,
        "title": control.title if control else "",
        "status": finding.status,
        "level": finding.level,
        "severity": severity_of(finding, control),
        "resource": finding.resource,
        "message": safe_text(finding.message),
        "remediation": remediation_of(finding, control),
    }
    if control is not None and control.frameworks:
        item["frameworks"] = mappings.get(control.id) or frameworks_json(control)
    if finding.waiver is not None:
        item["waiver"] = {
            "reason": safe_text(finding.waiver.get("reason")),
            "expires": jsonable(finding.waiver.get("expires")),
        }
    if finding.location is not None:
        item["location"] = {"file": finding.location.file, "line": finding.location.line}
    if finding.urn:
        item["urn"] = finding.urn
    return item


def frameworks_json(control: Control) -> list[dict[str, str]]:
    """sarguard's framework mappings of a control: ``[{"framework", "id", "rationale",
    "source"}]``, ``source`` always ``sarguard`` (no framework publishes a mapping for this)."""
    return [{"framework": ref.framework, "id": ref.requirement, "rationale": ref.rationale,
             "source": MAPPING_SOURCE} for ref in control.frameworks]


def _error(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "keyPath": problem.key_path,
            "message": problem.message}


def _drift(d: DriftItem) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": d.kind,
        "resource": d.resource,
        "field": d.field,
        "declared": jsonable(d.declared),
        "live": jsonable(d.live),
        "ignored": d.ignored,
    }
    if d.ignored:
        item["reason"] = safe_text(d.reason)
    if d.note:
        item["note"] = safe_text(d.note)
    if d.location is not None:
        item["location"] = {"file": d.location.file, "line": d.location.line}
    return item


def _unread(u: UnreadItem) -> dict[str, Any]:
    item: dict[str, Any] = {
        "resource": u.resource,
        "reason": safe_text(u.reason),
        "ignored": u.ignored,
    }
    if u.ignored:
        item["ignoreReason"] = safe_text(u.ignore_reason)
    return item
