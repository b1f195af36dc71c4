"""``sarguard diff``: its JSON contract, its exit code, every format (golden files) and hostile
strings from the two files staying inert."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sarguard.cli import main
from sarguard.controls.base import Finding
from sarguard.model import Location
from sarguard.report import render
from sarguard.report.diff import DIFF_KEYS, diff_reports
from sarguard.report.model import DriftItem, Report
from sarguard.report.render_diff import DIFF_FORMATS, render_diff
from tests.report.sample import CONTROLS, STACK_FILE

GOLDEN = Path(__file__).parent / "golden"
FR = "brand/default/template/NewSignOnNotification/customization/fr"
DE = "brand/default/template/NewSignOnNotification/customization/de"


def _report(findings: list[Finding], drift: list[DriftItem] | None = None) -> dict:
    report = Report(kind="drift", findings=findings, controls=list(CONTROLS), stack="demo",
                    org="acme.okta.com", org_url="https://acme.okta.com", drift=drift or [],
                    stack_file=STACK_FILE)
    return json.loads(render(report, "json"))


def _f(control: str, status: str, resource: str, message: str = "m", line: int = 1) -> Finding:
    return Finding(control, status, resource, message, rule=f"{control}/main",  # type: ignore[arg-type]
                   location=Location(STACK_FILE, line))


def old_new() -> tuple[dict, dict]:
    old = _report([
        _f("SAR-03", "fail", FR, "the body lacks the link"),
        _f("SAR-05", "fail", "eventHook/soc", "hook is INACTIVE"),
        _f("SAR-01", "pass", "securityNotificationEmails"),
    ], drift=[DriftItem("changed", "eventHook/soc", "status", "ACTIVE", "INACTIVE"),
              DriftItem("unmanaged", "eventHook/rogue", "")])
    new = _report([
        _f("SAR-03", "fail", FR, "the body lacks the link (reworded)", line=40),
        _f("SAR-03", "fail", DE, "the body lacks the link"),
        _f("SAR-05", "pass", "eventHook/soc", "hook is ACTIVE and VERIFIED"),
        _f("SAR-01", "fail", "securityNotificationEmails", "reporting is off"),
    ], drift=[DriftItem("unmanaged", "eventHook/rogue", ""),
              DriftItem("missing", "roleSubscription/ORG_ADMIN/REPORT_SUSPICIOUS_ACTIVITY", "")])
    return old, new


def test_diff_json_contract() -> None:
    diff = diff_reports(*old_new())
    assert tuple(diff) == DIFF_KEYS == ("new", "fixed", "unchanged", "controls", "drift", "summary")
    assert [(f["control"], f["resource"]) for f in diff["new"]] == [
        ("SAR-03", DE), ("SAR-01", "securityNotificationEmails")]
    assert [(f["control"], f["resource"]) for f in diff["fixed"]] == [("SAR-05", "eventHook/soc")]
    # matched by fingerprint: a moved, reworded finding is unchanged (NEW's copy)
    assert [(f["resource"], f["message"]) for f in diff["unchanged"]] == [
        (FR, "the body lacks the link (reworded)")]
    assert all(set(f) >= {"control", "rule", "fingerprint", "status", "resource"}
               for f in diff["new"] + diff["fixed"] + diff["unchanged"])
    assert diff["controls"] == [{"control": "SAR-01", "old": "pass", "new": "fail"},
                                {"control": "SAR-05", "old": "fail", "new": "pass"}]
    assert [(d["kind"], d["resource"]) for d in diff["drift"]["new"]] == [
        ("missing", "roleSubscription/ORG_ADMIN/REPORT_SUSPICIOUS_ACTIVITY")]
    assert [(d["kind"], d["resource"]) for d in diff["drift"]["gone"]] == [
        ("changed", "eventHook/soc")]
    assert diff["summary"] == {"kind": "drift", "new": 2, "fixed": 1, "unchanged": 1,
                               "controlsChanged": 2, "driftNew": 1, "driftGone": 1, "exitCode": 1}


def test_nothing_new_exits_0_and_a_report_against_itself_is_all_unchanged() -> None:
    old, _ = old_new()
    diff = diff_reports(old, old)
    assert diff["new"] == diff["fixed"] == diff["controls"] == []
    assert len(diff["unchanged"]) == 2 and diff["summary"]["exitCode"] == 0
    swapped = diff_reports(*reversed(old_new()))  # the other way round: fixes become new
    assert swapped["summary"]["fixed"] == 2 and swapped["summary"]["new"] == 1


def test_a_baselined_failure_is_unchanged_not_fixed() -> None:
    old, _ = old_new()
    new = json.loads(json.dumps(old))
    for f in new["findings"]:
        if f["status"] == "fail":
            f["status"] = "baselined"
    diff = diff_reports(old, new)
    assert diff["fixed"] == [] and len(diff["unchanged"]) == 2
    assert diff["summary"]["exitCode"] == 0


@pytest.mark.parametrize("fmt", [f for f in DIFF_FORMATS if f != "json"])
def test_diff_layout_matches_the_golden_file(fmt: str) -> None:
    text = render_diff(diff_reports(*old_new()), fmt)
    path = GOLDEN / f"diff.{ {'markdown': 'md', 'text': 'txt'}.get(fmt, fmt) }"
    if os.environ.get("SARGUARD_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run with SARGUARD_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


HOSTILE = '<script>alert(1)</script> | **x** @team #12\n::error::pwned\x1b[31m'


def test_hostile_strings_from_the_files_stay_inert() -> None:
    old, new = old_new()
    new["findings"][1]["message"] = HOSTILE
    new["findings"][1]["resource"] = "<img src=x onerror=alert(1)>"
    diff = diff_reports(old, new)
    html = render_diff(diff, "html")
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    for fmt in ("text", "markdown", "html"):
        out = render_diff(diff, fmt)
        assert "\x1b" not in out
        assert not any(line.lstrip().startswith("::") for line in out.splitlines()), fmt
    md = render_diff(diff, "markdown")
    assert "<script>" not in md and "@&#8203;team" in md


def _write(tmp_path: Path, name: str, data: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_the_command_writes_the_diff_and_exits_1_on_new_failures(tmp_path: Path, capsys) -> None:
    old, new = old_new()
    out = tmp_path / "diff.json"
    assert main(["diff", _write(tmp_path, "old.json", old), _write(tmp_path, "new.json", new),
                 "--format", "json", "--output", str(out)]) == 1
    assert json.loads(out.read_text())["summary"]["new"] == 2
    assert main(["diff", _write(tmp_path, "a.json", old), _write(tmp_path, "b.json", old)]) == 0
    assert capsys.readouterr().out.startswith("NO NEW FAILURES: 0 new, 0 fixed, 2 unchanged")


def test_the_command_refuses_reports_of_two_commands_or_without_fingerprints(
        tmp_path: Path, capsys) -> None:
    old, new = old_new()
    new["kind"] = "audit"
    assert main(["diff", _write(tmp_path, "old.json", old), _write(tmp_path, "new.json", new)]) == 2
    assert "diff compares two reports of the same command" in capsys.readouterr().err
    for f in old["findings"]:
        del f["fingerprint"]
    assert main(["diff", _write(tmp_path, "old.json", old), _write(tmp_path, "new.json", new)]) == 2
    assert "has no fingerprint: the report was written by an older sarguard" in \
        capsys.readouterr().err
