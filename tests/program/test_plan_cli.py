"""``sarguard plan``: JSON contract, secrets hidden, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sarguard.cli import main
from tests.conftest import REPO_ROOT, STACK_HEAD


def test_plan_json_contract(capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(["plan", "--stack", "demo", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["stack"] == "demo"
    assert len(doc["resources"]) == 19
    hook = next(r for r in doc["resources"] if r["type"] == "okta:index/eventHook:EventHook")
    assert hook == {**hook, "name": "suspicious-activity-reporting-suspicious-activity-reports"}
    assert hook["inputs"]["auth"] == "[secret]"
    assert set(doc["resources"][0]) == {"type", "name", "inputs"}


def test_plan_text_hides_secrets(capsys, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert main(["plan", "--stack", "minimal"]) == 0
    out = capsys.readouterr().out
    assert "okta:index/eventHook:EventHook  suspicious-activity-reporting-suspicious-activity-reports" in out
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


CREDENTIAL_STACK = STACK_HEAD + """\
    brands: [{id: default}]
    eventHook:
      name: reports
      url: https://soar.example.com/okta
      authHeader: Authorization
      events: [user.account.report_suspicious_activity_by_enduser]
      headers: {X-Api-Key: plain-api-key-value-123, X-Hub-Signature: sig-value-456, X-Source: okta}
"""


def test_credential_like_header_values_are_never_printed(make_project, capsys):
    """Okta returns custom header values in clear, so a plaintext X-Api-Key is a leaked
    credential: plan shows a fingerprint, check names the header (SAR-06), neither the value."""
    from sarguard.util.credentials import masked_value

    project = make_project(CREDENTIAL_STACK)
    outputs = []
    for fmt in ("json", "text"):
        assert main(["plan", "--stack", "test", "--project-dir", str(project), "--format", fmt]) == 0
        outputs.append(capsys.readouterr().out)
    for fmt in ("json", "text", "sarif", "markdown", "github", "junit"):
        main(["check", "--stack", "test", "--project-dir", str(project), "--format", fmt])
        outputs.append(capsys.readouterr().out)
    for out in outputs:
        assert "plain-api-key-value-123" not in out and "sig-value-456" not in out
    hook = next(r for r in json.loads(outputs[0])["resources"]
                if r["type"] == "okta:index/eventHook:EventHook")
    headers = {h["key"]: h["value"] for h in hook["inputs"]["headers"]}
    assert headers == {"X-Api-Key": masked_value("plain-api-key-value-123"),
                       "X-Hub-Signature": masked_value("sig-value-456"), "X-Source": "okta"}
    assert "X-Api-Key" in outputs[2] and "X-Hub-Signature" in outputs[2]  # SAR-06 names them
