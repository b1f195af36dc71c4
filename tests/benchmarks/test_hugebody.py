"""The 400 MB-body memory measurement's page section: spliced in without touching the rest."""

from __future__ import annotations

from benchmarks.hugebody import SECTION, HugeBodyResult, render_huge_body, splice_section

PAGE = "# r\n\n## Offline check scaling\n\nx\n\n## Plots\n\n![p](p.png)\n\n## How it is measured\n\ny\n"


def result(**kw) -> HugeBodyResult:
    values = dict(peak_rss_kib=165 * 1024, baseline_rss_kib=85 * 1024, bytes_read=64 * 2**20 + 65536,
                  bytes_sent=70 * 2**20, seconds=0.8, exit_code=2, measured="today")
    return HugeBodyResult(**(values | kw))


def test_section_goes_before_the_plots_and_replaces_itself_later():
    first = splice_section(PAGE, render_huge_body(result()))
    assert first.index(SECTION) < first.index("## Plots")
    assert first.replace("\n".join(render_huge_body(result())).rstrip() + "\n\n", "") == PAGE
    again = splice_section(first, render_huge_body(result(peak_rss_kib=170 * 1024)))
    assert again.count(SECTION) == 1 and "| 170 MiB |" in again and "| 165 MiB |" not in again
    assert again.replace(SECTION, "").count("## ") == PAGE.count("## ")


def test_rendered_figures_and_problems():
    text = "\n".join(render_huge_body(result()))
    assert "| peak RSS of the audit process | 165 MiB |" in text and "| result | ok |" in text
    bad = result()
    bad.problems.append("exit 0, expected 2 (brands unread)")
    assert "| result | exit 0, expected 2" in "\n".join(render_huge_body(bad))
