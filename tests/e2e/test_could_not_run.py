"""Every way a run can fail to run still writes the report files CI asked for.

Each case runs the real CLI with ``--format json --output`` and ``--also`` for the other four
machine formats, then checks what a CI job would see: exit 2; JSON ``completed: false`` with
``errors`` as ``{file, line, keyPath, message}``; SARIF ``executionSuccessful: false`` with a
located result per error; ``::error`` annotations; failing JUnit cases; a Markdown list.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import sarguard.commands.check
import sarguard.okta.factory
from sarguard.cli import main
from tests.conftest import REPO_ROOT

FORMATS = ("sarif", "github", "junit", "markdown")
TOKEN = "00secret-token-value-for-tests"


def _reports(tmp_path: Path) -> list[str]:
    out = ["--format", "json", "--output", str(tmp_path / "r.json")]
    for fmt in FORMATS:
        out += ["--also", f"{fmt}={tmp_path / ('r.' + fmt)}"]
    return out


def _read(tmp_path: Path) -> dict[str, str]:
    files = {"json": tmp_path / "r.json", **{f: tmp_path / f"r.{f}" for f in FORMATS}}
    return {fmt: path.read_text(encoding="utf-8") for fmt, path in files.items()}


def _project(tmp_path: Path, stack: str) -> Path:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (project / "stacks" / "Pulumi.t.yaml").write_text(stack)
    return project


GOOD_STACK = (REPO_ROOT / "stacks" / "Pulumi.minimal.yaml").read_text()
BAD_SETTINGS = GOOD_STACK.replace("roles: [SUPER_ADMIN]", "roles: [APP_ADMIN]")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _case(name: str, tmp_path: Path, monkeypatch) -> tuple[list[str], str | None]:
    """argv for the case, and the file its first error must name (None: no file)."""
    project = _project(tmp_path, GOOD_STACK)
    base = ["--project-dir", str(project)]
    if name == "settings":
        (project / "stacks" / "Pulumi.t.yaml").write_text(BAD_SETTINGS)
        return ["check", "--stack", "t", *base], "stacks/Pulumi.t.yaml"
    if name == "stack file":
        (project / "stacks" / "Pulumi.t.yaml").write_text("config:\n  a: [1,\n")
        return ["check", "--stack", "t", *base], str(project / "stacks" / "Pulumi.t.yaml")
    if name == "policy config":
        (tmp_path / "policy.json").write_text('{\n  "SAR-99": "advisory"\n}\n')
        return ["check", "--stack", "t", *base, "--policy-config", str(tmp_path / "policy.json")], \
            str(tmp_path / "policy.json")
    if name == "waiver":
        (tmp_path / "w.yaml").write_text("- control: SAR-01\n  resource: x\n  reason: y\n"
                                         "  expires: 2027-02-30\n")
        return ["check", "--stack", "t", *base, "--waivers", str(tmp_path / "w.yaml")], \
            str(tmp_path / "w.yaml")
    if name == "ignore":
        (tmp_path / "i.yaml").write_text("- resource: x\n")
        return ["audit", "--org-url", f"http://127.0.0.1:{_closed_port()}", *base,
                "--ignore", str(tmp_path / "i.yaml")], str(tmp_path / "i.yaml")
    if name == "export":
        (tmp_path / "export.json").write_text('{"version": 3, "deployment": {"resources": 5}}')
        return ["check", "--state", str(tmp_path / "export.json")], str(tmp_path / "export.json")
    if name == "org unreachable":
        monkeypatch.setenv("OKTA_API_TOKEN", TOKEN)

        async def no_sleep(_seconds: float) -> None:
            return None

        monkeypatch.setattr(sarguard.okta.factory, "CLIENT_OVERRIDES", {"sleep": no_sleep})
        return ["audit", "--org-url", f"http://127.0.0.1:{_closed_port()}", *base], None
    if name == "internal error":
        monkeypatch.setenv("OKTA_API_TOKEN", TOKEN)

        def boom(*_args, **_kwargs):
            raise RuntimeError(f"unexpected state while holding {TOKEN}\nsecond line")

        monkeypatch.setattr(sarguard.commands.check, "evaluate_catalog", boom)
        return ["check", "--stack", "t", *base], None
    raise AssertionError(name)


CASES = ("settings", "stack file", "policy config", "waiver", "ignore", "export",
         "org unreachable", "internal error")


@pytest.mark.parametrize("name", CASES)
def test_every_could_not_run_error_writes_every_requested_report(name, tmp_path, monkeypatch,
                                                                capsys):
    monkeypatch.setenv("SARGUARD_NO_PROGRESS", "1")
    monkeypatch.delenv("SARGUARD_DEBUG", raising=False)
    argv, file = _case(name, tmp_path, monkeypatch)
    code = main([*argv, *_reports(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and TOKEN not in err
    out = _read(tmp_path)
    assert not any(TOKEN in text for text in out.values())

    report = json.loads(out["json"])
    assert report["completed"] is False and report["exitCode"] == 2
    assert report["findings"] == []
    assert report["errors"] and all(set(e) == {"file", "line", "keyPath", "message"}
                                    for e in report["errors"])
    first = report["errors"][0]
    assert first["file"] == file
    assert first["message"] in err  # the message the terminal shows

    run = json.loads(out["sarif"])["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["results"] and all(r["kind"] == "fail" and r["level"] == "error"
                                  for r in run["results"])
    assert run["results"][0]["ruleId"] == ("SETTINGS" if file else "RUN")
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               for r in run["results"])
    assert out["github"].startswith("::error")
    suites = ET.fromstring(out["junit"])
    assert int(suites.get("failures")) + int(suites.get("errors")) == len(report["errors"])
    assert "### Could not run" in out["markdown"]


def test_settings_errors_are_located_at_their_key(tmp_path, capsys):
    project = _project(tmp_path, BAD_SETTINGS.replace("action: audit", "action: loud"))
    code = main(["check", "--stack", "t", "--project-dir", str(project), *_reports(tmp_path)])
    assert code == 2
    lines = (project / "stacks" / "Pulumi.t.yaml").read_text().splitlines()
    errors = json.loads(_read(tmp_path)["json"])["errors"]
    # Both problems at once, each at the line of its key.
    located = {e["keyPath"]: lines[e["line"] - 1] for e in errors}
    assert set(located) == {"sarguard:settings.threatInsight.action",
                            "sarguard:settings.adminNotifications.roles[0]"}
    assert "loud" in located["sarguard:settings.threatInsight.action"]
    assert "APP_ADMIN" in located["sarguard:settings.adminNotifications.roles[0]"]
    assert all(e["file"] == "stacks/Pulumi.t.yaml" for e in errors)
    annotations = _read(tmp_path)["github"].splitlines()
    assert {a.split("::")[1] for a in annotations} == {
        f"error file=stacks/Pulumi.t.yaml,line={e['line']},title=sarguard could not run"
        for e in errors}


def test_internal_error_is_one_redacted_line_and_a_traceback_only_when_debugging(
        tmp_path, monkeypatch, capsys):
    argv, _ = _case("internal error", tmp_path, monkeypatch)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == ("sarguard check: internal error: RuntimeError: unexpected state while holding "
                   "*** second line — please report it\n")
    assert capsys.readouterr().out == ""  # text to stdout: the stderr line says it all
    monkeypatch.setenv("SARGUARD_DEBUG", "1")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sarguard check: internal error: RuntimeError") and "Traceback" in err


def test_a_report_that_cannot_be_written_is_still_exit_2_without_a_traceback(tmp_path, capsys):
    project = _project(tmp_path, BAD_SETTINGS)
    target = tmp_path / "a-directory"
    target.mkdir()
    code = main(["check", "--stack", "t", "--project-dir", str(project), "--format", "sarif",
                 "--output", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "could not write the report" in err or str(target) in err


def test_completed_is_true_for_a_finished_run_that_exits_2_on_a_not_evaluated_finding(
        tmp_path, capsys):
    """Unknown-at-preview evidence is not a run that could not run: completed, errors []."""
    export = {
        "version": 3,
        "deployment": {"resources": [{
            "urn": "urn:pulumi:s::p::okta:index/threatInsightSettings:ThreatInsightSettings::ti",
            "type": "okta:index/threatInsightSettings:ThreatInsightSettings",
            "inputs": {"action": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"},
        }]},
    }
    (tmp_path / "e.json").write_text(json.dumps(export))
    code = main(["check", "--state", str(tmp_path / "e.json"), "--format", "json", "--strict"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2 and report["completed"] is True and report["errors"] == []


def test_problems_in_several_inputs_are_reported_at_once(tmp_path, capsys):
    project = _project(tmp_path, BAD_SETTINGS)
    (tmp_path / "policy.json").write_text('{\n  "SAR-01": "blocking"\n}\n')
    (tmp_path / "w.yaml").write_text("- control: SAR-01\n  resource: x\n  reason: y\n"
                                     "  expires: 2027-02-30\n")
    code = main(["check", "--stack", "t", "--project-dir", str(project),
                 "--policy-config", str(tmp_path / "policy.json"),
                 "--waivers", str(tmp_path / "w.yaml"), *_reports(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("sarguard check: error: 3 problems in the inputs:")
    errors = json.loads(_read(tmp_path)["json"])["errors"]
    assert [(e["file"], e["line"], e["keyPath"]) for e in errors] == [
        (str(tmp_path / "policy.json"), 2, "SAR-01"),
        (str(tmp_path / "w.yaml"), 4, "[0].expires"),
        ("stacks/Pulumi.t.yaml", errors[2]["line"], "sarguard:settings.adminNotifications.roles[0]"),
    ]


def test_an_output_that_is_a_directory_is_said_once(tmp_path, capsys):
    """Issue 19 §6: ``--output DIR`` on a run that completes: the write fails, the run exits 2,
    and the error is printed once (the could-not-run report would fail on the same target)."""
    target = tmp_path / "a-directory"
    target.mkdir()
    code = main(["check", "--stack", "demo", "--project-dir", str(REPO_ROOT), "--output",
                 str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err == f"sarguard check: error: cannot write {target}: it is an existing directory\n"
    assert list(target.iterdir()) == []
