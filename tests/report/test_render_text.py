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


def test_resource_keys_fold_at_slashes_never_mid_word() -> None:
    from sarguard.report.render_text import fold_at_slashes

    key = "brand/bnd2emeaBrand00000002/template/NewSignOnNotification/customization/zh-TW"
    lines = fold_at_slashes(key, 30)
    assert "".join(lines) == key
    assert all(len(line) <= 30 or "/" not in line.rstrip("/") for line in lines)
    assert all(line.endswith("/") for line in lines[:-1])
    text = render_text(Report(kind="check", findings=[finding("SAR-03", "fail", key, "x")]),
                       width=60)
    segments = key.split("/")
    for line in text.splitlines():
        words = line.split()
        if words and "/" in words[-1]:
            assert all(part in segments or part == "" for part in words[-1].split("/")), line


def test_a_changed_body_is_a_short_unified_diff() -> None:
    from sarguard.report.diffs import body_diff
    from sarguard.report.model import DriftItem

    declared = "\n".join(f"line {i}" for i in range(60))
    live = "\n".join(f"line {i}" if i % 3 else f"LINE {i}" for i in range(60))
    diff = body_diff(declared, live)
    assert diff is not None and len(diff) == 21 and diff[-1].startswith("… ")
    assert diff[:2] == ["--- declared", "+++ live"]
    report = Report(kind="drift", drift=[DriftItem("changed", "brand/default/template/T/"
                                                   "customization/en", "body", declared, live)])
    text = render_text(report)
    assert "body: differs (declared → live)" in text and "more lines" in text
    assert "line 59" not in text  # not two walls of HTML


def test_a_body_line_never_becomes_a_workflow_command() -> None:
    from sarguard.report.diffs import body_diff

    diff = body_diff("a\n::error::pwned\n##[warning]x\nb", "a\n::error::pwned\n##[warning]x\nc")
    assert diff is not None
    for line in diff:
        assert not line.lstrip().startswith(("::", "##[")), line
