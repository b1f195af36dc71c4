import json

import jsonschema
import pytest

from sarguard.report import render
from sarguard.report.model import Report
from sarguard.report.render_sarif import artifact_uri
from tests.report.sample import STACK_FILE, finding, full_report


@pytest.mark.parametrize("kind", ["check", "drift", "audit"])
def test_validates_against_sarif_schema(sarif_schema: dict, kind: str) -> None:
    data = json.loads(render(full_report(kind), "sarif"))
    validator = jsonschema.Draft4Validator(
        sarif_schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_empty_report_validates(sarif_schema: dict) -> None:
    data = json.loads(render(Report(kind="check"), "sarif"))
    jsonschema.Draft4Validator(sarif_schema).validate(data)
    assert data["runs"][0]["results"] == []


def _run(kind: str = "audit") -> dict:
    return json.loads(render(full_report(kind), "sarif"))["runs"][0]


def test_rules_carry_catalog_metadata() -> None:
    rules = {r["id"]: r for r in _run()["tool"]["driver"]["rules"]}
    sar01 = rules["SAR-01"]
    assert sar01["name"] == "sar-01-policy"
    assert sar01["shortDescription"]["text"] == "Report button enabled"
    assert sar01["fullDescription"]["text"] == "Why SAR-01 matters."
    assert sar01["help"]["text"] == "Fix SAR-01 | by doing <things>."
    assert sar01["helpUri"] == "https://help.okta.com/report-suspicious"
    assert sar01["defaultConfiguration"]["level"] == "error"
    assert rules["SAR-09"]["defaultConfiguration"]["level"] == "warning"
    assert sar01["properties"]["severity"] == "high"
    assert "helpUri" not in rules["SAR-03"]
    assert {"SAR-99", "DRIFT"} <= set(rules)  # unknown control and synthetic drift rule


def test_results_kinds_levels_and_rule_indexes() -> None:
    run = _run()
    rules = run["tool"]["driver"]["rules"]
    results = {(r["ruleId"], r["properties"].get("resource")): r for r in run["results"]}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "none" or result["kind"] == "fail"  # SARIF §3.27.10
    fail = results[("SAR-03", "brand/default/template/NewSignOnNotification/customization/fr")]
    assert (fail["kind"], fail["level"]) == ("fail", "error")
    phys = fail["locations"][0]["physicalLocation"]
    assert phys == {"artifactLocation": {"uri": STACK_FILE}, "region": {"startLine": 40}}
    assert fail["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith("/fr")
    assert results[("SAR-09", "threatInsight")]["level"] == "warning"
    assert results[("SAR-05", "eventHook/soc")]["kind"] == "open"
    assert results[("SAR-01", "securityNotificationEmails")]["kind"] == "pass"
    assert results[("SAR-05", "eventHook/other")]["kind"] == "notApplicable"
    waived = results[("SAR-03", "brand/b2/template/PasswordChanged/customization/en")]
    assert waived["suppressions"][0]["kind"] == "external"
    assert waived["suppressions"][0]["justification"] == "JIRA-1: rebuild, pending"
    drift = [r for r in run["results"] if r["ruleId"] == "DRIFT"]
    assert len(drift) == 5
    assert sum(1 for r in drift if "suppressions" in r) == 1


def test_run_failure_is_visible_without_results() -> None:
    invocation = _run()["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("SAR-05" in t for t in texts)
    assert any("systemLog" in t for t in texts)
    assert any("expired" in t for t in texts)


def test_fingerprints_stable_and_distinct() -> None:
    first = [r["partialFingerprints"] for r in _run()["results"]]
    second = [r["partialFingerprints"] for r in _run()["results"]]
    assert first == second
    values = [fp["sarguard/v1"] for fp in first]
    assert len(set(values)) == len(values)


def test_fingerprint_ignores_line_moves() -> None:
    report = full_report()
    before = json.loads(render(report, "sarif"))["runs"][0]["results"][1]["partialFingerprints"]
    report.findings[1].location.line = 99
    after = json.loads(render(report, "sarif"))["runs"][0]["results"][1]["partialFingerprints"]
    assert before == after


def test_finding_without_location_points_at_stack_file() -> None:
    report = Report(
        kind="check", findings=[finding("SAR-02", "fail", "org", "x")], stack_file=STACK_FILE
    )
    loc = json.loads(render(report, "sarif"))["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": STACK_FILE}}


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("stacks/Pulumi.demo.yaml", "stacks/Pulumi.demo.yaml"),
        ("stacks\\Pulumi.demo.yaml", "stacks/Pulumi.demo.yaml"),
        ("my stacks/P#1.yaml", "my%20stacks/P%231.yaml"),
        ("/repo/stacks/a.yaml", "file:///repo/stacks/a.yaml"),
    ],
)
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri
