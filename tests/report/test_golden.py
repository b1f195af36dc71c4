"""Golden files for the human layouts (text and Markdown), reviewed by eye once.

A layout change shows up as a diff of these files in review. To accept one, regenerate with
``SARGUARD_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py`` and read the
diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sarguard.errors import Problem
from sarguard.report import render
from sarguard.report.model import DriftItem, Report
from tests.report.sample import CONTROLS, STACK_FILE, full_report

GOLDEN = Path(__file__).parent / "golden"
DECLARED_BODY = "\n".join([
    "<html>", "  <body>", "    <p>New sign-on to your account.</p>",
    "    <p>Browser: ${request.browser}</p>",
    '    <p><a href="${request.reportSuspiciousActivityToken}">Report suspicious activity</a></p>',
    "    <p>Thanks,</p>", "    <p>The security team</p>", "  </body>", "</html>",
])
LIVE_BODY = DECLARED_BODY.replace(
    '    <p><a href="${request.reportSuspiciousActivityToken}">Report suspicious activity</a></p>',
    "    <p>If this was not you, call the help desk.</p>")


def drift_report() -> Report:
    report = full_report("drift")
    report.drift = [*(report.drift or []), DriftItem(
        "changed", "brand/default/template/NewSignOnNotification/customization/fr", "body",
        DECLARED_BODY, LIVE_BODY)]
    report.notes = ["eventHook/soc: channel.config.authScheme.value is write-only in Okta and "
                    "cannot be compared"]
    report.org_url = "https://example.okta.com"
    return report


def could_not_run_report() -> Report:
    return Report(kind="check", controls=list(CONTROLS), stack="demo", stack_file=STACK_FILE,
                  org="demo.okta.com", org_url="https://demo.okta.com", errors=[
                      Problem(f"{STACK_FILE}:12: sarguard:setting: unknown config key; did you "
                              "mean 'sarguard:settings'?", STACK_FILE, 12, "sarguard:setting"),
                      Problem(f"{STACK_FILE}: sarguard:settings: missing", STACK_FILE, None,
                              "sarguard:settings"),
                  ])


CASES = {
    "check": lambda: full_report("check"),
    "drift": drift_report,
    "could-not-run": could_not_run_report,
}


@pytest.mark.parametrize(("name", "fmt", "suffix", "options"), [
    (name, fmt, suffix, options)
    for name in CASES
    for fmt, suffix, options in (("text", "txt", {}), ("text", "verbose.txt", {"verbose": True}),
                                 ("markdown", "md", {}))
    if not (name != "check" and suffix == "verbose.txt")
])
def test_layout_matches_the_golden_file(name: str, fmt: str, suffix: str, options: dict) -> None:
    text = render(CASES[name](), fmt, **options)
    path = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("SARGUARD_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run with SARGUARD_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


def _with_provenance(report: Report) -> Report:
    from tests.report.html_samples import with_provenance

    return with_provenance(report, f"sarguard {report.kind} --stack demo")


@pytest.mark.parametrize(("name", "fmt", "suffix"), [
    ("check", "html", "html"), ("drift", "html", "html"), ("could-not-run", "html", "html"),
    ("check", "oscal", "oscal.json"), ("drift", "oscal", "oscal.json"),
])
def test_auditor_formats_match_the_golden_file(name: str, fmt: str, suffix: str) -> None:
    """HTML and OSCAL with a fixed command line and time (the rest of provenance is the report's)."""
    if fmt == "oscal":
        pytest.importorskip("trestle.oscal.assessment_results", reason="the 'oscal' extra is not installed")
    text = render(_with_provenance(CASES[name]()), fmt)
    path = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("SARGUARD_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run with SARGUARD_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")
