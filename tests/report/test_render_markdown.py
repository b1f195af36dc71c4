import re

from sarguard.report import render
from sarguard.report.model import Report
from sarguard.report.render_markdown import md_code, md_text
from tests.report.sample import finding, full_report


def test_escaping_in_text_cells() -> None:
    assert md_text("a|b") == "a\\|b"
    assert md_text("line1\nline2\r\nline3") == "line1<br>line2<br>line3"
    assert md_text("brand/**") == "brand/\\*\\*"
    assert md_text("<script>&") == "\\<script\\>\\&"
    assert md_text("[x](http://evil)") == "\\[x\\](http://evil)"
    assert md_text("- not a list") == "\\- not a list"
    assert md_text("1. not a list") == "1\\. not a list"


def test_code_spans() -> None:
    assert md_code("a|b") == "`a\\|b`"
    assert md_code("a|b", in_table=False) == "`a|b`"
    assert md_code("x`y") == "``x`y``"
    assert md_code("two\nlines") == "`two lines`"


def _table_rows(text: str, header: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def _cells(row: str) -> int:
    """Cells in a GFM table row: split on unescaped pipes."""
    return len(re.split(r"(?<!\\)\|", row)) - 2


def test_structure_failures_first_passes_collapsed() -> None:
    text = render(full_report("audit"), "markdown")
    assert text.startswith("## ⚠️ sarguard audit: could not run")
    assert text.index("### Failures") < text.index("### Not evaluated") < text.index("### Waived")
    assert text.index("### Waived") < text.index("<details><summary>Passed (1)</summary>")
    assert "**How to fix**" in text and "Fix SAR-03 \\| by doing \\<things\\>." in text
    for heading in ("### Drift", "### Unread evidence", "### Warnings"):
        assert heading in text
    assert "threatInsight`: 403 (ignored: not licensed)" in text


def test_every_table_row_has_the_header_cell_count() -> None:
    text = render(full_report("audit"), "markdown")
    for line_no, line in enumerate(text.splitlines()):
        if line.startswith("| ") and text.splitlines()[line_no + 1].startswith("|--"):
            width = _cells(line)
            for row in _table_rows(text, line):
                assert _cells(row) == width, row
    assert "<br>second line" in text  # the multi-line message stayed in one row


def test_headline_reflects_outcome() -> None:
    ok = Report(kind="check", findings=[finding("SAR-01", "pass", "org", "ok")])
    assert render(ok, "markdown").startswith("## ✅ sarguard check: passed")
    bad = Report(kind="check", findings=[finding("SAR-01", "fail", "org", "x")])
    assert render(bad, "markdown").startswith("## ❌ sarguard check: failed")
    drift = Report(kind="drift", drift=[])
    text = render(drift, "markdown")
    assert text.startswith("## ✅ sarguard drift: in sync") and "No drift." in text
