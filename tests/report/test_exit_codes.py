import pytest

from sarguard.report.exit_codes import exit_code, exit_reasons
from sarguard.report.model import DriftItem, Report, UnreadItem
from tests.report.sample import finding, full_report


def _report(*findings, kind="check", **kw) -> Report:
    return Report(kind=kind, findings=list(findings), **kw)


def test_clean_run_is_zero() -> None:
    report = _report(
        finding("SAR-01", "pass", "org", "ok"), finding("SAR-02", "not_applicable", "org", "n/a")
    )
    assert exit_code(report) == 0
    assert exit_reasons(report) == []


def test_mandatory_failure_is_one() -> None:
    assert exit_code(_report(finding("SAR-01", "fail", "org", "bad"))) == 1


def test_advisory_failure_counts_only_when_strict() -> None:
    adv = finding("SAR-09", "fail", "threatInsight", "none", level="advisory")
    assert exit_code(_report(adv)) == 0
    assert exit_code(_report(adv, strict=True)) == 1


def test_disabled_level_never_counts() -> None:
    off = finding("SAR-09", "fail", "threatInsight", "none", level="disabled")
    assert exit_code(_report(off, strict=True)) == 0


def test_errors_are_two() -> None:
    assert exit_code(_report(errors=["cannot reach org"])) == 2


def test_mandatory_not_evaluated_is_two_advisory_not_unless_strict() -> None:
    assert exit_code(_report(finding("SAR-05", "not_evaluated", "eventHooks", "403"))) == 2
    adv = finding("SAR-09", "not_evaluated", "threatInsight", "403", level="advisory")
    assert exit_code(_report(adv)) == 0
    assert exit_code(_report(adv, strict=True)) == 2


def test_waived_mandatory_not_evaluated_no_longer_forces_two() -> None:
    waived = finding(
        "SAR-05",
        "waived",
        "eventHooks",
        "403",
        waiver={"reason": "r", "expires": "2030-01-01"},
        details={"originalStatus": "not_evaluated"},
    )
    assert exit_code(_report(waived)) == 0
    assert exit_code(_report(waived, strict=True)) == 0


def test_unread_is_two_unless_ignored() -> None:
    assert exit_code(_report(unread=[UnreadItem("systemLog", "scope")])) == 2
    ignored = UnreadItem("systemLog", "scope", ignored=True, ignore_reason="no licence")
    assert exit_code(_report(unread=[ignored])) == 0


@pytest.mark.parametrize(
    ("kind", "strict", "expected"),
    [("drift", False, 1), ("audit", False, 0), ("audit", True, 1), ("drift", True, 1)],
)
def test_unignored_drift(kind: str, strict: bool, expected: int) -> None:
    drift = [DriftItem("changed", "eventHook/soc", "status", "ACTIVE", "INACTIVE")]
    assert exit_code(_report(kind=kind, drift=drift, strict=strict)) == expected


def test_ignored_drift_never_counts() -> None:
    drift = [DriftItem("missing", "eventHook/soc", "", ignored=True, reason="known")]
    assert exit_code(_report(kind="drift", drift=drift, strict=True)) == 0


def test_two_beats_one_beats_zero() -> None:
    fail = finding("SAR-01", "fail", "org", "bad")
    assert exit_code(_report(fail, errors=["boom"])) == 2
    assert exit_code(_report(fail, unread=[UnreadItem("brands", "500")])) == 2
    assert exit_code(_report(fail, finding("SAR-05", "not_evaluated", "eventHooks", "?"))) == 2
    drift = [DriftItem("changed", "eventHook/soc", "status", "ACTIVE", "INACTIVE")]
    assert exit_code(_report(fail, kind="drift", drift=drift)) == 1
    codes = [code for code, _ in exit_reasons(_report(fail, errors=["boom"]))]
    assert sorted(codes) == [1, 2]


def test_warnings_alone_do_not_change_the_code() -> None:
    assert exit_code(_report(warnings=["waiver for SAR-03 expired on 2020-01-01"])) == 0


def test_sample_report_reasons_name_controls() -> None:
    reasons = dict((text, code) for code, text in exit_reasons(full_report()))
    assert exit_code(full_report()) == 2
    assert any("SAR-05" in text and code == 2 for text, code in reasons.items())
    assert any(
        "SAR-03" in text and "SAR-99" in text and code == 1 for text, code in reasons.items()
    )
    assert not any("SAR-09" in text for text in reasons)  # advisory, not strict
