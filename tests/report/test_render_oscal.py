"""OSCAL assessment results: valid against compliance-trestle's models (generated from NIST's
OSCAL schema; usnistgov/OSCAL, src/metaschema/oscal_assessment-results_metaschema.xml), one
observation per sarguard finding, one OSCAL finding per NIST SP 800-53 requirement it maps to,
ISO/CIS as props, import-ap resolved in back-matter, and UUIDs stable for the same subject."""

from __future__ import annotations

import base64
import copy
import json
import sys
from pathlib import Path

import pytest

from sarguard.cli import main
from sarguard.report import render
from sarguard.report.fingerprint import fingerprint, fingerprints
from sarguard.report.render_oscal import NS, OSCAL_VERSION, OscalUnavailable, require_trestle
from tests.report.html_samples import hostile_report, sample

trestle_ar = pytest.importorskip("trestle.oscal.assessment_results",
                                 reason="compliance-trestle (the 'oscal' extra) is not installed")


def oscal(report) -> dict:
    """Render, then parse back with trestle's model: every document the suite writes is checked."""
    text = render(report, "oscal")
    trestle_ar.AssessmentResults.model_validate(json.loads(text)["assessment-results"])
    return json.loads(text)["assessment-results"]


def all_uuids(node) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "uuid"] + [u for v in node.values() for u in all_uuids(v)]
    if isinstance(node, list):
        return [u for v in node for u in all_uuids(v)]
    return []


@pytest.mark.parametrize("kind", ["check", "drift", "audit"])
def test_valid_assessment_results_with_unique_uuids(kind: str) -> None:
    doc = oscal(sample(kind))
    assert doc["metadata"]["oscal-version"] == OSCAL_VERSION and OSCAL_VERSION.startswith("1.1.")
    uuids = all_uuids(doc)
    assert len(uuids) == len(set(uuids))
    (result,) = doc["results"]
    assert len(result["observations"]) == len(sample(kind).findings)


def test_one_finding_per_nist_requirement_targeting_its_objective() -> None:
    doc = oscal(sample("audit"))
    (result,) = doc["results"]
    observations = {o["uuid"]: o for o in result["observations"]}
    targets = {}
    for f in result["findings"]:
        (related,) = f["related-observations"]
        obs = observations[related["observation-uuid"]]
        control = next(p["value"] for p in obs["props"] if p["name"] == "control")
        targets[(control, f["target"]["target-id"])] = f["target"]["status"]["state"]
        assert f["target"]["type"] == "objective-id"
    # SAR-01 (pass) maps to IR-6 and IR-6(1); SAR-03 has a failure and a waiver on IR-6(1), CM-6
    assert targets[("SAR-01", "ir-6_smt")] == "satisfied"
    assert targets[("SAR-01", "ir-6.1_smt")] == "satisfied"
    assert targets[("SAR-03", "cm-6_smt")] == "not-satisfied"
    assert targets[("SAR-05", "ir-4.1_smt")] == "not-satisfied"  # not evaluated is never satisfied
    sar05_na = [o for o in result["observations"] if "eventHook/other" in o["title"]]
    assert sar05_na and not any(r["observation-uuid"] == sar05_na[0]["uuid"]
                                for f in result["findings"] for r in f["related-observations"])
    included = {c["control-id"] for c in result["reviewed-controls"]["control-selections"][0]["include-controls"]}
    assert {"ir-6", "ir-6.1", "cm-6", "ir-4.1"} <= included


def test_iso_and_cis_are_props_in_sarguards_namespace_with_remediation_as_text() -> None:
    (result,) = oscal(sample("audit"))["results"]
    sar01 = next(o for o in result["observations"] if o["title"].startswith("SAR-01"))
    props = {(p["name"], p["value"]): p for p in sar01["props"]}
    assert ("iso-27001", "A.6.8") in props and ("cis-v8", "17.3") in props
    assert props[("iso-27001", "A.6.8")]["ns"] == NS and props[("iso-27001", "A.6.8")]["remarks"]
    failing = next(o for o in result["observations"] if o["title"].startswith("SAR-03 FAIL"))
    assert "Remediation: Fix SAR-03" in failing["remarks"]
    assert any("stacks/Pulumi.demo.yaml:40" in e["description"] for e in failing["relevant-evidence"])
    waived = next(o for o in result["observations"] if o["title"].startswith("SAR-03 waived"))
    assert "JIRA-1: rebuild, pending" in waived["remarks"] and "2031-01-31" in waived["remarks"]


def test_import_ap_points_at_a_plan_in_back_matter() -> None:
    doc = oscal(sample("check"))
    href = doc["import-ap"]["href"]
    assert href.startswith("#")
    (resource,) = [r for r in doc["back-matter"]["resources"] if r["uuid"] == href[1:]]
    plan = json.loads(base64.b64decode(resource["base64"]["value"]))["assessment-plan"]
    assert plan["uuid"] == href[1:] and plan["metadata"]["oscal-version"] == OSCAL_VERSION
    from trestle.oscal.assessment_plan import AssessmentPlan

    AssessmentPlan.model_validate(plan)


def test_uuids_are_stable_across_runs_and_messages_but_not_subjects() -> None:
    first = sample("audit")
    second = copy.deepcopy(first)
    second.generated_at = "2026-02-01T00:00:00+00:00"
    second.findings[1].message = "reworded"
    second.findings[1].location.line = 99

    def ids(report) -> list[str]:
        (result,) = oscal(report)["results"]
        return [o["uuid"] for o in result["observations"]] + [f["uuid"] for f in result["findings"]]

    assert ids(first) == ids(second)
    other = copy.deepcopy(first)
    other.stack = "prod"
    assert not set(ids(first)) & set(ids(other))


def test_fingerprint_ignores_line_and_message_and_separates_subjects() -> None:
    report = sample("audit")
    a = report.findings[1]
    moved = copy.deepcopy(a)
    moved.message, moved.location.line = "other words", 7
    assert fingerprint(report, a) == fingerprint(report, moved)
    elsewhere = copy.deepcopy(a)
    elsewhere.resource = "brand/default/template/NewSignOnNotification/customization/de"
    assert fingerprint(report, a) != fingerprint(report, elsewhere)
    twice = copy.deepcopy(report)
    twice.findings.append(copy.deepcopy(a))
    assert len(set(fingerprints(twice))) == len(twice.findings)


def test_hostile_strings_stay_valid_oscal() -> None:
    doc = oscal(hostile_report())
    assert all("\n" not in o["title"] for o in doc["results"][0]["observations"])


def test_missing_trestle_is_exit_2_naming_the_extra(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "trestle.oscal.assessment_results", None)  # import fails
    with pytest.raises(OscalUnavailable, match=r"pip install 'sarguard\[oscal\]'"):
        require_trestle()
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--stack", "demo", "--format", "oscal"])
    assert exit_info.value.code == 2
    assert "pip install 'sarguard[oscal]'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["check", "--stack", "demo", "--also", f"oscal={tmp_path / 'x.json'}"])
    assert not (tmp_path / "x.json").exists()


def test_check_writes_oscal_that_trestle_reads_back(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    out = tmp_path / "check.oscal.json"
    code = main(["check", "--stack", "demo", "--format", "oscal", "--output", str(out)])
    assert code in (0, 1)
    doc = json.loads(out.read_text(encoding="utf-8"))["assessment-results"]
    trestle_ar.AssessmentResults.model_validate(doc)
    command = next(p["value"] for p in doc["metadata"]["props"] if p["name"] == "command")
    assert command.startswith("sarguard check --stack demo --format oscal")


def test_no_control_character_from_the_org_in_oscal() -> None:
    from tests.report.test_hostile_strings import hostile_report as terminal_hostile

    text = render(terminal_hostile(), "oscal")
    assert "\\u001b" not in text and "\x1b" not in text
