"""Assertions the round trips share: the plan declares the live org, the verdicts agree."""

from __future__ import annotations

from typing import Any

from sarguard.adopt.check import STACK_CONTROLS
from sarguard.evidence.liveread import read_org
from sarguard.model import LINK_TEMPLATES, NOTIFICATION_FIELDS, REPORT_EVENT, OrgState
from sarguard.okta.factory import client_from_env
from sarguard.pulumi.mockengine import OFFLINE_DEFAULT_BRAND_ID

AUTH_NOTE = "channel.config.authScheme.value is write-only in Okta and cannot be compared"


def live_state(emu: Any) -> OrgState:
    """The org as the live reader sees it (what drift and audit read)."""
    client = client_from_env({"OKTA_API_TOKEN": emu.token}, org_url=emu.url)
    return read_org(client, since=None, until=None)


def _by_type(plan: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for resource in plan["resources"]:
        out.setdefault(resource["type"].rsplit(":", 1)[-1], []).append(resource["inputs"])
    return out


def _brand_key(brand_id: str) -> str:
    return "default" if brand_id == OFFLINE_DEFAULT_BRAND_ID else brand_id


def report_hook(live: OrgState):
    return next(h for h in live.event_hooks if REPORT_EVENT in h.events)


def assert_plan_declares_live(plan: dict[str, Any], live: OrgState) -> None:
    """``sarguard plan --format json`` declares exactly the live objects: the switches, every
    template's recipients, every customization (bodies equal to the last byte), the report hook,
    the subscribed roles and ThreatInsight — and nothing else."""
    by_type = _by_type(plan)
    [switches] = by_type.pop("SecurityNotificationEmails")
    assert {api: switches[api] for api in NOTIFICATION_FIELDS.values()} == live.notifications.values
    settings = {(_brand_key(s["brandId"]), s["templateName"]): s["recipients"]
                for s in by_type.pop("EmailTemplateSettings")}
    assert settings == {(b.key, t): b.templates[t].recipients for b in live.brands.values()
                        for t in LINK_TEMPLATES}
    declared = {(_brand_key(c["brandId"]), c["templateName"], c["language"]):
                (c["subject"], c["body"].encode("utf-8"), c.get("isDefault", False))
                for c in by_type.pop("EmailCustomization", [])}
    assert declared == {(b.key, t.name, c.language): (c.subject, c.body.encode("utf-8"), c.is_default)
                        for b in live.brands.values() for t in b.templates.values()
                        for c in t.customizations}
    hook = report_hook(live)
    [declared_hook] = by_type.pop("EventHook")
    assert (declared_hook["name"], declared_hook["status"], declared_hook["channel"]["uri"],
            declared_hook["events"], declared_hook["auth"] != {}) == (
        hook.name, hook.status, hook.uri, hook.events, True)
    assert {h["key"]: h["value"] for h in declared_hook.get("headers") or []} == hook.headers
    verifications = by_type.pop("EventHookVerification", [])
    assert len(verifications) == (1 if hook.verification_status == "VERIFIED" else 0)
    roles = {r["roleRef"] for r in by_type.pop("RoleSubscription", [])}
    assert roles == {s.role for s in live.role_subscriptions if s.status == "subscribed"}
    [threat] = by_type.pop("ThreatInsightSettings")
    assert (threat["action"], threat.get("excludeZones") or []) == (
        live.threat_insight.action, live.threat_insight.exclude_zones)
    assert by_type == {}, f"declared but not live: {sorted(by_type)}"


def assert_import_ids_are_live(document: dict[str, Any], live: OrgState) -> None:
    """Every live object the stack declares is in the import file under the provider's id."""
    ids = {(r["type"].rsplit(":", 1)[-1], r["id"]) for r in document["resources"] if "id" in r}
    hook = report_hook(live)
    wanted = {("EventHook", hook.id), ("SecurityNotificationEmails", "_"),
              ("ThreatInsightSettings", "_")}
    wanted |= {("RoleSubscription", f"{s.role}/REPORT_SUSPICIOUS_ACTIVITY")
               for s in live.role_subscriptions if s.status == "subscribed"}
    for brand in live.brands.values():
        for name, template in brand.templates.items():
            wanted.add(("EmailTemplateSettings", f"{brand.id}/{name}"))
            wanted |= {("EmailCustomization", f"{c.id}/{brand.id}/{name}") for c in template.customizations}
    assert ids == wanted


def verdicts(findings: list[dict[str, Any]]) -> dict[str, set[tuple[str, str]]]:
    """Per control of SAR-01..10: the (resource, status) pairs."""
    out: dict[str, set[tuple[str, str]]] = {}
    for finding in findings:
        if finding["control"] in STACK_CONTROLS:
            out.setdefault(finding["control"], set()).add((finding["resource"], finding["status"]))
    return out


_RANK = {"fail": 3, "not_evaluated": 2, "pass": 1, "not_applicable": 0, "waived": 0}


def assert_same_verdicts(offline: list[dict[str, Any]], live: list[dict[str, Any]]) -> None:
    """``check`` on the imported stack says, for SAR-01..10, what the live audit says: the same
    verdict per control, the same status for every resource both judge, and every live failure
    found offline. (Live SAR-07 also judges hooks the stack does not hold; those stay live-only.)"""
    mine, theirs = verdicts(offline), verdicts(live)
    assert set(mine) == set(theirs)
    for control in sorted(mine):
        worst = {name: max(_RANK[s] for _, s in found) for name, found in
                 (("offline", mine[control]), ("live", theirs[control]))}
        assert worst["offline"] == worst["live"], (control, mine[control], theirs[control])
        offline_status = dict(mine[control])
        live_status = dict(theirs[control])
        both = set(offline_status) & set(live_status)
        assert {r: offline_status[r] for r in both} == {r: live_status[r] for r in both}, control
        failing = {r for r, s in live_status.items() if s == "fail"}
        assert failing <= {r for r, s in offline_status.items() if s == "fail"}, control


def drift_items(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((d["kind"], d["resource"], d.get("field") or "") for d in report["drift"])
