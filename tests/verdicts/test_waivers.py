import datetime as dt

import pytest

from sarguard.verdicts.waivers import Waiver, WaiverError, apply_waivers, load_waivers, utc_today
from tests.report.helpers import write
from tests.report.sample import finding

TODAY = dt.date(2025, 6, 15)
FR = "brand/default/template/NewSignOnNotification/customization/fr"
B2 = "brand/b2/template/NewSignOnNotification/customization/fr"

VALID = """
- control: SAR-03
  resource: brand/*/template/NewSignOnNotification/customization/**
  reason: Legacy brand; rebuild tracked in JIRA-123
  expires: 2025-06-15
- control: "*"
  resource: eventHook/soc
  reason: SIEM migration
  expires: "2025-12-31"
"""


def test_load_valid_file(tmp_path) -> None:
    waivers = load_waivers(write(tmp_path, VALID))
    assert [(w.control, w.resource, w.expires) for w in waivers] == [
        ("SAR-03", "brand/*/template/NewSignOnNotification/customization/**", dt.date(2025, 6, 15)),
        ("*", "eventHook/soc", dt.date(2025, 12, 31)),
    ]
    assert waivers[0].reason == "Legacy brand; rebuild tracked in JIRA-123"


def test_empty_file_is_no_waivers(tmp_path) -> None:
    assert load_waivers(write(tmp_path, "# nothing waived\n")) == []


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ("- control: SAR-03\n  resource: x\n  expires: 2025-01-01\n", ["[0].reason", "missing"]),
        ("- control: SAR-03\n  resource: x\n  reason: r\n", ["[0].expires", "date"]),
        (
            "- control: SAR-03\n  resource: x\n  reason: '  '\n  expires: 2025-01-01\n",
            ["[0].reason", "non-empty string"],
        ),
        (
            "- control: SAR-03\n  resource: x\n  reason: r\n  expires: soon\n",
            ["[0].expires", "YYYY-MM-DD", "'soon'"],
        ),
        (
            "- control: SAR-03\n  resource: x\n  reason: r\n  expires: 2025-01-01T10:00:00Z\n",
            ["[0].expires", "without a time"],
        ),
        (
            "- control: SAR-03\n  resource: x\n  reason: r\n  expires: 2025-01-01\n  expiry: 2026-01-01\n",
            ["[0].expiry", "unknown key", "expires"],
        ),
        (
            "- control: sar3\n  resource: x\n  reason: r\n  expires: 2025-01-01\n",
            ["[0].control", "SAR-03"],
        ),
        ("- control: SAR-03\n  reason: r\n  expires: 2025-01-01\n", ["[0].resource", "missing"]),
        (
            "- control: SAR-03\n  resource: [a]\n  reason: r\n  expires: 2025-01-01\n",
            ["[0].resource", "a list"],
        ),
        ("control: SAR-03\n", ["expected a YAML list", "a mapping"]),
        ("- just a string\n", ["[0]", "expected a mapping"]),
        ("- control: SAR-03\n  resource: [unclosed\n", ["invalid YAML", "line 3"]),
        ("- control: SAR-03\n  resource: *\n", ["invalid YAML", "quote"]),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path, body: str, fragments: list[str]) -> None:
    path = write(tmp_path, body)
    with pytest.raises(WaiverError) as info:
        load_waivers(path)
    message = str(info.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_error_index_points_at_the_bad_entry(tmp_path) -> None:
    body = VALID + "- control: SAR-05\n  resource: x\n  reason: r\n"
    with pytest.raises(WaiverError, match=r"\[2\]\.expires"):
        load_waivers(write(tmp_path, body))


def test_missing_and_non_utf8_files(tmp_path) -> None:
    with pytest.raises(WaiverError, match="file not found"):
        load_waivers(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"- control: \xff\xfe\n")
    with pytest.raises(WaiverError, match="UTF-8"):
        load_waivers(bad)


def test_unknown_control_rejected_when_catalog_given(tmp_path) -> None:
    path = write(tmp_path, "- control: SAR-77\n  resource: x\n  reason: r\n  expires: 2030-01-01\n")
    assert load_waivers(path)[0].control == "SAR-77"
    with pytest.raises(WaiverError, match=r"\[0\]\.control: unknown control 'SAR-77'"):
        load_waivers(path, known_controls=["SAR-01", "SAR-03"])


def _waiver(control: str, resource: str, expires: dt.date = dt.date(2030, 1, 1)) -> Waiver:
    return Waiver(
        control=control,
        resource=resource,
        reason="because",
        expires=expires,
        source="w.yaml",
        index=0,
    )


def test_apply_waives_fail_and_not_evaluated_only() -> None:
    findings = [
        finding("SAR-03", "fail", FR, "no token"),
        finding("SAR-03", "not_evaluated", B2, "unread"),
        finding("SAR-03", "pass", "brand/b3/template/NewSignOnNotification/customization/fr", "ok"),
        finding("SAR-04", "fail", FR, "other control"),
    ]
    out, warnings = apply_waivers(findings, [_waiver("SAR-03", "brand/*/template/**")], TODAY)
    assert [f.status for f in out] == ["waived", "waived", "pass", "fail"]
    assert out[0].waiver == {"reason": "because", "expires": "2030-01-01"}
    assert out[0].details["originalStatus"] == "fail"
    assert out[1].details["originalStatus"] == "not_evaluated"
    assert findings[0].status == "fail"  # inputs are not modified
    assert warnings == []


def test_star_stays_in_segment_double_star_crosses() -> None:
    findings = [finding("SAR-03", "fail", FR, "x")]
    out, _ = apply_waivers(findings, [_waiver("SAR-03", "brand/*/customization/fr")], TODAY)
    assert out[0].status == "fail"
    out, _ = apply_waivers(findings, [_waiver("SAR-03", "brand/**/customization/fr")], TODAY)
    assert out[0].status == "waived"


def test_control_star_matches_every_control() -> None:
    findings = [
        finding("SAR-03", "fail", "eventHook/soc", "x"),
        finding("SAR-05", "fail", "eventHook/soc", "y"),
        finding("SAR-05", "fail", "eventHook/other", "z"),
    ]
    out, _ = apply_waivers(findings, [_waiver("*", "eventHook/soc")], TODAY)
    assert [f.status for f in out] == ["waived", "waived", "fail"]


def test_valid_through_expiry_day_then_expired_with_one_warning() -> None:
    waiver = _waiver("SAR-03", "**", expires=TODAY)
    findings = [finding("SAR-03", "fail", FR, "x"), finding("SAR-03", "fail", B2, "y")]
    out, warnings = apply_waivers(findings, [waiver], TODAY)
    assert {f.status for f in out} == {"waived"} and warnings == []
    out, warnings = apply_waivers(findings, [waiver], TODAY + dt.timedelta(days=1))
    assert {f.status for f in out} == {"fail"}
    assert len(warnings) == 1
    assert "SAR-03" in warnings[0] and "'**'" in warnings[0] and TODAY.isoformat() in warnings[0]
    assert "expired" in warnings[0]


def test_first_unexpired_waiver_wins() -> None:
    old = Waiver("SAR-03", "**", "old reason", dt.date(2020, 1, 1))
    new = Waiver("SAR-03", FR, "new reason", dt.date(2030, 1, 1))
    later = Waiver("*", "**", "catch-all", dt.date(2030, 1, 1))
    out, _ = apply_waivers([finding("SAR-03", "fail", FR, "x")], [old, new, later], TODAY)
    assert out[0].waiver["reason"] == "new reason"


def test_stale_waiver_warns_only_when_its_control_ran() -> None:
    findings = [finding("SAR-03", "pass", FR, "fixed now")]
    stale = _waiver("SAR-03", FR)
    not_run = _waiver("SAR-10", "org")  # e.g. a live-only control during an offline check
    _, warnings = apply_waivers(findings, [stale, not_run], TODAY)
    assert len(warnings) == 1
    assert "SAR-03" in warnings[0] and "matched no" in warnings[0]


def test_utc_today_is_a_date() -> None:
    today = utc_today()
    assert type(today) is dt.date
    assert abs((today - dt.date.today()).days) <= 1
