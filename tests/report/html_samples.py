"""Reports for the HTML/OSCAL tests: the check, drift and audit samples with provenance, and a
report full of hostile markup from the org."""

from __future__ import annotations

from sarguard.report.model import DriftItem, Report, UnreadItem
from tests.report.sample import CONTROLS, finding, full_report

GENERATED = "2026-01-02T03:04:05+00:00"
HOSTILE = ('<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2"> '
           '"onload=window.__pwned=3 {{ 7*7 }} {% raw %} </style><b>bold</b> &amp; '
           'javascript:alert(1)')


def with_provenance(report: Report, command: str) -> Report:
    report.command = command
    report.generated_at = GENERATED
    if report.kind != "check":
        report.evidence = {**report.evidence, "systemLog": {
            "since": "2025-12-03T03:04:05Z", "until": "2026-01-02T03:04:05Z", "reportCount": 2,
            "mostRecent": {"when": "2026-01-01T10:00:00Z", "user": "ana@example.com",
                           "activityEventType": "user.session.start", "ip": "198.51.100.7"},
            "deliveryFailures": [], "tampering": []}}
    return report


def sample(kind: str) -> Report:
    """The sample report of ``kind`` with a command line, a time and a System Log window."""
    from tests.report.test_golden import drift_report

    report = drift_report() if kind == "drift" else full_report(kind)
    return with_provenance(report, f"sarguard {kind} --stack demo --format html")


def hostile_report() -> Report:
    findings = [
        finding("SAR-03", "fail", f"brand/{HOSTILE}/template/NewSignOnNotification", HOSTILE,
                remediation=HOSTILE),
        finding("SAR-05", "not_evaluated", f"eventHook/{HOSTILE}", HOSTILE),
        finding("SAR-01", "waived", "brand/x", HOSTILE, waiver={"reason": HOSTILE, "expires": HOSTILE}),
    ]
    report = Report(
        kind="audit", findings=findings, controls=list(CONTROLS), stack=HOSTILE, org=HOSTILE,
        org_url=HOSTILE, warnings=[HOSTILE], notes=[HOSTILE], errors=[HOSTILE],
        drift=[DriftItem("changed", f"eventHook/{HOSTILE}", "name", HOSTILE, {"name": HOSTILE},
                         note=HOSTILE),
               DriftItem("changed", "brand/b/template/T/customization/en", "body",
                         f"<p>a</p>\n{HOSTILE}\n<p>c</p>", f"<p>a</p>\n<p>b</p>\n{HOSTILE}"),
               DriftItem("changed", "brand/y", "x", "a", "b", ignored=True, reason=HOSTILE)],
        unread=[UnreadItem(f"brand/{HOSTILE}", HOSTILE),
                UnreadItem("threatInsight", HOSTILE, ignored=True, ignore_reason=HOSTILE)],
        stack_file=HOSTILE,
    )
    return with_provenance(report, f"sarguard audit --org-url '{HOSTILE}'")
