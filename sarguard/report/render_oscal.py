"""An OSCAL assessment-results document (JSON, OSCAL 1.1.3) of a check, drift or audit run.

The run is one ``result``. Each sarguard finding is an ``observation`` (what was found, where,
the evidence and the remediation as text), and for each NIST SP 800-53 requirement its control
maps to, one OSCAL ``finding`` targets that requirement's objective (``ir-6.1_smt``) as
``satisfied`` (pass) or ``not-satisfied`` (fail, not evaluated, waived). ISO/IEC 27001 and CIS
Controls have no OSCAL catalog ids, so their mappings are ``props`` in sarguard's namespace.
``import-ap`` points at a minimal assessment plan carried in ``back-matter``.

UUIDs are uuid5 of the finding's fingerprint (``report/fingerprint.py``), the target and the
object's kind: the same subject keeps its identifiers from run to run and no two objects share
one. Built with compliance-trestle's models (the ``oscal`` extra), imported here only, so a
sarguard without them still runs every other format.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sarguard.controls.base import Control, Finding
from sarguard.controls.frameworks import MAPPING_NOTE, oscal_control_id
from sarguard.errors import UsageError
from sarguard.report.evidence import evidence_lines
from sarguard.report.fingerprint import fingerprints, subject_of
from sarguard.report.model import Report
from sarguard.report.values import safe_text
from sarguard.report.view import (
    STATUS_LABELS,
    TOOL_NAME,
    TOOL_VERSION,
    catalog,
    org_label,
    outcome,
    remediation_of,
    run_errors,
    severity_of,
    verdict,
)

OSCAL_VERSION = "1.1.3"  # the last OSCAL 1.1.x release; nothing used here changed in 1.2
NS = "urn:sarguard:oscal"  # the namespace of sarguard's own props
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)
INSTALL_HINT = "pip install 'sarguard[oscal]'"
_STATES = {"pass": "satisfied", "fail": "not-satisfied", "not_evaluated": "not-satisfied",
           "waived": "not-satisfied", "baselined": "not-satisfied"}  # not_applicable: an observation, no OSCAL finding
_REASONS = {"pass": "pass", "fail": "fail"}


class OscalUnavailable(UsageError):
    """``--format oscal`` without compliance-trestle installed."""


def require_trestle() -> None:
    """Raise :class:`OscalUnavailable` (exit 2, naming the extra) when trestle is missing."""
    try:
        import trestle.oscal.assessment_results  # noqa: F401
    except ImportError as exc:
        raise OscalUnavailable(
            f"--format oscal needs compliance-trestle: {INSTALL_HINT}") from exc


def stable_uuid(*parts: str) -> str:
    """A uuid5 of ``parts`` in sarguard's namespace."""
    return str(uuid.uuid5(UUID_NAMESPACE, "\x1f".join(parts)))


def render_oscal(report: Report) -> str:
    return json.dumps({"assessment-results": to_dict(report)}, indent=2, ensure_ascii=False) + "\n"


def to_dict(report: Report) -> dict[str, Any]:
    """The assessment results as plain JSON data, validated by trestle's model."""
    require_trestle()
    from trestle.oscal.assessment_results import AssessmentResults

    model = AssessmentResults.model_validate(_document(report))
    return json.loads(model.model_dump_json(by_alias=True, exclude_none=True))


def one_line(text: str) -> str:
    """OSCAL titles and prop values are one line without outer whitespace."""
    return " ".join(text.split())


def _when(report: Report) -> str:
    if report.generated_at:
        try:
            parsed = datetime.fromisoformat(report.generated_at)
            if parsed.tzinfo is not None:
                return parsed.isoformat()
        except ValueError:
            pass
    return datetime.now(UTC).isoformat(timespec="seconds")


def _prop(name: str, value: Any, remarks: str | None = None, cls: str | None = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"name": name, "ns": NS, "value": one_line(safe_text(value)) or "(none)"}
    if cls:
        prop["class"] = cls
    if remarks:
        prop["remarks"] = remarks
    return prop


def _document(report: Report) -> dict[str, Any]:
    when = _when(report)
    subject = subject_of(report)
    run_id = f"{report.kind}|{subject}|{report.generated_at or ''}"
    plan_uuid = stable_uuid("assessment-plan", report.kind, subject)
    controls = catalog(report)
    observations, findings, reviewed = [], [], []
    for fp, finding in zip(fingerprints(report), report.findings, strict=True):
        control = controls.get(finding.control)
        obs_uuid = stable_uuid(fp, finding.control, "observation")
        observations.append(_observation(report, finding, control, obs_uuid, when))
        state = _STATES.get(finding.status)
        for ref in (control.frameworks if control else ()):
            if ref.framework != "nist-800-53" or state is None:
                continue
            target = f"{oscal_control_id(ref.requirement)}_smt"
            reviewed.append(oscal_control_id(ref.requirement))
            findings.append(_finding(finding, control, ref, target, state, obs_uuid,
                                     stable_uuid(fp, target, "finding")))
    code, word = outcome(report)
    result: dict[str, Any] = {
        "uuid": stable_uuid(run_id, "result"),
        "title": f"{TOOL_NAME} {report.kind}: {word}",
        "description": safe_text(verdict(report)),
        "start": when,
        "end": when,
        "props": [_prop("kind", report.kind), _prop("exit-code", code),
                  *([_prop("stack", report.stack)] if report.stack else []),
                  *([_prop("org", org_label(report))] if org_label(report) else [])],
        "reviewed-controls": _reviewed(reviewed),
    }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    remarks = _remarks(report)
    if remarks:
        result["remarks"] = remarks
    return {
        "uuid": stable_uuid(run_id, "assessment-results"),
        "metadata": {
            "title": one_line(f"{TOOL_NAME} {report.kind} assessment results"
                              + (f": {safe_text(report.stack) or org_label(report)}"
                                 if report.stack or org_label(report) else "")),
            "last-modified": when,
            "version": TOOL_VERSION,
            "oscal-version": OSCAL_VERSION,
            "props": [_prop("tool", f"{TOOL_NAME} {TOOL_VERSION}"),
                      *([_prop("command", report.command)] if report.command else []),
                      _prop("mapping-source", "sarguard", remarks=MAPPING_NOTE)],
            "remarks": MAPPING_NOTE + ".",
        },
        "import-ap": {"href": f"#{plan_uuid}",
                      "remarks": "A minimal assessment plan, carried in back-matter: sarguard's "
                                 "control catalog run as automated tests."},
        "results": [result],
        "back-matter": {"resources": [_plan_resource(report, plan_uuid, when, reviewed)]},
    }


def _reviewed(control_ids: list[str]) -> dict[str, Any]:
    ids = list(dict.fromkeys(control_ids))
    if not ids:
        return {"control-selections": [{"include-all": {}}],
                "remarks": "No NIST SP 800-53 requirement was judged in this run."}
    return {"description": "The NIST SP 800-53 Rev. 5 requirements sarguard's controls map to "
                           "(sarguard's own mapping).",
            "control-selections": [{"include-controls": [{"control-id": cid} for cid in ids]}]}


def _observation(report: Report, finding: Finding, control: Control | None, obs_uuid: str,
                 when: str) -> dict[str, Any]:
    status = STATUS_LABELS.get(finding.status, finding.status)
    title = one_line(f"{finding.control} {status}: {safe_text(finding.resource)}")
    props = [_prop("control", finding.control), _prop("status", finding.status),
             _prop("resource", finding.resource), _prop("level", finding.level)]
    severity = severity_of(finding, control)
    if severity:
        props.append(_prop("severity", severity))
    for ref in (control.frameworks if control else ()):
        if ref.framework != "nist-800-53":
            props.append(_prop(ref.framework, ref.requirement, remarks=ref.rationale))
    observation: dict[str, Any] = {
        "uuid": obs_uuid,
        "title": title,
        "description": safe_text(finding.message) or title,
        "props": props,
        "methods": ["TEST"],
        "types": ["finding" if finding.status == "fail" else "control-objective"],
        "collected": when,
    }
    evidence = _evidence(report, finding)
    if evidence:
        observation["relevant-evidence"] = evidence
    remarks = []
    fix = remediation_of(finding, control)
    if fix and finding.status in ("fail", "not_evaluated", "waived", "baselined"):
        remarks.append(f"Remediation: {fix}")
    if finding.waiver is not None:
        remarks.append(f"Waived: {safe_text(finding.waiver.get('reason'))} (expires "
                       f"{safe_text(finding.waiver.get('expires')) or 'never'})")
    if remarks:
        observation["remarks"] = "\n\n".join(remarks)
    return observation


def _evidence(report: Report, finding: Finding) -> list[dict[str, Any]]:
    out = []
    if finding.location is not None and finding.location.file:
        line = finding.location.line
        place = safe_text(finding.location.file) + (f":{line}" if isinstance(line, int) and line >= 1 else "")
        out.append({"description": f"Declared at {place}"})
    if report.kind != "check":
        source = f"the live org {org_label(report)}" if org_label(report) else "the live org"
        out.append({"description": f"Read from {source} by sarguard {report.kind}"})
    for title, lines in evidence_lines(report.evidence):
        if title == "System Log evidence" and finding.control in ("SAR-11", "SAR-12"):
            out.append({"description": f"{title}: " + "; ".join(lines)})
    return out


def _finding(finding: Finding, control: Control | None, ref: Any, target: str, state: str,
             obs_uuid: str, finding_uuid: str) -> dict[str, Any]:
    status: dict[str, Any] = {"state": state}
    if finding.status in _REASONS:
        status["reason"] = _REASONS[finding.status]
    else:
        status["reason"] = "other"
        status["remarks"] = f"sarguard status: {finding.status}"
    return {
        "uuid": finding_uuid,
        "title": one_line(f"{ref.requirement} via {finding.control}: {safe_text(finding.resource)}"),
        "description": f"{finding.control} ({control.title if control else finding.control}) "
                       f"supports {ref.requirement}: {ref.rationale}",
        "props": [_prop("control", finding.control), _prop("mapping-source", "sarguard")],
        "target": {"type": "objective-id", "target-id": target, "status": status},
        "related-observations": [{"observation-uuid": obs_uuid}],
    }


def _remarks(report: Report) -> str:
    parts = [f"Could not run: {e.message}" for e in run_errors(report)]
    parts += [f"Unread evidence: {safe_text(u.resource)}: {safe_text(u.reason)}"
              + (" (ignored)" if u.ignored else "") for u in report.unread]
    drift = [d for d in report.drift or [] if not d.ignored]
    if drift:
        parts.append(f"Drift: {len(drift)} item(s) differ from the declared stack.")
    parts += [f"Warning: {safe_text(w)}" for w in report.warnings]
    return "\n".join(parts)


def _plan_resource(report: Report, plan_uuid: str, when: str, reviewed: list[str]) -> dict[str, Any]:
    """The minimal assessment plan ``import-ap`` names, as a base64 JSON document."""
    plan = {"assessment-plan": {
        "uuid": plan_uuid,
        "metadata": {"title": f"{TOOL_NAME} {report.kind}: automated checks of Okta's suspicious "
                              "activity reporting", "last-modified": when,
                     "version": TOOL_VERSION, "oscal-version": OSCAL_VERSION},
        "import-ssp": {"href": f"#{stable_uuid('ssp', subject_of(report))}",
                       "remarks": "No system security plan is known to sarguard."},
        "reviewed-controls": _reviewed(reviewed),
    }}
    encoded = base64.b64encode(json.dumps(plan, sort_keys=True).encode("utf-8")).decode("ascii")
    return {"uuid": plan_uuid, "title": "sarguard minimal assessment plan",
            "description": "The assessment plan of this run: sarguard's control catalog evaluated "
                           "as automated tests; its NIST SP 800-53 mapping is sarguard's own.",
            "base64": {"filename": "assessment-plan.json", "media-type": "application/json",
                       "value": encoded}}
