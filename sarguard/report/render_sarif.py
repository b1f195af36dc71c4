"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Choices (SARIF requires ``level: "none"`` whenever ``kind`` is not ``"fail"``, §3.27.10):

* ``fail`` → ``kind: "fail"``, level ``error`` (mandatory) or ``warning`` (advisory).
* ``not_evaluated`` → ``kind: "open"``, level ``none``. Because code scanning hides such
  results, every not-evaluated finding that affects the exit code is also a
  ``toolExecutionNotifications`` entry of level ``error`` and ``executionSuccessful`` is false.
* ``pass`` → ``kind: "pass"``; ``not_applicable`` → ``kind: "notApplicable"``: included so the
  log is a complete record of what was checked.
* ``baselined`` → kind ``fail`` with an external, accepted suppression ("in the baseline").
* ``waived`` → the kind its original status had, plus an external, accepted suppression whose
  justification is the waiver reason (``properties.expires`` holds the expiry).
* Drift items are results of the synthetic rule ``DRIFT`` (``kind: "fail"``; error in a drift
  run, warning otherwise); ignored drift is suppressed like a waiver. A declared resource's item
  points at its line in the stack file; a live-only one at the stack file without a line.
* A run that could not run (bad settings, policy config, waivers, ignores or export; the org
  unreachable; an internal error) still writes a log: ``executionSuccessful`` is false and each
  error is a result — rule ``SETTINGS`` (level ``error``) at the file and line it names, or rule
  ``RUN`` where it has no place in a file. Unread evidence, warnings and errors are also tool
  execution notifications.

GitHub code scanning's upload rules (cited in ``tests/report/test_sarif_code_scanning.py``):

* a single result without ``locations[0].physicalLocation.artifactLocation.uri`` makes GitHub
  reject the whole file, so every result has one: the stack file (line when known) or, for
  evidence with no file behind it, a stable pseudo-path — ``okta/<org host>/<resource key>``
  for org resources, the resource key itself for ``endpoint/<host><path>`` (drills);
* ``automationDetails.id`` is ``sarguard/<command>/<stack or host>/``: GitHub takes everything up
  to the last ``/`` as the category and keeps one analysis per category, and the upload action
  never overrides an id the file already has;
* GitHub tracks alerts by ``partialFingerprints.primaryLocationLineHash`` only: it and
  ``sarguard/v1`` hash rule + resource key (+ drift field), so an alert survives lines moving
  and settings being edited (the upload action logs that its own line hash differs, and keeps
  ours).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote, urlparse

from sarguard.controls.base import Control, Finding
from sarguard.errors import Problem
from sarguard.model import ORG
from sarguard.report.exit_codes import completed, counts, exit_code
from sarguard.report.fingerprint import fingerprints
from sarguard.report.model import DriftItem, Report
from sarguard.report.summary import summarize
from sarguard.report.values import safe_text, truncate
from sarguard.report.view import (
    BASELINED_NOTE,
    TOOL_NAME,
    TOOL_VERSION,
    catalog,
    drift_location,
    drift_sentence,
    location_of,
    run_errors,
    severity_of,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/sarguard/sarguard"
DRIFT_RULE_ID = "DRIFT"
SETTINGS_RULE_ID = "SETTINGS"
RUN_RULE_ID = "RUN"
FINGERPRINT_KEY = "sarguard/v1"
FINGERPRINT_V2_KEY = "sarguard/v2"  # the JSON report's `fingerprint` (see report/fingerprint.py)
GITHUB_FINGERPRINT_KEY = "primaryLocationLineHash"  # the only key code scanning tracks by
ENDPOINT_PREFIX = "endpoint/"
STACK_KINDS = frozenset({"check", "drift"})
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
    results = [_error_result(report, e, index) for e in run_errors(report)]
    results += [_finding_result(report, f, index, print_)
                for f, print_ in zip(report.findings, fingerprints(report), strict=True)]
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
        "automationDetails": {"id": automation_id(report)},
        "results": results,
        "properties": {
            "sarguard": {
                "kind": report.kind,
                "stack": report.stack,
                "org": report.org,
                "orgUrl": report.org_url,
                "completed": completed(report),
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
    problems = run_errors(report)
    if any(p.file for p in problems):
        rules.append(_error_rule(SETTINGS_RULE_ID))
    if any(not p.file for p in problems):
        rules.append(_error_rule(RUN_RULE_ID))
    return rules, {rule["id"]: i for i, rule in enumerate(rules)}


def _error_rule(rule_id: str) -> dict[str, Any]:
    settings = rule_id == SETTINGS_RULE_ID
    text = ("An input sarguard reads (stack settings, policy config, waivers, ignore file or "
            "stack export) has a problem, so the controls could not run."
            if settings else "sarguard could not run or could not finish reading its evidence.")
    return {
        "id": rule_id,
        "name": "InputsAreValid" if settings else "RunCompletes",
        "shortDescription": {"text": "sarguard could not run: " + (
            "an input file has a problem" if settings else "the run failed")},
        "fullDescription": {"text": text},
        "help": {"text": "Fix the problem the result names (file, line and key path) and run "
                         "again; until then no control is evaluated." if settings else
                         "The result says what failed (e.g. the org could not be reached); fix "
                         "it and run again. Set SARGUARD_DEBUG=1 for a traceback of an internal "
                         "error."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["sarguard", "configuration" if settings else "run"]},
    }


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
            # sarguard's framework mappings as tags (`nist-800-53/IR-6(1)`), searchable in
            # code scanning; the rationale of each is in `frameworks` of the JSON report.
            "tags": ["security", "okta", "suspicious-activity-reporting",
                     *(ref.tag for ref in control.frameworks)],
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


def _finding_result(report: Report, finding: Finding, index: dict[str, int],
                    fingerprint: str) -> dict[str, Any]:
    controls = catalog(report)
    original = (finding.details.get("originalStatus", "fail")
                if finding.status in ("waived", "baselined") else "")
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
        "locations": [_location(report, *location_of(report, finding), finding.resource)],
        # sarguard/v1 and GitHub's key stay as they were (changing them would close and reopen
        # every alert); sarguard/v2 is the JSON report's fingerprint (control, rule, subject).
        "partialFingerprints": {**_fingerprints(finding.control, finding.resource),
                                FINGERPRINT_V2_KEY: fingerprint},
        "properties": {
            "status": finding.status,
            "rule": finding.rule,
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
    if finding.status == "baselined":
        result["properties"]["originalStatus"] = status
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": BASELINED_NOTE}
        ]
    return result


def _drift_result(report: Report, item: DriftItem, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": DRIFT_RULE_ID,
        "ruleIndex": index[DRIFT_RULE_ID],
        "kind": "fail",
        "level": "error" if report.kind == "drift" else "warning",
        "message": {"text": truncate(f"{item.kind}: {drift_sentence(item)}", _MESSAGE_LIMIT)},
        "locations": [_location(report, *drift_location(report, item), item.resource)],
        "partialFingerprints": _fingerprints(DRIFT_RULE_ID, item.resource, item.field),
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


def _error_result(report: Report, problem: Problem, index: dict[str, int]) -> dict[str, Any]:
    rule_id = SETTINGS_RULE_ID if problem.file else RUN_RULE_ID
    where = problem.key_path or problem.message
    return {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "kind": "fail",
        "level": "error",
        "message": {"text": truncate(problem.message, _MESSAGE_LIMIT)},
        "locations": [_location(report, problem.file or report.stack_file, problem.line,
                                problem.key_path or ORG)],
        "partialFingerprints": _fingerprints(rule_id, problem.file or "", where),
        "properties": {"file": problem.file, "line": problem.line, "keyPath": problem.key_path},
    }


def _notifications(report: Report, index: dict[str, int]) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = []
    for error in run_errors(report):
        notes.append({"level": "error", "message": {"text": error.message}})
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
    for note in report.notes:  # what could not be compared; no action needed
        notes.append({"level": "note", "message": {"text": safe_text(note)}})
    return notes


def _location(report: Report, file: str | None, line: int | None,
              resource: str) -> dict[str, Any]:
    """A location GitHub accepts: always a physical one (a file, else a pseudo-path)."""
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(file) if file else pseudo_uri(report, resource)}
    }
    if file and line is not None:
        physical["region"] = {"startLine": line}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"fullyQualifiedName": resource, "kind": "resource"}],
    }


def pseudo_uri(report: Report, resource: str) -> str:
    """The stable, documented pseudo-path of evidence with no file behind it:
    ``endpoint/<host><path>`` resources are their own path; everything else lives under
    ``okta/<org host>/``."""
    if resource.startswith(ENDPOINT_PREFIX):
        return quote(resource, safe="/-._~:")
    return quote(f"okta/{org_host(report) or 'unknown-org'}/{resource}", safe="/-._~:")


def org_host(report: Report) -> str | None:
    """``host[:port]`` of the org the report is about, from its URL or its name."""
    for value in (report.org_url, report.org):
        if isinstance(value, str) and value:
            parsed = urlparse(value if "://" in value else f"https://{value}")
            if parsed.hostname:
                return parsed.hostname + (f":{parsed.port}" if parsed.port else "")
    return None


def automation_id(report: Report) -> str:
    """``sarguard/<command>/<subject>/``: the stack for stack commands, else the host."""
    subject = report.stack if report.kind in STACK_KINDS else None
    if not subject and report.kind not in STACK_KINDS and report.kind != "audit":
        subject = next((urlparse("https://" + f.resource[len(ENDPOINT_PREFIX):]).netloc
                        for f in report.findings if f.resource.startswith(ENDPOINT_PREFIX)), None)
    subject = subject or org_host(report) or report.stack or "default"
    return f"{TOOL_NAME}/{report.kind}/{subject.replace('/', '-')}/"


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


def _fingerprints(*parts: str) -> dict[str, str]:
    """The same stable identity under sarguard's own key and the one GitHub tracks by."""
    value = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return {FINGERPRINT_KEY: value, GITHUB_FINGERPRINT_KEY: value}
