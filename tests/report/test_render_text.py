from sarguard.report import render
from sarguard.report.model import Report
from sarguard.report.render_text import render_text
from tests.report.sample import finding, full_report


def test_plain_text_has_no_escape_codes_and_fixed_width() -> None:
    text = render(full_report("audit"), "text")
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_color_option_adds_ansi() -> None:
    assert "\x1b[" in render(full_report("audit"), "text", color=True)


def test_sections_and_content() -> None:
    text = render_text(full_report("audit"), width=200, verbose=True)
    assert text.startswith("COULD NOT RUN: 1 control could not be evaluated (SAR-05); ")
    assert "sarguard 0.1.0 · audit · stack demo · org https://example.okta.com · exit 2" in text
    assert "passed 1, failed 3, not evaluated 1, not applicable 1, waived 1" in text
    for needle in (
        "SAR-03  Customized templates keep the token",
        "brand/default/template/NewSignOnNotification/customization/fr",
        "waived until 2031-01-31: JIRA-1: rebuild, pending",
        "Remediation: Fix SAR-03 | by doing <things>.",
        "Drift",
        "ignored: accepted | by CISO",
        "Unread evidence",
        "threatInsight: 403 (ignored: not licensed)",
        "Warnings",
        "Timings",
        "1.235",
    ):
        assert needle in text, needle
    assert "Timings" not in render_text(full_report("audit"), width=200)  # --verbose only


def test_brackets_in_data_are_not_markup() -> None:
    report = Report(
        kind="check", findings=[finding("SAR-01", "fail", "org", "[bold]x[/bold] [secret]")]
    )
    assert "[bold]x[/bold] [secret]" in render_text(report, width=200)


def test_findings_grouped_in_catalog_order() -> None:
    text = render_text(full_report("check"), width=200, verbose=True)
    positions = [text.index(f"{cid}  ") for cid in ("SAR-01", "SAR-03", "SAR-05", "SAR-09")]
    assert positions == sorted(positions)
    assert text.index("SAR-99  [mandatory]") > positions[-1]
