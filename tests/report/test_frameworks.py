"""Framework mappings: written once per control module, carried by the catalog, and shown the
same way in JSON (`frameworks`), SARIF (rule tags), and `sarguard controls`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sarguard.cli import main
from sarguard.controls.catalog import CATALOG
from sarguard.controls.frameworks import (
    FRAMEWORK_NAMES,
    by_requirement,
    oscal_control_id,
    refs_of,
    requirement_sort_key,
)
from sarguard.report import render
from tests.report.html_samples import sample

# What each framework's requirement ids look like: NIST SP 800-53 Rev. 5 controls and
# enhancements (AC-9(3)), ISO/IEC 27001:2022 Annex A (A.5.24, themes 5-8), CIS Controls v8 safeguards (17.3).
SHAPES = {"nist-800-53": r"[A-Z]{2}-\d{1,2}(\(\d{1,2}\))?", "iso-27001": r"A\.[5-8]\.\d{1,2}",
          "cis-v8": r"\d{1,2}\.\d{1,2}"}


@pytest.mark.parametrize("control", CATALOG, ids=lambda c: c.id)
def test_every_control_maps_to_each_framework_with_a_rationale(control) -> None:
    frameworks = {ref.framework for ref in control.frameworks}
    assert frameworks == set(FRAMEWORK_NAMES), control.id
    for ref in control.frameworks:
        assert re.fullmatch(SHAPES[ref.framework], ref.requirement), ref
        assert ref.rationale.strip() and "\n" not in ref.rationale, ref  # one line
    tags = [ref.tag for ref in control.frameworks]
    assert len(tags) == len(set(tags)), control.id


def test_the_issues_anchor_mappings_are_there() -> None:
    tags = {c.id: {ref.tag for ref in c.frameworks} for c in CATALOG}
    assert {"nist-800-53/IR-6", "nist-800-53/IR-6(1)"} <= tags["SAR-01"]
    assert {"nist-800-53/IR-6(1)", "nist-800-53/IR-4(1)"} <= tags["SAR-05"]
    assert "nist-800-53/AC-9(3)" in tags["SAR-02"]
    assert "nist-800-53/CM-3" in tags["SAR-12"] and "nist-800-53/SI-4" in tags["SAR-10"]
    assert "iso-27001/A.6.8" in tags["SAR-01"] and "iso-27001/A.8.16" in tags["SAR-11"]
    assert "cis-v8/17.2" in tags["SAR-08"] and "cis-v8/17.3" in tags["SAR-01"]


def test_helpers() -> None:
    assert oscal_control_id("IR-6(1)") == "ir-6.1" and oscal_control_id("SI-4") == "si-4"
    assert sorted(["IR-10", "IR-6(1)", "IR-6", "AC-9(3)"], key=requirement_sort_key) == [
        "AC-9(3)", "IR-6", "IR-6(1)", "IR-10"]
    with pytest.raises(ValueError, match="unknown framework"):
        refs_of({"nist": {"IR-6": "why"}})
    with pytest.raises(ValueError, match="needs a rationale"):
        refs_of({"cis-v8": {"17.3": " "}})
    ir6 = dict(by_requirement(CATALOG, "nist-800-53"))["IR-6(1)"]
    assert [c.id for c, _ in ir6] == ["SAR-01", "SAR-03", "SAR-05", "SAR-06", "SAR-07", "SAR-11"]


def test_json_findings_carry_their_frameworks_marked_as_sarguards() -> None:
    data = json.loads(render(sample("audit"), "json"))
    sar01 = next(f for f in data["findings"] if f["control"] == "SAR-01")
    assert {"framework": "nist-800-53", "id": "IR-6(1)", "rationale": "Automated reporting.",
            "source": "sarguard"} in sar01["frameworks"]
    unknown = next(f for f in data["findings"] if f["control"] == "SAR-99")
    assert "frameworks" not in unknown


def test_sarif_rules_tag_their_framework_requirements() -> None:
    sarif = json.loads(render(sample("audit"), "sarif"))
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "nist-800-53/IR-6(1)" in rules["SAR-01"]["properties"]["tags"]
    assert "cis-v8/17.3" in rules["SAR-01"]["properties"]["tags"]
    assert "security" in rules["SAR-01"]["properties"]["tags"]


def test_controls_command_lists_the_catalog(capsys) -> None:
    assert main(["controls"]) == 0
    out = capsys.readouterr().out
    for control in CATALOG:
        assert control.id in out
    assert "nist-800-53: IR-6, IR-6(1)" in out and "no framework publishes one" in out


def test_controls_command_one_framework_as_json(capsys, tmp_path: Path) -> None:
    target = tmp_path / "nist.json"
    assert main(["controls", "--framework", "nist-800-53", "--format", "json",
                 "--output", str(target)]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["framework"] == "nist-800-53" and doc["source"] == "sarguard"
    requirements = {r["id"]: [c["control"] for c in r["controls"]] for r in doc["requirements"]}
    assert "SAR-05" in requirements["IR-4(1)"] and "SAR-12" in requirements["CM-3"]
    assert main(["controls", "--framework", "cis-v8"]) == 0
    text = capsys.readouterr().out
    assert "CIS Controls v8" in text and "17.2" in text and "SAR-08" in text


def test_controls_command_json_catalog(capsys) -> None:
    assert main(["controls", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in doc["controls"]] == [c.id for c in CATALOG]
    assert doc["frameworks"] == FRAMEWORK_NAMES and "no framework publishes" in doc["note"]


def test_controls_command_rejects_an_unknown_framework(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["controls", "--framework", "soc2"])
    assert exit_info.value.code == 2 and "nist-800-53" in capsys.readouterr().err
