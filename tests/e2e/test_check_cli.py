"""``sarguard check``: exit codes, formats, waivers, stack exports."""

from __future__ import annotations

import json

import yaml

from sarguard.cli import main
from tests.conftest import REPO_ROOT

BROKEN = """\
config:
  sarguard:eventHookSecret:
    secure: AAABAGNpcGhlcnRleHQ=
  sarguard:settings:
    notifications: {reportSuspiciousActivity: false}
    brands:
      - id: default
        templates:
          NewSignOnNotification:
            customizations:
              - language: en
                isDefault: true
                subject: hi
                body: "<p>${request.browser} ${request.date} ${request.time} ${request.location} ${request.ipAddress}</p>"
    eventHook:
      name: reports
      url: https://soar.example.com/okta
      authHeader: Authorization
      events: [user.account.report_suspicious_activity_by_enduser]
    adminNotifications:
      roles: [SUPER_ADMIN]
    threatInsight: {action: none}
"""


def check(project, *extra: str) -> tuple[int, dict]:
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["check", "--stack", "test", "--project-dir", str(project), "--format", "json", *extra])
    return code, json.loads(out.getvalue())


def test_demo_stack_passes(capsys):
    assert main(["check", "--stack", "demo", "--project-dir", str(REPO_ROOT), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["failed"] == 0 and report["summary"]["passed"] > 20
    assert report["tool"]["name"] == "sarguard"


def test_broken_stack_fails_the_right_controls(make_project):
    code, report = check(make_project(BROKEN))
    assert code == 1
    failed = {(f["control"], f["resource"]) for f in report["findings"] if f["status"] == "fail"}
    assert ("SAR-01", "securityNotificationEmails") in failed
    assert ("SAR-03", "brand/default/template/NewSignOnNotification/customization/en") in failed
    assert ("SAR-10", "threatInsight") in failed
    sar03 = next(f for f in report["findings"] if f["control"] == "SAR-03")
    assert sar03["location"]["file"] == "stacks/Pulumi.test.yaml" and sar03["location"]["line"] == 11


def test_advisory_failure_alone_exits_0_unless_strict(make_project):
    stack = BROKEN.replace("reportSuspiciousActivity: false", "reportSuspiciousActivity: true").replace(
        "${request.browser}",
        "<a href='${request.reportSuspiciousActivityToken}'>Report</a> ${request.browser}")
    project = make_project(stack)
    code, report = check(project)
    assert [f["control"] for f in report["findings"] if f["status"] == "fail"] == ["SAR-10"]
    assert code == 0
    assert check(project, "--strict")[0] == 1


def test_policy_config_disables_and_configures(make_project, tmp_path):
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"sar-01-report-suspicious-activity-enabled": "advisory",
                                  "sar-03-templates-keep-report-link": "disabled"}))
    code, report = check(make_project(BROKEN), "--policy-config", str(config))
    assert code == 0
    assert not any(f["control"] == "SAR-03" for f in report["findings"])


def test_waivers_turn_failures_into_waived(make_project, tmp_path):
    waivers = tmp_path / "w.yaml"
    waivers.write_text(yaml.safe_dump([
        {"control": "*", "resource": "**", "reason": "migration in progress", "expires": "2099-01-01"},
        {"control": "SAR-01", "resource": "securityNotificationEmails", "reason": "old", "expires": "2020-01-01"},
    ]))
    code, report = check(make_project(BROKEN), "--waivers", str(waivers))
    assert code == 0
    assert report["summary"]["failed"] == 0 and report["summary"]["waived"] >= 3
    waived = next(f for f in report["findings"] if f["status"] == "waived")
    assert waived["waiver"] == {"reason": "migration in progress", "expires": "2099-01-01"}
    assert any("expired" in w for w in report["warnings"])


def test_bad_policy_config_is_exit_2(make_project, tmp_path, capsys):
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"sar-02-link-emails-enabled": {"required": ["newSignon"]}}))
    code = main(["check", "--stack", "test", "--project-dir", str(make_project(BROKEN)),
                 "--policy-config", str(config)])
    assert code == 2
    assert "sar-02-link-emails-enabled" in capsys.readouterr().err


def test_every_format_renders(make_project, tmp_path):
    project = make_project(BROKEN)
    for fmt in ("text", "json", "sarif", "junit", "markdown", "github"):
        target = tmp_path / f"report.{fmt}"
        code = main(["check", "--stack", "test", "--project-dir", str(project), "--format", fmt,
                     "--output", str(target)])
        assert code == 1 and target.read_text().strip(), fmt
    assert "SAR-01" in (tmp_path / "report.github").read_text()
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"


def test_check_from_a_stack_export(tmp_path, capsys):
    from sarguard.pulumi.declared import run_program

    run = run_program("demo", REPO_ROOT)
    resources = [{"urn": r.urn, "type": r.type, "id": r.id, "inputs": r.inputs, "outputs": r.outputs,
                  "custom": True} for r in run.mock.resources]
    export = {"version": 3, "deployment": {"manifest": {}, "resources": resources}}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    code = main(["check", "--state", str(path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, [f for f in report["findings"] if f["status"] not in ("pass", "not_applicable")]
    assert report["summary"]["passed"] > 20


def test_neither_stack_nor_state_is_exit_2(capsys):
    assert main(["check"]) == 2
    assert "--stack" in capsys.readouterr().err


def test_real_export_with_an_encrypted_auth_block_passes_sar06(tmp_path, capsys):
    """pulumi-okta marks the hook's whole ``auth`` input secret: a real export has only ciphertext."""
    from sarguard.pulumi.declared import run_program
    from sarguard.pulumi.mockengine import SECRET_SIG, SECRET_SIG_VALUE

    run = run_program("demo", REPO_ROOT)
    resources = []
    for r in run.mock.resources:
        inputs = dict(r.inputs)
        if "auth" in inputs:
            inputs["auth"] = {SECRET_SIG: SECRET_SIG_VALUE, "ciphertext": "v1:AbCdEf=="}
        resources.append({"urn": r.urn, "type": r.type, "id": r.id, "inputs": inputs, "outputs": inputs,
                          "custom": True})
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))
    assert main(["check", "--state", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    sar06 = [f for f in report["findings"] if f["control"] == "SAR-06"]
    assert [f["status"] for f in sar06] == ["pass"]
    assert "header name cannot be read" in sar06[0]["message"]
    assert "v1:AbCdEf==" not in json.dumps(report)


def test_the_rendering_time_is_measured_once_and_reported_everywhere(tmp_path, capsys):
    """The rendering phase is timed over the one rendering of every requested format: the JSON
    report and a verbose text report both carry the measured time, never the stand-in."""
    from sarguard.commands.common import _RENDERING_PENDING

    report, text = tmp_path / "r.json", tmp_path / "r.txt"
    code = main(["check", "--stack", "demo", "--project-dir", str(REPO_ROOT), "--format", "json",
                 "--output", str(report), "--also", f"text={text}", "--verbose"])
    assert code == 0
    rendering = json.loads(report.read_text("utf-8"))["timings"]["rendering"]
    assert isinstance(rendering, float) and 0 <= rendering < 60
    shown = text.read_text("utf-8")
    assert "rendering" in shown and str(_RENDERING_PENDING) not in shown
    assert str(_RENDERING_PENDING) not in report.read_text("utf-8")
