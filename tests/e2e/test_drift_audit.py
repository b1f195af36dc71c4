"""Drift and audit against the emulator seeded with known differences report exactly those."""

from __future__ import annotations

import yaml

from sarguard.cli import main
from tests.conftest import REPO_ROOT

EXPECTED_DEMO_DRIFT = {
    ("unmanaged", "brand/default/template/AuthenticatorEnrolled/customization/es", "customization"),
    ("changed", "brand/default/template/NewSignOnNotification/customization/fr", "body"),
    ("changed", "eventHook/suspicious-activity-reports", "status"),
    ("changed", "roleSubscription/ORG_ADMIN/REPORT_SUSPICIOUS_ACTIVITY", "status"),
}


def failing(report: dict) -> set[tuple[str, str]]:
    return {(f["control"], f["resource"]) for f in report["findings"] if f["status"] == "fail"}


def test_drift_reports_exactly_the_seeded_differences(emulator, run_json):
    emu = emulator("demo")
    code, report = run_json("drift", "--stack", "demo", "--org-url", emu.url)
    assert code == 1
    assert report["kind"] == "drift" and report["stack"] == "demo"
    assert {(d["kind"], d["resource"], d["field"]) for d in report["drift"]} == EXPECTED_DEMO_DRIFT
    status = next(d for d in report["drift"] if d["field"] == "status" and d["resource"].startswith("eventHook"))
    assert (status["declared"], status["live"]) == ("ACTIVE", "INACTIVE")
    role = next(d for d in report["drift"] if d["resource"].startswith("roleSubscription"))
    assert (role["declared"], role["live"]) == ("subscribed", "unsubscribed")
    assert report["summary"]["changed"] == 3 and report["summary"]["unmanaged"] == 1
    assert report["summary"]["missing"] == 0 and report["unread"] == []
    assert {"declared", "live", "drift", "evaluation", "rendering"} <= set(report["timings"])
    # The controls, evaluated on the live org, see the same problems.
    assert ("SAR-03", "brand/default/template/NewSignOnNotification/customization/fr") in failing(report)
    assert ("SAR-05", "eventHook/suspicious-activity-reports") in failing(report) or \
        ("SAR-05", "org") in failing(report)
    assert ("SAR-08", "roleSubscription/ORG_ADMIN/REPORT_SUSPICIOUS_ACTIVITY") not in failing(report)
    # The write-only hook secret is a note (said once, no action needed), not a warning.
    assert any("write-only" in n for n in report["notes"])
    assert not any("write-only" in w for w in report["warnings"])
    assert report["evidence"]["systemLog"]["reportCount"] >= 1
    # Declared resources' items point at their line in the stack; live-only ones have none.
    for item in report["drift"]:
        if item["kind"] == "unmanaged":
            assert "location" not in item, item
        else:
            assert item["location"]["file"] == "stacks/Pulumi.demo.yaml"
            assert item["location"]["line"] >= 1, item


def test_in_sync_org_exits_zero(emulator, run_json):
    emu = emulator("in-sync")
    code, report = run_json("drift", "--stack", "demo", "--org-url", emu.url)
    assert report["drift"] == [], report["drift"]
    assert code == 0, [f for f in report["findings"] if f["status"] not in ("pass", "not_applicable")]


def test_audit_needs_no_stack(emulator, run_json):
    emu = emulator("demo")
    code, report = run_json("audit", "--org-url", emu.url)
    assert code == 1 and report["kind"] == "audit"
    assert ("SAR-03", "brand/default/template/NewSignOnNotification/customization/fr") in failing(report)
    assert "drift" not in report or not report["drift"]


def test_unreadable_hooks_fail_closed(emulator, run_json):
    emu = emulator("in-sync", faults="/api/v1/eventHooks:503")
    code, report = run_json("drift", "--stack", "demo", "--org-url", emu.url)
    assert code == 2
    assert any(u["resource"].startswith("eventHook") for u in report["unread"])
    sar05 = [f for f in report["findings"] if f["control"] == "SAR-05"]
    assert sar05 and all(f["status"] == "not_evaluated" for f in sar05)
    assert not any(d["kind"] == "missing" and d["resource"].startswith("eventHook") for d in report["drift"])


def test_accepting_unreadable_evidence_with_a_waiver_and_an_ignore(emulator, run_json, tmp_path):
    emu = emulator("in-sync", faults="/api/internal:503")
    code, report = run_json("drift", "--stack", "demo", "--org-url", emu.url)
    assert code == 2
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(yaml.safe_dump([
        {"control": c, "resource": "securityNotificationEmails", "reason": "switches checked by the IAM team",
         "expires": "2099-12-31"} for c in ("SAR-01", "SAR-02")]))
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(yaml.safe_dump([{"resource": "securityNotificationEmails",
                                       "reason": "internal endpoint not readable with this credential"}]))
    code, report = run_json("drift", "--stack", "demo", "--org-url", emu.url,
                            "--waivers", str(waivers), "--ignore", str(ignore))
    assert code == 0, report
    assert all(u["ignored"] for u in report["unread"]) and report["unread"]
    assert {f["control"] for f in report["findings"] if f["status"] == "waived"} == {"SAR-01", "SAR-02"}


def test_bad_token_is_exit_2_without_leaking_it(emulator, monkeypatch, capsys):
    emu = emulator("demo")
    monkeypatch.setenv("OKTA_API_TOKEN", "00wrong-token-value-that-must-not-leak")
    code = main(["audit", "--org-url", emu.url, "--project-dir", str(REPO_ROOT)])
    captured = capsys.readouterr()
    assert code == 2
    assert "00wrong-token-value-that-must-not-leak" not in captured.out + captured.err
    assert "error" in captured.err


def test_rule_files_are_read_before_any_api_call(emulator, tmp_path, capsys):
    emu = emulator("demo")
    bad = tmp_path / "waivers.yaml"
    bad.write_text("- control: SAR-01\n  resource: org\n")
    code = main(["audit", "--org-url", emu.url, "--waivers", str(bad), "--project-dir", str(REPO_ROOT)])
    assert code == 2
    assert "reason" in capsys.readouterr().err
    assert emu.requests == []


def test_refused_credentials_still_write_the_report_files(emulator, monkeypatch, tmp_path, capsys):
    emu = emulator("demo")
    monkeypatch.setenv("OKTA_API_TOKEN", "00refused-token-value")
    sarif, md = tmp_path / "drift.sarif", tmp_path / "drift.md"
    code = main(["drift", "--stack", "demo", "--org-url", emu.url, "--project-dir", str(REPO_ROOT),
                 "--format", "json", "--output", str(tmp_path / "drift.json"),
                 "--also", f"sarif={sarif}", "--also", f"markdown={md}"])
    assert code == 2
    import json

    report = json.loads((tmp_path / "drift.json").read_text())
    assert report["errors"] and "could not read the org" in report["errors"][0]["message"]
    assert report["completed"] is False
    assert json.loads(sarif.read_text())["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert "could not read the org" in md.read_text()
    assert "00refused-token-value" not in capsys.readouterr().err + sarif.read_text() + md.read_text()
