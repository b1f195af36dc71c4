"""The System Log and API evidence of a live run shows up in text and Markdown."""

from __future__ import annotations

from sarguard.report import render
from sarguard.report.model import Report

EVIDENCE = {
    "systemLog": {
        "since": "2026-10-01T00:00:00Z", "until": "2026-10-31T00:00:00Z", "reportCount": 2,
        "mostRecent": {"when": "2026-10-30T10:00:00Z", "user": "ann@example.com",
                       "activityEventType": "user.session.start", "ip": "203.0.113.9", "location": "Lagos"},
        "topActivityTypes": [{"eventType": "user.session.start", "count": 2}],
        "deliveryFailures": [{"hookName": "soc", "when": "2026-10-29T00:00:00Z", "reason": "HTTP 502 | bad"}],
        "tampering": [{}, {}, {}],
    },
    "api": {"calls": 13, "rate_limited": 0, "retries": 1, "rate_limit_waits": 0},
}


def test_text_and_markdown_show_the_evidence():
    report = Report(kind="audit", evidence=EVIDENCE)
    text = render(report, "text")
    assert "Suspicious-activity reports received: 2; most recent 2026-10-30T10:00:00Z: ann@example.com" in text
    assert "Hook delivery failures: 1; latest 2026-10-29T00:00:00Z (soc: HTTP 502 | bad)" in text
    assert "Changes to review (SAR-12): 3" in text
    assert "13 calls, 0 rate-limited (429), 1 retries" in text
    markdown = render(report, "markdown")
    assert "System Log evidence" in markdown and "user.session.start ×2" in markdown
    assert "HTTP 502 \\| bad" in markdown or "HTTP 502 | bad" in markdown


def test_no_evidence_no_section():
    assert "System Log evidence" not in render(Report(kind="check"), "text")
