"""The HTML report: one self-contained file, the verdict first, every section an auditor needs,
and no string from the org ever markup (the browser side is in test_html_browser.py)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from sarguard.report import render
from sarguard.report.diffs import side_by_side
from sarguard.report.model import Report
from sarguard.report.render_html import control_status, evidence_window
from tests.report.html_samples import GENERATED, HOSTILE, hostile_report, sample
from tests.report.sample import SECRET_VALUE, finding


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text outside tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("kind", ["check", "drift", "audit"])
def test_self_contained_nothing_to_fetch_and_no_script(kind: str) -> None:
    html = render(sample(kind), "html")
    doc = parse(html)
    names = [tag for tag, _ in doc.tags]
    assert "script" not in names and "link" not in names and "img" not in names
    assert names.count("style") == 1
    for _, attrs in doc.tags:
        assert "src" not in attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href  # only links inside the page
        assert not any(name.startswith("on") for name in attrs)
    csp = [a["content"] for t, a in doc.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]
    assert SECRET_VALUE not in html


def test_verdict_and_counts_come_first_then_provenance() -> None:
    html = render(sample("audit"), "html")
    verdict = html.index('class="verdict')
    assert verdict < html.index('class="summary"') < html.index('id="provenance"') < html.index('id="controls"')
    assert "COULD NOT RUN: 1 control could not be evaluated (SAR-05)" in html
    text = " ".join(parse(html).text)
    for expected in ("sarguard version", "0.1.0", "sarguard audit --stack demo --format html",
                     GENERATED, "2025-12-03T03:04:05Z to 2026-01-02T03:04:05Z", "demo"):
        assert expected in text, expected


def test_each_control_its_findings_fixes_and_waivers() -> None:
    html = render(sample("audit"), "html")
    text = " ".join(" ".join(parse(html).text).split())
    assert 'id="control-SAR-03"' in html and 'id="control-SAR-99"' in html
    assert "Fix SAR-03 | by doing &lt;things&gt;." in html  # the catalog's fix, escaped
    assert "JIRA-1: rebuild, pending" in text and "2031-01-31" in text  # waiver reason + expiry
    assert "stacks/Pulumi.demo.yaml:40" in text  # where the failure is declared
    assert "brand/default/template/NewSignOnNotification/customization/fr" in text


def test_drift_is_side_by_side_and_unread_and_system_log_are_shown() -> None:
    html = render(sample("drift"), "html")
    text = " ".join(parse(html).text)
    assert 'class="diff-replace"' in html or 'class="diff-insert"' in html
    assert "If this was not you, call the help desk." in text  # the live line, next to the declared
    assert "https://siem.example/a" in text and "https://evil.example/b" in text
    assert "missing scope okta.logs.read" in text and "not licensed" in text
    assert "System Log evidence" in text and "Suspicious-activity reports received: 2" in text


def test_a_section_per_framework_with_status_of_each_supporting_control() -> None:
    html = render(sample("audit"), "html")
    for key in ("nist-800-53", "iso-27001", "cis-v8"):
        assert f'id="framework-{key}"' in html
    section = html[html.index('id="framework-nist-800-53"'):html.index('id="framework-iso-27001"')]
    assert "IR-4(1)" in section and 'href="#control-SAR-05"' in section
    assert "not evaluated" in section  # SAR-05's status next to IR-4(1)
    assert "no framework publishes one" in html


def test_hostile_org_strings_are_text_never_markup() -> None:
    html = render(hostile_report(), "html")
    doc = parse(html)
    names = [tag for tag, _ in doc.tags]
    assert "script" not in names and "img" not in names and "b" not in names
    assert not any(name.startswith("on") for _, attrs in doc.tags for name in attrs)
    assert "{{ 7*7 }}" in "".join(doc.text) and "49" not in "".join(doc.text)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("</style>") == 1  # the stylesheet's own


def test_print_stylesheet_keeps_controls_whole() -> None:
    html = render(sample("audit"), "html")
    media = html[html.index("@media print"):]
    assert ".control" in media and "break-inside: avoid" in media


def test_control_status_is_the_most_pressing_finding() -> None:
    assert control_status([finding("X", "pass", "a", ""), finding("X", "fail", "b", "")]) == "fail"
    assert control_status([finding("X", "waived", "a", ""), finding("X", "pass", "b", "")]) == "waived"
    assert control_status([]) == "not_run"


def test_side_by_side_aligns_and_caps() -> None:
    rows = side_by_side("a\nb\nc", "a\nB\nc\nd")
    assert ("replace", "b", "B") in rows and ("insert", "", "d") in rows
    assert side_by_side("one line", "other") is None
    long = side_by_side("\n".join(map(str, range(200))), "\n".join(str(i * 2) for i in range(200)))
    assert len(long) == 61 and long[-1][0] == "skip"


def test_evidence_window_needs_a_system_log() -> None:
    assert evidence_window(Report(kind="check")) == ""
    assert evidence_window(sample("audit")) == "2025-12-03T03:04:05Z to 2026-01-02T03:04:05Z"


def test_hostile_sample_keeps_the_raw_string() -> None:
    """The test data is what it claims: markup that a naive renderer would run."""
    assert "<script>" in HOSTILE and "onerror=" in HOSTILE and "{{" in HOSTILE


def test_templates_ship_as_package_data() -> None:
    """A wheel without its templates would fail only when someone asks for HTML."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["sarguard"]
    templates = sorted((root / "sarguard" / "report" / "templates").iterdir())
    assert templates
    for path in templates:
        relative = path.relative_to(root / "sarguard").as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_check_writes_html_with_also_and_records_the_command(tmp_path: Path, monkeypatch) -> None:
    from sarguard.cli import main

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    page, report = tmp_path / "check.html", tmp_path / "check.json"
    code = main(["check", "--stack", "demo", "--format", "json", "--output", str(report),
                 "--also", f"html={page}"])
    assert code in (0, 1)
    html = page.read_text(encoding="utf-8")
    assert f"sarguard check --stack demo --format json --output {report}" in html
    assert 'id="control-SAR-01"' in html and 'id="framework-nist-800-53"' in html
    assert "stacks/Pulumi.demo.yaml" in html
