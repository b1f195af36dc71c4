"""``sarguard diff``: what changed between two JSON reports of the same command (pure).

Findings are matched by ``fingerprint`` (control, rule and subject; never the line or the
message), so a reworded message or a moved declaration is ``unchanged``. A finding *fails* when
its status is ``fail`` or ``baselined`` (a failure accepted earlier is still a failure): ``new``
fails in NEW and not in OLD, ``fixed`` failed in OLD and not in NEW, ``unchanged`` fails in both
(each a list of findings as in the report JSON, NEW's copy where there is one). ``controls`` lists
each control whose status (its most pressing finding's, as the HTML report shows it) changed;
``drift`` the unignored drift items (by kind, resource and field) that appeared or went away.

The JSON keys are a contract: ``new``, ``fixed``, ``unchanged``, ``controls`` (``[{control, old,
new}]``), ``drift`` (``{new, gone}``) and ``summary``; the exit code (1 when NEW has a failure OLD
did not have) is ``summary.exitCode``.
"""

from __future__ import annotations

from typing import Any

from sarguard.report.view import STATUS_ORDER

FAILING = ("fail", "baselined")
ABSENT = "absent"  # a control with no finding in that report (not run, or disabled)
DIFF_KEYS = ("new", "fixed", "unchanged", "controls", "drift", "summary")


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The diff of two checked report dicts (``verdicts.baseline.read_report``). Two fleet
    reports are compared org by org: each finding, control change and drift item then also
    carries ``org`` (the org's name in the fleet)."""
    old_parts, new_parts = _parts(old), _parts(new)
    old_fail = {k: v for org, r in old_parts for k, v in _failing(r, org).items()}
    new_fail = {k: v for org, r in new_parts for k, v in _failing(r, org).items()}
    added = [f for p, f in new_fail.items() if p not in old_fail]
    fixed = [f for p, f in old_fail.items() if p not in new_fail]
    unchanged = [f for p, f in new_fail.items() if p in old_fail]
    old_by_org, new_by_org = dict(old_parts), dict(new_parts)
    controls = [change for org in dict.fromkeys([*new_by_org, *old_by_org])
                for change in _control_changes(old_by_org.get(org, {}), new_by_org.get(org, {}),
                                               org)]
    old_drift = {k: v for org, r in old_parts for k, v in _drift(r, org).items()}
    new_drift = {k: v for org, r in new_parts for k, v in _drift(r, org).items()}
    drift_new = [d for k, d in new_drift.items() if k not in old_drift]
    drift_gone = [d for k, d in old_drift.items() if k not in new_drift]
    exit_code = 1 if any(f.get("status") == "fail" for f in added) else 0
    return {
        "new": added,
        "fixed": fixed,
        "unchanged": unchanged,
        "controls": controls,
        "drift": {"new": drift_new, "gone": drift_gone},
        "summary": {
            "kind": new.get("kind"),
            "new": len(added),
            "fixed": len(fixed),
            "unchanged": len(unchanged),
            "controlsChanged": len(controls),
            "driftNew": len(drift_new),
            "driftGone": len(drift_gone),
            "exitCode": exit_code,
        },
    }


def _parts(report: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """``[(org name, report)]``: a fleet's orgs, or the one report (org ``None``)."""
    if report.get("kind") == "fleet":
        return [(str(o.get("name")), o.get("report") or {}) for o in report.get("orgs", [])]
    return [(None, report)]


def _with_org(item: dict[str, Any], org: str | None) -> dict[str, Any]:
    return item if org is None else {"org": org, **item}


def _failing(report: dict[str, Any], org: str | None = None) -> dict[Any, dict[str, Any]]:
    return {(org, f["fingerprint"]): _with_org(f, org) for f in report.get("findings", [])
            if f.get("status") in FAILING}


def control_statuses(report: dict[str, Any]) -> dict[str, str]:
    """Each control's status: the most pressing of its findings' (disabled ones aside)."""
    seen: dict[str, set[str]] = {}
    for finding in report.get("findings", []):
        if finding.get("level") == "disabled":
            continue
        seen.setdefault(str(finding.get("control")), set()).add(str(finding.get("status")))
    return {cid: next((s for s in STATUS_ORDER if s in statuses), sorted(statuses)[0])
            for cid, statuses in seen.items()}


def _control_changes(old: dict[str, Any], new: dict[str, Any],
                     org: str | None = None) -> list[dict[str, str]]:
    before, after = control_statuses(old), control_statuses(new)
    ids = list(dict.fromkeys([*after, *before]))
    return [_with_org({"control": cid, "old": before.get(cid, ABSENT),
                       "new": after.get(cid, ABSENT)}, org)
            for cid in sorted(ids) if before.get(cid, ABSENT) != after.get(cid, ABSENT)]


def _drift(report: dict[str, Any], org: str | None = None) -> dict[tuple, dict[str, Any]]:
    items = report.get("drift")
    if not isinstance(items, list):
        return {}
    return {(org, str(d.get("kind")), str(d.get("resource")), str(d.get("field"))):
            _with_org(d, org) for d in items if isinstance(d, dict) and not d.get("ignored")}
