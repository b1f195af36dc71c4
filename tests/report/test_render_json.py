import json

import sarguard
from sarguard.report import render
from sarguard.report.model import Report
from tests.report.sample import STACK_FILE, finding, full_report

FINDING_KEYS = {
    "control",
    "status",
    "severity",
    "resource",
    "message",
    "remediation",
    "level",
    "title",
}


def test_top_level_contract_for_check() -> None:
    report = Report(
        kind="check",
        findings=[finding("SAR-01", "pass", "org", "ok")],
        stack="demo",
        org="https://x.okta.com",
    )
    data = json.loads(render(report, "json"))
    assert data["tool"] == {"name": "sarguard", "version": sarguard.__version__}
    assert (data["kind"], data["stack"], data["org"]) == ("check", "demo", "https://x.okta.com")
    assert data["summary"] == {
        "passed": 1,
        "failed": 0,
        "notEvaluated": 0,
        "notApplicable": 0,
        "waived": 0,
        "baselined": 0,
    }
    assert data["warnings"] == []
    assert "drift" not in data and "evidence" not in data


def test_audit_contract_and_counts() -> None:
    data = json.loads(render(full_report("audit"), "json"))
    assert data["summary"] == {
        "passed": 1,
        "failed": 3,
        "notEvaluated": 1,
        "notApplicable": 1,
        "waived": 1,
        "baselined": 0,
        "changed": 2,
        "missing": 1,
        "unmanaged": 1,
        "ignored": 2,
        "unread": 1,
    }
    assert data["exitCode"] == 2
    for item in data["findings"]:
        assert FINDING_KEYS <= set(item)
    by_resource = {f["resource"]: f for f in data["findings"]}
    fail = by_resource["brand/default/template/NewSignOnNotification/customization/fr"]
    assert fail["status"] == "fail" and fail["title"] == "Customized templates keep the token"
    assert fail["location"] == {"file": STACK_FILE, "line": 40}
    assert by_resource["eventHook/soc"]["severity"] == "medium"  # falls back to the catalog
    waived = by_resource["brand/b2/template/PasswordChanged/customization/en"]
    assert waived["waiver"] == {"reason": "JIRA-1: rebuild, pending", "expires": "2031-01-31"}
    assert "waiver" not in fail and "location" not in by_resource["eventHook/soc"]


def test_drift_unread_timings_evidence() -> None:
    data = json.loads(render(full_report("drift"), "json"))
    assert {d["kind"] for d in data["drift"]} == {"changed", "missing", "unmanaged"}
    for item in data["drift"]:
        assert {"kind", "resource", "field", "declared", "live", "ignored"} <= set(item)
    ignored = [d for d in data["drift"] if d["ignored"]]
    assert len(ignored) == 1 and ignored[0]["reason"] == "accepted | by CISO"
    noted = [d for d in data["drift"] if "note" in d]
    assert noted[0]["declared"] == noted[0]["live"] == "[secret]"
    assert data["unread"] == [
        {"resource": "systemLog", "reason": "missing scope okta.logs.read", "ignored": False},
        {
            "resource": "threatInsight",
            "reason": "403",
            "ignored": True,
            "ignoreReason": "not licensed",
        },
    ]
    assert data["timings"] == {"read": 1.235, "evaluate": 0.01}
    assert data["evidence"] == {"systemLog": {"reports": 3, "token": "[secret]"}}
