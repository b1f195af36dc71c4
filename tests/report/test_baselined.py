"""``rule``, ``fingerprint`` and the ``baselined`` status in every report format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from sarguard.controls.base import Finding
from sarguard.model import Location
from sarguard.report import FORMATS, render
from sarguard.report.exit_codes import exit_code
from sarguard.report.fingerprint import fingerprint
from sarguard.report.model import Report
from sarguard.report.view import BASELINED_NOTE
from tests.report.sample import CONTROLS, STACK_FILE, full_report

ACCEPTED = "brand/default/template/AuthenticatorReset/customization/de"


def baselined_report(kind: str = "check") -> Report:
    report = full_report(kind)
    report.findings.append(Finding(
        control="SAR-03", status="baselined", resource=ACCEPTED, message="known: lacks the link",
        rule="SAR-03/report-link", location=Location(STACK_FILE, 77),
        details={"originalStatus": "fail"}))
    return report


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "oscal"])
def test_a_baselined_finding_is_visible_in_every_format(fmt: str) -> None:
    out = render(baselined_report(), fmt)
    assert ACCEPTED in out, fmt
    assert "baselined" in out.lower() or BASELINED_NOTE in out, fmt


def test_oscal_shows_the_baselined_finding() -> None:
    pytest.importorskip("trestle", reason="the oscal extra (compliance-trestle) is not installed")
    out = render(baselined_report(), "oscal")
    assert ACCEPTED in out and "baselined" in out


def test_baselined_is_never_counted() -> None:
    report = Report(kind="check", controls=list(CONTROLS), findings=[Finding(
        "SAR-03", "baselined", ACCEPTED, "known", details={"originalStatus": "fail"})])
    assert exit_code(report) == 0
    data = json.loads(render(report, "json"))
    assert data["summary"]["baselined"] == 1 and data["summary"]["failed"] == 0
    assert data["exitCode"] == 0
    assert render(report, "text").startswith("PASSED: 1 baselined")


def test_junit_skips_a_baselined_case() -> None:
    root = ET.fromstring(render(baselined_report(), "junit"))
    case = next(c for c in root.iter("testcase") if c.get("name") == ACCEPTED)
    skipped = case.find("skipped")
    assert skipped is not None and BASELINED_NOTE in (skipped.get("message") or "")


def test_sarif_suppresses_a_baselined_result_and_keeps_the_old_fingerprints(sarif_schema) -> None:
    # GitHub tracks alerts by primaryLocationLineHash: it and sarguard/v1 must stay what they were
    # (hash of rule id + resource key), sarguard/v2 is the JSON report's fingerprint.
    report = baselined_report()
    sarif = json.loads(render(report, "sarif"))
    jsonschema.Draft4Validator(sarif_schema).validate(sarif)
    result = next(r for r in sarif["runs"][0]["results"]
                  if r["properties"].get("resource") == ACCEPTED)
    assert result["kind"] == "fail"
    assert result["suppressions"] == [{"kind": "external", "status": "accepted",
                                       "justification": BASELINED_NOTE}]
    prints = result["partialFingerprints"]
    import hashlib

    v1 = hashlib.sha256(f"SAR-03\x1f{ACCEPTED}".encode()).hexdigest()[:32]
    assert prints["sarguard/v1"] == prints["primaryLocationLineHash"] == v1
    data = json.loads(render(report, "json"))
    by_resource = {f["resource"]: f for f in data["findings"]}
    assert prints["sarguard/v2"] == by_resource[ACCEPTED]["fingerprint"]
    assert result["properties"]["rule"] == "SAR-03/report-link"


def test_json_findings_carry_rule_and_fingerprint() -> None:
    data = json.loads(render(baselined_report(), "json"))
    for item in data["findings"]:
        assert item["rule"].startswith(item["control"] + "/")
        assert len(item["fingerprint"]) == 32
    prints = [f["fingerprint"] for f in data["findings"]]
    assert len(set(prints)) == len(prints)
    assert {f["resource"]: f["rule"] for f in data["findings"]}[ACCEPTED] == "SAR-03/report-link"
    assert {f["resource"]: f["rule"] for f in data["findings"]}["threatInsight"] == "SAR-09/main"


def test_the_fingerprint_ignores_line_and_message_but_not_the_subject() -> None:
    report = baselined_report()
    base = Finding("SAR-03", "fail", ACCEPTED, "one message", rule="SAR-03/report-link",
                   location=Location(STACK_FILE, 1))
    moved = Finding("SAR-03", "fail", ACCEPTED, "another message", rule="SAR-03/report-link",
                    location=Location(STACK_FILE, 500))
    assert fingerprint(report, base) == fingerprint(report, moved)
    for other in (Finding("SAR-03", "fail", ACCEPTED.replace("/de", "/fr"), "one message",
                          rule="SAR-03/report-link"),
                  Finding("SAR-03", "fail", ACCEPTED, "one message", rule="SAR-03/template-read"),
                  Finding("SAR-04", "fail", ACCEPTED, "one message", rule="SAR-03/report-link")):
        assert fingerprint(report, other) != fingerprint(report, base)
    report.stack = "prod"
    assert fingerprint(report, base) != fingerprint(baselined_report(), base)
