"""``--baseline``: matching by fingerprint (control, rule, subject), and every unusable baseline
file is a clear exit 2 (ReportFileError), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sarguard.controls.base import Finding
from sarguard.model import Location
from sarguard.report import render
from sarguard.report.exit_codes import exit_code
from sarguard.report.fingerprint import fingerprints
from sarguard.report.model import Report
from sarguard.verdicts.baseline import (
    ReportFileError,
    apply_baseline,
    load_baseline,
    read_report,
)

HOOK = "eventHook/soc"
OTHER_HOOK = "eventHook/backup"


def _report(*findings: Finding, kind: str = "check") -> Report:
    return Report(kind=kind, findings=list(findings), stack="demo", org="acme.okta.com",  # type: ignore[arg-type]
                  org_url="https://acme.okta.com")


def _fail(resource: str, message: str = "hook is not ACTIVE", line: int = 10,
          rule: str = "SAR-05/main", control: str = "SAR-05") -> Finding:
    return Finding(control=control, status="fail", resource=resource, message=message,
                   location=Location("stacks/Pulumi.demo.yaml", line), rule=rule)


def _write(tmp_path: Path, report: Report, name: str = "old.json") -> str:
    path = tmp_path / name
    path.write_text(render(report, "json"), encoding="utf-8")
    return str(path)


def _rebaseline(tmp_path: Path, old: Report, new: Report) -> Report:
    baseline = load_baseline(_write(tmp_path, old), new.kind)
    apply_baseline(new.findings, fingerprints(new), baseline)
    return new


def test_an_old_finding_stays_baselined_after_its_message_and_line_change(tmp_path: Path) -> None:
    new = _rebaseline(tmp_path, _report(_fail(HOOK)),
                      _report(_fail(HOOK, message="hook is INACTIVE (reworded)", line=99)))
    assert [f.status for f in new.findings] == ["baselined"]
    assert new.findings[0].details["originalStatus"] == "fail"
    assert exit_code(new) == 0  # never counted


def test_a_second_finding_of_the_same_control_on_another_subject_is_new(tmp_path: Path) -> None:
    # checkov #7647: a baseline that matched on the check alone hid the second finding.
    new = _rebaseline(tmp_path, _report(_fail(HOOK)), _report(_fail(HOOK), _fail(OTHER_HOOK)))
    assert [f.status for f in new.findings] == ["baselined", "fail"]
    assert exit_code(new) == 1


def test_another_rule_on_the_same_subject_is_new(tmp_path: Path) -> None:
    new = _rebaseline(tmp_path, _report(_fail("org", rule="SAR-07/hook-events", control="SAR-07")),
                      _report(_fail("org", rule="SAR-07/active-limit", control="SAR-07")))
    assert [f.status for f in new.findings] == ["fail"]


def test_the_same_finding_in_another_org_is_new(tmp_path: Path) -> None:
    other = _report(_fail(HOOK))
    other.org_url = "https://other.okta.com"
    new = _rebaseline(tmp_path, _report(_fail(HOOK)), other)
    assert [f.status for f in new.findings] == ["fail"]


def test_only_failures_are_baselined(tmp_path: Path) -> None:
    old = _report(_fail(HOOK))
    unread = Finding("SAR-05", "not_evaluated", HOOK, "hooks unread", rule="SAR-05/main")
    new = _rebaseline(tmp_path, old, _report(unread))
    assert new.findings[0].status == "not_evaluated"


def test_a_baselined_failure_carries_forward_to_the_next_baseline(tmp_path: Path) -> None:
    first = _rebaseline(tmp_path, _report(_fail(HOOK)), _report(_fail(HOOK)))
    assert first.findings[0].status == "baselined"
    second = _rebaseline(tmp_path, first, _report(_fail(HOOK)))
    assert second.findings[0].status == "baselined"


def test_a_passing_baseline_accepts_nothing(tmp_path: Path) -> None:
    passing = Finding("SAR-05", "pass", HOOK, "ok", rule="SAR-05/main")
    new = _rebaseline(tmp_path, _report(passing), _report(_fail(HOOK)))
    assert new.findings[0].status == "fail"


@pytest.mark.parametrize(("content", "expected"), [
    ("", "invalid JSON"),
    ("[1, 2]", "not a sarguard JSON report"),
    ('{"kind": "check", "findings": "no"}', "\"findings\" must be a list of objects"),
    ('{"kind": "check", "findings": [{"control": "SAR-01", "status": "fail"}]}',
     "findings\\[0\\] has no fingerprint: the report was written by an older sarguard"),
    ('{"kind": "check", "findings": [{"fingerprint": "ab", "status": 3, "control": "x"}]}',
     "needs \"control\" and \"status\" strings"),
    ('{"kind": "drill", "findings": []}', "is a `sarguard drill` report; the --baseline must be"),
    ('{"kind": "fleet", "orgs": []}', "is a fleet"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ('{"kind": "check", "n": 1' + "0" * 5000 + "}", "invalid JSON"),
    ("\udcff", "cannot read"),
])
def test_an_unusable_baseline_is_a_clear_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "base.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(ReportFileError, match=expected) as info:
        load_baseline(str(path), "check")
    assert str(path) in str(info.value)


def test_an_oversized_baseline_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    import sarguard.verdicts.baseline as baseline

    monkeypatch.setattr(baseline, "MAX_REPORT_BYTES", 1024)
    path = tmp_path / "big.json"
    path.write_text('{"kind": "check", "findings": []}' + " " * 2048)
    with pytest.raises(ReportFileError, match="larger than a sarguard report can be"):
        load_baseline(str(path), "check")


def test_a_baseline_of_another_command_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, _report(_fail(HOOK), kind="drift"))
    with pytest.raises(ReportFileError, match="is a drift report; --baseline of `sarguard check` "
                                              "needs an earlier `sarguard check` report"):
        load_baseline(path, "check")


def test_a_missing_baseline_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ReportFileError, match="nope.json: file not found"):
        load_baseline(str(tmp_path / "nope.json"), "audit")


def test_read_report_checks_every_org_of_a_fleet(tmp_path: Path) -> None:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({"kind": "fleet", "orgs": [{"name": "a", "report": {
        "kind": "audit", "findings": [{"control": "SAR-01", "status": "pass"}]}}]}))
    with pytest.raises(ReportFileError, match=r"orgs\[0\]\.report: findings\[0\] has no fingerprint"):
        read_report(str(path), kinds=("audit", "fleet"))
