"""`drift` and `audit` on the emulator write the auditor formats (HTML, OSCAL) from real evidence:
the same run's JSON, HTML and OSCAL agree on what failed, and the OSCAL parses with trestle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sarguard.cli import main
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("command", ["drift", "audit"])
def test_live_run_writes_html_and_oscal(emulator, tmp_path: Path, command: str) -> None:
    ar = pytest.importorskip("trestle.oscal.assessment_results",
                             reason="compliance-trestle (the 'oscal' extra) is not installed")
    emu = emulator("demo")
    html, oscal, report = tmp_path / "r.html", tmp_path / "r.oscal.json", tmp_path / "r.json"
    stack = ["--stack", "demo"] if command == "drift" else []
    code = main([command, *stack, "--org-url", emu.url, "--project-dir", str(REPO_ROOT),
                 "--format", "html", "--output", str(html), "--also", f"oscal={oscal}",
                 "--also", f"json={report}"])
    assert code == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    page = html.read_text(encoding="utf-8")
    doc = json.loads(oscal.read_text(encoding="utf-8"))["assessment-results"]
    ar.AssessmentResults.model_validate(doc)
    log = data["evidence"]["systemLog"]
    assert f"{log['since']} to {log['until']}" in page  # the evidence window in the provenance
    assert f"sarguard {command} " in page and emu.url in page
    assert emu.token not in page and emu.token not in oscal.read_text(encoding="utf-8")
    failed = {f["control"] for f in data["findings"] if f["status"] == "fail"}
    for control in failed:
        assert f'id="control-{control}"' in page
    (result,) = doc["results"]
    not_satisfied = {p["value"] for f in result["findings"]
                     if f["target"]["status"]["state"] == "not-satisfied"
                     for p in f["props"] if p["name"] == "control"}
    assert failed and failed <= not_satisfied  # every catalog control maps to NIST SP 800-53
    if command == "drift":
        assert 'class="diff-' in page and "NewSignOnNotification/customization/fr" in page
