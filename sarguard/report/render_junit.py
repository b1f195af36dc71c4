"""JUnit XML, so CI systems that understand test reports show each control as a suite.

One ``testsuite`` per control and one ``testcase`` per finding: ``fail`` → ``<failure>``,
``not_evaluated`` → ``<error>``, ``not_applicable``/``waived`` → ``<skipped>``, ``pass`` → an
empty testcase. Drift is a ``drift`` suite (ignored items skipped), unread evidence an
``unread`` suite (unread → ``<error>``). A run that could not run lists each error in a file
(settings, stack file, policy config, waivers, ignores, export) as a failing testcase of a
``settings`` suite, named by file, line and key path; other run errors and the warnings are a
``sarguard`` suite.
ElementTree does the escaping; characters XML 1.0 cannot carry are replaced first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sarguard.controls.base import Control, Finding
from sarguard.report.model import Report
from sarguard.report.values import safe_text, strip_controls
from sarguard.report.view import (
    BASELINED_NOTE,
    TOOL_NAME,
    drift_sentence,
    groups,
    remediation_of,
    run_errors,
    severity_of,
)

# Characters not allowed in XML 1.0 documents (ElementTree would write them unescaped).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", strip_controls(text))


def render_junit(report: Report) -> str:
    root = ET.Element("testsuites", name=clean(f"{TOOL_NAME} {report.kind}"))
    for group in groups(report):
        suite = _suite(root, group.control_id, group.title)
        for finding in group.findings:
            _finding_case(suite, finding, group.control, group.control_id)
    if report.drift is not None or report.kind in ("drift", "audit"):
        suite = _suite(root, "drift", "live org vs declared stack")
        for item in report.drift or []:
            case = _case(suite, f"{item.kind} {item.resource} {item.field}".strip(), "drift")
            message = drift_sentence(item)
            if item.ignored:
                _child(case, "skipped", f"ignored: {safe_text(item.reason)}")
            else:
                _child(case, "failure", message, kind=item.kind)
    if report.unread:
        suite = _suite(root, "unread", "evidence that could not be read")
        for entry in report.unread:
            case = _case(suite, entry.resource, "unread")
            if entry.ignored:
                _child(case, "skipped", f"ignored: {safe_text(entry.ignore_reason)}")
            else:
                _child(case, "error", safe_text(entry.reason), kind="unread")
    errors = run_errors(report)
    located = [e for e in errors if e.file]
    if located:
        suite = _suite(root, "settings", "inputs that stopped the run")
        for error in located:
            name = error.file + (f":{error.line}" if error.line else "")
            name += f" {error.key_path}" if error.key_path else ""
            _child(_case(suite, name, f"{TOOL_NAME}.settings"), "failure", error.message,
                   kind="settings")
    other = [e for e in errors if not e.file]
    if other or report.warnings:
        suite = _suite(root, TOOL_NAME, "run")
        for i, error in enumerate(other, 1):
            _child(_case(suite, f"error {i}", TOOL_NAME), "error", error.message, kind="error")
        if report.warnings:
            out = ET.SubElement(suite, "system-out")
            out.text = clean("\n".join(f"warning: {safe_text(w)}" for w in report.warnings))
    _count(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(root: ET.Element, name: str, title: str) -> ET.Element:
    suite = ET.SubElement(root, "testsuite", name=clean(name))
    if title:
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="title", value=clean(title))
    return suite


def _case(suite: ET.Element, name: str, classname: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", name=clean(name), classname=clean(classname))


def _child(case: ET.Element, tag: str, message: str, text: str = "", kind: str = "") -> None:
    element = ET.SubElement(case, tag, message=clean(message))
    if kind:
        element.set("type", clean(kind))
    if text:
        element.text = clean(text)


def _finding_case(
    suite: ET.Element, finding: Finding, control: Control | None, control_id: str
) -> None:
    case = _case(suite, finding.resource, f"{TOOL_NAME}.{control_id}")
    message = safe_text(finding.message)
    if finding.status == "fail":
        severity = severity_of(finding, control)
        detail = (f"severity: {severity}, " if severity else "") + f"level: {finding.level}"
        fix = remediation_of(finding, control)
        _child(
            case,
            "failure",
            message,
            f"{detail}\nremediation: {fix}" if fix else detail,
            kind=finding.level,
        )
    elif finding.status == "not_evaluated":
        _child(case, "error", message, kind="not_evaluated")
    elif finding.status == "waived":
        waiver = finding.waiver or {}
        _child(
            case,
            "skipped",
            f"waived until {safe_text(waiver.get('expires'))}: {safe_text(waiver.get('reason'))}",
        )
    elif finding.status == "baselined":
        _child(case, "skipped", f"{BASELINED_NOTE}: {message}")
    elif finding.status == "not_applicable":
        _child(case, "skipped", f"not applicable: {message}")


def _count(root: ET.Element) -> None:
    """Fill tests/failures/errors/skipped on every suite and on the root."""
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        numbers = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in numbers.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
