"""Hostile files through the CLI: stack files from pull requests, rule files, output targets.

Same assertions as the hostile servers: a bounded run, exit 2 with one clear message naming the
file (and the key path / line), no traceback, nothing secret or outside the project in any
output, and no report file half-written or replaced.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, STACK_HEAD
from tests.reliability import matrix
from tests.reliability.checks import assert_no_traceback
from tests.reliability.cliresult import CliRun

HANG_GUARD_S = 60.0
CANARY = "CANARY-0b1c2d3e4f-must-never-be-printed"
STACK = STACK_HEAD + """\
    brands:
      - id: default
        templates:
          PasswordChanged:
            customizations:
              - {{language: en, isDefault: true, subject: s, bodyFile: {body_file}}}
"""
KEY = "sarguard:settings.brands[0].templates.PasswordChanged.customizations[0].bodyFile"
LAUGHS = ("config:\n  okta:orgName: acme\n  lol:a: &a [" + ",".join(['"lol"'] * 9) + "]\n"
          + "".join(f"  lol:{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n"
                    for i in range(8)))


def _clean(run: CliRun, *, code: int = 2) -> None:
    assert_no_traceback(run)
    assert run.code == code, (run.code, run.err)
    assert CANARY not in run.out + run.err


@pytest.fixture
def canary_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process environment holds a "token": /proc/self/environ would carry it."""
    monkeypatch.setenv("OKTA_API_TOKEN", CANARY)
    monkeypatch.setenv("SARGUARD_TEST_CANARY", CANARY)


@pytest.mark.parametrize("command", ["check", "plan"])
@pytest.mark.parametrize(("row", "body_file", "expected"), [
    ("bodyFile ../ escape", "../outside.html", "must stay inside the project directory"),
    ("bodyFile /proc/self/environ", "/proc/self/environ", "/proc/self/environ is absolute"),
    ("bodyFile symlink to /proc", "email/body.html", "resolves to /proc/"),
])
def test_body_file_outside_the_project_is_refused(live, record_hostile, make_project, canary_env,
                                                   command: str, row: str, body_file: str,
                                                   expected: str) -> None:
    project = make_project(STACK.format(body_file=body_file))
    (project.parent / "outside.html").write_text(CANARY, "utf-8")
    (project / "email").mkdir(exist_ok=True)
    (project / "email" / "body.html").symlink_to("/proc/self/environ")
    run = live.bounded(HANG_GUARD_S, lambda: live.run(command, "--stack", "test",
                                                      "--project-dir", str(project)))
    record_hostile(command, row, matrix.FATAL)
    _clean(run)
    assert f"{KEY}: " in run.err and expected in run.err, run.err


@pytest.mark.parametrize("command", ["check", "plan", "drift"])
def test_billion_laughs_stack_ends_fast_with_the_line(live, record_hostile, make_project,
                                                      command: str) -> None:
    """500 bytes of YAML that expand to 10^9 values: refused before anything walks them."""
    project = make_project(LAUGHS)
    extra = ["--org-url", "http://127.0.0.1:9"] if command == "drift" else []
    run = live.bounded(HANG_GUARD_S, lambda: live.run(command, "--stack", "test",
                                                      "--project-dir", str(project), *extra))
    record_hostile(command, "billion laughs stack", matrix.FATAL)
    _clean(run)
    assert "Pulumi.test.yaml:4: YAML aliases (*name) are not allowed" in run.err, run.err


@pytest.mark.parametrize(("row", "flag", "command"), [
    ("alias in waivers", "--waivers", "check"),
    ("alias in ignores", "--ignore", "drift"),
])
def test_aliases_in_rule_files_are_refused(live, record_hostile, tmp_path: Path, row: str,
                                           flag: str, command: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("- &r {control: SAR-03, resource: x, reason: r, expires: 2030-01-01}\n- *r\n",
                     "utf-8")
    extra = ["--org-url", "http://127.0.0.1:9"] if command == "drift" else []
    run = live.bounded(HANG_GUARD_S, lambda: live.run(
        command, "--stack", "demo", "--project-dir", str(REPO_ROOT), flag, str(rules), *extra))
    record_hostile(command, row, matrix.FATAL)
    _clean(run)
    assert str(rules) in run.err and "line 2" in run.err and "aliases are not allowed" in run.err


def _old_reports(tmp_path: Path) -> dict[Path, str]:
    files = {tmp_path / "report.json": "old json\n", tmp_path / "report.sarif": "old sarif\n"}
    for path, text in files.items():
        path.write_text(text, "utf-8")
    return files


@pytest.mark.parametrize("row", ["--output is a directory", "--also parent is a file",
                                 "--output unwritable (/proc)"])
def test_a_bad_report_target_replaces_nothing(live, record_hostile, tmp_path: Path, row: str) -> None:
    old = _old_reports(tmp_path)
    bad = {
        "--output is a directory": tmp_path / "adir",
        "--also parent is a file": tmp_path / "report.json" / "summary.md",
        "--output unwritable (/proc)": Path("/proc/sarguard-no-such-dir/report.txt"),
    }[row]
    if row == "--output is a directory":
        bad.mkdir()
    run = live.bounded(HANG_GUARD_S, lambda: live.run(
        "check", "--stack", "demo", "--project-dir", str(REPO_ROOT), "--format", "text",
        "--output", str(bad) if "output" in row else str(tmp_path / "new.txt"),
        "--also", f"json={tmp_path / 'report.json'}", "--also", f"sarif={tmp_path / 'report.sarif'}",
        *(["--also", f"markdown={bad}"] if "also" in row else [])))
    record_hostile("check", row, matrix.FATAL)
    _clean(run)
    assert run.err.startswith("sarguard check: error: cannot write ") and str(bad) in run.err
    for path, text in old.items():
        assert path.read_text("utf-8") == text, f"{path.name} was replaced"
    assert not (tmp_path / "new.txt").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")], "temporary files left"
