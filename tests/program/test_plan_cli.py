"""``sarguard plan``: JSON contract, secrets hidden, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sarguard.cli import main
from tests.conftest import REPO_ROOT


def test_plan_json_contract(capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(["plan", "--stack", "demo", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["stack"] == "demo"
    assert len(doc["resources"]) == 19
    hook = next(r for r in doc["resources"] if r["type"] == "okta:index/eventHook:EventHook")
    assert hook == {**hook, "name": "suspicious-activity-reports"}
    assert hook["inputs"]["auth"] == "[secret]"
    assert set(doc["resources"][0]) == {"type", "name", "inputs"}


def test_plan_text_hides_secrets(capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(["plan", "--stack", "minimal"]) == 0
    out = capsys.readouterr().out
    assert "okta:index/eventHook:EventHook  suspicious-activity-reports" in out
    assert "auth: \"[secret]\"" in out
    assert "AAABAHNhcmd1" not in out


def test_plan_bad_settings_exit_2_without_traceback(make_project):
    project = make_project("config:\n  sarguard:settings:\n    brands: [{id: default, tmplates: {}}]\n")
    proc = subprocess.run([sys.executable, "-m", "sarguard", "plan", "--stack", "test"], cwd=project,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "brands[0].tmplates: unknown key" in proc.stderr


def test_plan_output_file(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    target = tmp_path / "out" / "plan.json"
    assert main(["plan", "--stack", "minimal", "--format", "json", "--output", str(target)]) == 0
    assert json.loads(target.read_text())["stack"] == "minimal"
