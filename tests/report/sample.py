"""A report exercising every status, drift kind, unread, warning, waiver and ignore."""

from __future__ import annotations

from pathlib import Path

from sarguard.controls.base import Control, Finding
from sarguard.controls.frameworks import cis, iso, nist
from sarguard.model import UNKNOWN, Location
from sarguard.report.model import DriftItem, Report, UnreadItem

STACK_FILE = "stacks/Pulumi.demo.yaml"
SECRET_VALUE = "s3cr3t-hook-auth-value"  # must never appear in any rendered output


def reference_dir() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "reference"


class Secret:
    """Stands in for a secret wrapper that leaked past redaction."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __str__(self) -> str:
        return self.value

    __repr__ = __str__


class FlaggedSecret(str):
    is_secret = True


def _control(cid: str, title: str, severity: str, level: str, refs=(), frameworks=()) -> Control:
    return Control(
        id=cid,
        policy_name=f"sar-{cid[-2:]}-policy",
        title=title,
        severity=severity,  # type: ignore[arg-type]
        default_level=level,  # type: ignore[arg-type]
        rationale=f"Why {cid} matters.",
        remediation=f"Fix {cid} | by doing <things>.",
        evaluate=lambda state, options: [],
        references=tuple(refs),
        frameworks=tuple(frameworks),
    )


CONTROLS = [
    _control(
        "SAR-01",
        "Report button enabled",
        "high",
        "mandatory",
        ["https://help.okta.com/report-suspicious", "not a url"],
        [nist("IR-6", "Users report."), nist("IR-6(1)", "Automated reporting."),
         iso("A.6.8", "Event reporting."), cis("17.3", "Reporting process.")],
    ),
    _control("SAR-03", "Customized templates keep the token", "high", "mandatory",
             frameworks=[nist("IR-6(1)", "The link is the mechanism."), nist("CM-6", "Settings.")]),
    _control("SAR-05", "Event hook verified", "medium", "mandatory",
             frameworks=[nist("IR-4(1)", "Automated handling."), iso("A.8.16", "Monitoring.")]),
    _control("SAR-09", "ThreatInsight on", "low", "advisory"),
]


def finding(control: str, status: str, resource: str, message: str, **kw) -> Finding:
    return Finding(control=control, status=status, resource=resource, message=message, **kw)  # type: ignore[arg-type]


def full_report(kind: str = "audit") -> Report:
    loc = Location(file=STACK_FILE, line=12)
    findings = [
        finding("SAR-01", "pass", "securityNotificationEmails", "switch on", location=loc),
        finding(
            "SAR-03",
            "fail",
            "brand/default/template/NewSignOnNotification/customization/fr",
            "body lacks ${request.reportSuspiciousActivityToken} | *bold* <b>x</b>\nsecond line",
            severity="high",
            location=Location(file=STACK_FILE, line=40),
        ),
        finding("SAR-05", "not_evaluated", "eventHook/soc", "hooks unread: 403, scope"),
        finding("SAR-09", "fail", "threatInsight", "action is none", level="advisory"),
        finding("SAR-05", "not_applicable", "eventHook/other", "no hook declared"),
        finding(
            "SAR-03",
            "waived",
            "brand/b2/template/PasswordChanged/customization/en",
            "legacy brand",
            waiver={"reason": "JIRA-1: rebuild, pending", "expires": "2031-01-31"},
            details={"originalStatus": "fail"},
        ),
        finding("SAR-99", "fail", "org", "control missing from catalog"),
    ]
    return Report(
        kind=kind,  # type: ignore[arg-type]
        findings=findings,
        controls=list(CONTROLS),
        stack="demo",
        org="https://example.okta.com",
        warnings=["waiver for SAR-02 on 'brand/**' expired on 2024-01-01; 100% stale: yes, really"],
        drift=[
            DriftItem(
                "changed",
                "eventHook/soc",
                "channel.config.uri",
                "https://siem.example/a",
                "https://evil.example/b",
            ),
            DriftItem(
                "changed",
                "eventHook/soc",
                "channel.config.authScheme.value",
                Secret(SECRET_VALUE),
                FlaggedSecret(SECRET_VALUE),
                note="write-only: cannot be compared",
            ),
            DriftItem(
                "missing",
                "roleSubscription/ORG_ADMIN/REPORT_SUSPICIOUS_ACTIVITY",
                "",
                {"status": "subscribed"},
                None,
            ),
            DriftItem("unmanaged", "eventHook/rogue", "", None, {"uri": "https://x", "n": UNKNOWN}),
            DriftItem(
                "changed",
                "brand/default/template/X/settings",
                "recipients",
                "ALL_USERS",
                "ADMINS_ONLY",
                ignored=True,
                reason="accepted | by CISO",
            ),
        ],
        unread=[
            UnreadItem("systemLog", "missing scope okta.logs.read"),
            UnreadItem("threatInsight", "403", ignored=True, ignore_reason="not licensed"),
        ],
        timings={"read": 1.23456, "evaluate": 0.01},
        evidence={"systemLog": {"reports": 3, "token": Secret(SECRET_VALUE)}},
        stack_file=STACK_FILE,
        errors=[],
    )
