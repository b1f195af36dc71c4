"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Choices (SARIF requires ``level: "none"`` whenever ``kind`` is not ``"fail"``, §3.27.10):

* ``fail`` → ``kind: "fail"``, level ``error`` (mandatory) or ``warning`` (advisory).
* ``not_evaluated`` → ``kind: "open"``, level ``none``. Because code scanning hides such
  results, every not-evaluated finding that affects the exit code is also a
  ``toolExecutionNotifications`` entry of level ``error`` and ``executionSuccessful`` is false.
* ``pass`` → ``kind: "pass"``; ``not_applicable`` → ``kind: "notApplicable"``: included so the
  log is a complete record of what was checked.
* ``waived`` → the kind its original status had, plus an external, accepted suppression whose
  justification is the waiver reason (``properties.expires`` holds the expiry).
* Drift items are results of the synthetic rule ``DRIFT`` (``kind: "fail"``; error in a drift
  run, warning otherwise); ignored drift is suppressed like a waiver. Unread evidence, warnings
  and errors are tool execution notifications (they are about the run, not the code).
* Every result points at the stack file (line when known) and names its resource key as a
  logical location; ``partialFingerprints["sarguard/v1"]`` hashes control + resource (+ field),
  so a result keeps its identity when lines move.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote, urlparse

from sarguard.controls.base import Control, Finding
from sarguard.report.exit_codes import counts, exit_code
from sarguard.report.model import DriftItem, Report
from sarguard.report.summary import summarize
from sarguard.report.values import safe_text, truncate
from sarguard.report.view import (
    TOOL_NAME,
    TOOL_VERSION,
    catalog,
    drift_sentence,
    location_of,
    severity_of,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/sarguard/sarguard"
DRIFT_RULE_ID = "DRIFT"
FINGERPRINT_KEY = "sarguard/v1"
# GitHub code scanning ranks security alerts by this numeric property.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_LEVELS = {"mandatory": "error", "advisory": "warning", "disabled": "none"}
_KINDS = {
    "pass": "pass",
    "fail": "fail",
    "not_evaluated": "open",
    "not_applicable": "notApplicable",
}
_MESSAGE_LIMIT = 1000


def render_sarif(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"


def to_sarif(report: Report) -> dict[str, Any]:
    rules, index = _rules(report)
    results = [_finding_result(report, f, index) for f in report.findings]
    results += [_drift_result(report, d, index) for d in report.drift or []]
    code = exit_code(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "semanticVersion": TOOL_VERSION,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": code != 2,
                "exitCode": code,
                "toolExecutionNotifications": _notifications(report, index),
            }
        ],
        "automationDetails": {"id": f"{TOOL_NAME}/{report.kind}/{report.stack or 'default'}/"},
        "results": results,
        "properties": {
            "sarguard": {
                "kind": report.kind,
                "stack": report.stack,
                "org": report.org,
                "summary": summarize(report),
            }
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rules = [_control_rule(c) for c in report.controls]
    seen = {c.id for c in report.controls}
    for finding in report.findings:
        if finding.control not in seen:  # a finding whose control is not in the catalog given
            seen.add(finding.control)
            rules.append({"id": finding.control, "properties": {"tags": ["security", "okta"]}})
    if report.drift:
        rules.append(_drift_rule(report))
    return rules, {rule["id"]: i for i, rule in enumerate(rules)}


def _control_rule(control: Control) -> dict[str, Any]:
    refs = [r for r in control.references if r]
    help_md = f"**Remediation.** {control.remediation}\n\n**Why.** {control.rationale}"
    if refs:
        help_md += "\n\n**References**\n" + "".join(f"\n- {r}" for r in refs)
    level = _LEVELS.get(control.default_level, "error")
    rule: dict[str, Any] = {
        "id": control.id,
        "name": control.policy_name,
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": control.rationale or control.title},
        "help": {"text": control.remediation or control.title, "markdown": help_md},
        "defaultConfiguration": {"level": level, "enabled": control.default_level != "disabled"},
        "properties": {
            "tags": ["security", "okta", "suspicious-activity-reporting"],
            "severity": control.severity,
            "security-severity": SECURITY_SEVERITY.get(control.severity, "5.5"),
            "enforcementLevel": control.default_level,
        },
    }
    web = [r for r in refs if urlparse(r).scheme in ("http", "https")]
    if web:
        rule["helpUri"] = web[0]
    return rule


def _drift_rule(report: Report) -> dict[str, Any]:
    return {
        "id": DRIFT_RULE_ID,
        "name": "LiveOrgMatchesStack",
        "shortDescription": {"text": "The live Okta org differs from the declared stack"},
        "fullDescription": {
            "text": "A setting in the live org no longer matches what the Pulumi stack declares "
            "(changed), a declared resource is absent (missing), or the org has a resource "
            "the stack does not declare (unmanaged)."
        },
        "help": {
            "text": "Run `pulumi up` to restore the declared settings, or change the stack to "
            "match the org; accepted differences go in the ignore file with a reason."
        },
        "defaultConfiguration": {"level": "error" if report.kind == "drift" else "warning"},
        "properties": {"tags": ["drift", "okta"]},
    }


def _finding_result(report: Report, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    controls = catalog(report)
    original = finding.details.get("originalStatus", "fail") if finding.status == "waived" else ""
    status = original or finding.status
    kind = _KINDS.get(status, "fail")
    level = _LEVELS.get(finding.level, "error") if kind == "fail" else "none"
    text = safe_text(finding.message) or f"{finding.control} {finding.status} on {finding.resource}"
    result: dict[str, Any] = {
        "ruleId": finding.control,
        "ruleIndex": index[finding.control],
        "kind": kind,
        "level": level,
        "message": {"text": truncate(text, _MESSAGE_LIMIT)},
        "locations": [_location(*location_of(report, finding), finding.resource)],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding.control, finding.resource)},
        "properties": {
            "status": finding.status,
            "resource": finding.resource,
            "enforcementLevel": finding.level,
            "severity": severity_of(finding, controls.get(finding.control)),
        },
    }
    if finding.status == "waived":
        waiver = finding.waiver or {}
        result["properties"]["originalStatus"] = status
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": safe_text(waiver.get("reason")) or "waived",
                "properties": {"expires": safe_text(waiver.get("expires"))},
            }
        ]
    return result


def _drift_result(report: Report, item: DriftItem, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": DRIFT_RULE_ID,
        "ruleIndex": index[DRIFT_RULE_ID],
        "kind": "fail",
        "level": "error" if report.kind == "drift" else "warning",
        "message": {"text": truncate(f"{item.kind}: {drift_sentence(item)}", _MESSAGE_LIMIT)},
        "locations": [_location(report.stack_file, None, item.resource)],
        "partialFingerprints": {
            FINGERPRINT_KEY: _fingerprint(DRIFT_RULE_ID, item.resource, item.field)
        },
        "properties": {"driftKind": item.kind, "resource": item.resource, "field": item.field},
    }
    if item.ignored:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": safe_text(item.reason) or "ignored",
            }
        ]
    return result


def _notifications(report: Report, index: dict[str, int]) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    for error in report.errors:
        notes.append({"level": "error", "message": {"text": safe_text(error)}})
    for finding in report.findings:
        if finding.status == "not_evaluated" and counts(finding, report.strict):
            notes.append(
                {
                    "level": "error",
                    "message": {
                        "text": truncate(
                            f"{finding.control} could not be evaluated on {finding.resource}: "
                            f"{safe_text(finding.message)}",
                            _MESSAGE_LIMIT,
                        )
                    },
                    "associatedRule": {"id": finding.control, "index": index[finding.control]},
                }
            )
    for entry in report.unread:
        text = f"Could not read {entry.resource}: {safe_text(entry.reason)}"
        if entry.ignored:
            text += f" (ignored: {safe_text(entry.ignore_reason)})"
        notes.append({"level": "note" if entry.ignored else "error", "message": {"text": text}})
    for warning in report.warnings:
        notes.append({"level": "warning", "message": {"text": safe_text(warning)}})
    return notes


def _location(file: str | None, line: int | None, resource: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": resource, "kind": "resource"}]
    }
    if file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(file)}}
        if line is not None:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    return location


def artifact_uri(path: str) -> str:
    """A SARIF URI for a file path: relative paths stay relative, with forward slashes."""
    if "\\" in path:
        windows = PureWindowsPath(path)
        if windows.is_absolute():
            return windows.as_uri()
        path = windows.as_posix()
    posix = PurePosixPath(path)
    if posix.is_absolute():
        return posix.as_uri()
    return quote(posix.as_posix(), safe="/-._~")


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
