"""Read-only views of the store: the queue depth, ``responder status``, and each report's
response for ``sarguard reports --responder-db``. They never write, so they work on SQLite
while a responder serves (WAL) and never take the serve lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from sarguard.responder.store.engine import Store
from sarguard.responder.store.schema import (
    Action,
    Delivery,
    Event,
    IpBlock,
    ReconcileState,
    Report,
    Responder,
)
from sarguard.systemlog import logevent as le

ACTION_STATUSES = ("waiting", "pending", "running", "done", "skipped", "failed")
LAST_ERRORS = 10
RECENT = 10


def queue_counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        rows = session.execute(select(Action.status, func.count()).where(
            Action.status.in_(("waiting", "pending", "running"))).group_by(Action.status))
        return {status: count for status, count in rows}


def _grouped(session: Any, *columns: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in session.execute(select(*columns, func.count()).group_by(*columns))]


def _action_lines(actions: Iterable[Action]) -> list[dict[str, Any]]:
    return [{"kind": a.kind, "status": a.status, "attempts": a.attempts, "result": a.result,
             "lastError": a.last_error if a.status != "done" else None,
             "finishedAt": le.iso(a.finished_at)} for a in sorted(actions, key=lambda a: a.seq)]


def report_view(report: Report, actions: Iterable[Action]) -> dict[str, Any]:
    """One report and its response, as ``status`` and ``reports --responder-db`` show it."""
    return {
        "reportId": report.id, "eventId": report.event_uuid, "userId": report.user_id,
        "login": report.login, "published": le.iso(report.published),
        "receivedAt": le.iso(report.received_at), "origin": report.origin,
        "disposition": report.disposition, "outcome": report.outcome,
        "dryRun": report.dry_run, "userStatus": report.user_status,
        "linkedReportId": report.linked_report_id, "finishedAt": le.iso(report.finished_at),
        "planningError": _planning_error(report),
        "actions": _action_lines(actions),
    }


def _planning_error(report: Report) -> str | None:
    """Why an event could not be planned (a ``failed`` report's summary), else None."""
    if report.disposition != "failed" or not report.summary:
        return None
    try:
        reason = json.loads(report.summary).get("planningError")
    except (ValueError, AttributeError):
        return None
    return reason if isinstance(reason, str) else None


def _actions_of(session: Any, report_ids: list[int]) -> dict[int, list[Action]]:
    out: dict[int, list[Action]] = {r: [] for r in report_ids}
    if report_ids:
        for action in session.scalars(select(Action).where(Action.report_id.in_(report_ids))):
            out[action.report_id].append(action)
    return out


def status_summary(store: Store) -> dict[str, Any]:
    """Everything ``sarguard responder status`` reports (JSON-ready)."""
    with store.read() as session:
        deliveries = session.execute(select(
            func.count(Delivery.id), func.coalesce(func.sum(Delivery.event_count), 0),
            func.coalesce(func.sum(Delivery.new_events), 0), func.max(Delivery.received_at))).one()
        by_origin = dict(_grouped(session, Report.origin))
        events_by_origin = dict(_grouped(session, Event.origin))
        by_disposition = dict(_grouped(session, Report.disposition))
        by_outcome = dict(_grouped(session, Report.outcome))
        by_kind: dict[str, dict[str, int]] = {}
        totals = dict.fromkeys(ACTION_STATUSES, 0)
        for kind, status, count in _grouped(session, Action.kind, Action.status):
            by_kind.setdefault(kind, {})[status] = count
            totals[status] = totals.get(status, 0) + count
        errors = session.scalars(select(Action).where(Action.last_error.is_not(None))
                                 .order_by(Action.updated_at.desc()).limit(LAST_ERRORS)).all()
        recent = session.scalars(select(Report).order_by(Report.id.desc()).limit(RECENT)).all()
        recent_actions = _actions_of(session, [r.id for r in recent])
        reconcile = session.get(ReconcileState, 1)
        responders = session.scalars(select(Responder).order_by(Responder.started_at.desc())
                                     .limit(20)).all()
        unplanned = session.scalar(select(func.count()).select_from(Event).where(
            Event.planned.is_(False))) or 0
        blocks = session.scalars(select(IpBlock).order_by(IpBlock.added_at.desc())
                                 .limit(100)).all()
    return {
        "database": store.shown,
        "deliveries": {"received": deliveries[0], "events": int(deliveries[1]),
                       "newEvents": int(deliveries[2]), "last": le.iso(deliveries[3])},
        "events": {"delivered": events_by_origin.get("delivery", 0),
                   "reconciled": events_by_origin.get("reconciled", 0),
                   "awaitingPlanning": unplanned},
        "reports": {"total": sum(by_origin.values()),
                    "byOrigin": {"delivery": by_origin.get("delivery", 0),
                                 "reconciled": by_origin.get("reconciled", 0)},
                    "byDisposition": by_disposition, "byOutcome": by_outcome},
        "actions": {**totals, "byKind": by_kind},
        "lastErrors": [{"reportId": a.report_id, "action": a.kind, "status": a.status,
                        "attempts": a.attempts, "error": a.last_error,
                        "at": le.iso(a.updated_at)} for a in errors],
        "reconcile": None if reconcile is None else {
            "searchedUntil": le.iso(reconcile.watermark), "lastRunAt": le.iso(reconcile.last_run_at),
            "lastFound": reconcile.last_found, "lastError": reconcile.last_error},
        "responders": [{"id": str(r.id), "host": r.host, "pid": r.pid,
                        "startedAt": le.iso(r.started_at), "heartbeatAt": le.iso(r.heartbeat_at),
                        "stoppedAt": le.iso(r.stopped_at)} for r in responders],
        "recent": [report_view(r, recent_actions[r.id]) for r in recent],
        "ipBlocks": [{"address": b.address, "zoneId": b.zone_id, "campaignId": b.campaign_id,
                      "addedAt": le.iso(b.added_at), "removedAt": le.iso(b.removed_at)}
                     for b in blocks],
    }


def responses_for(store: Store, event_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The response to each report event (by uuid) the store knows."""
    ids = sorted({e for e in event_ids if e})
    out: dict[str, dict[str, Any]] = {}
    with store.read() as session:
        for start in range(0, len(ids), 500):
            reports = session.scalars(select(Report).where(
                Report.event_uuid.in_(ids[start:start + 500]))).all()
            actions = _actions_of(session, [r.id for r in reports])
            for report in reports:
                out[report.event_uuid] = report_view(report, actions[report.id])
    return out




def waiting_reports(store: Store) -> int:
    """Reports whose response is not finished (for "N reports waiting")."""
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Report).where(
            Report.outcome == "pending")) or 0


def campaign_members(store: Store, campaign_id: int) -> dict[str, Any]:
    """One campaign and its reports (the campaign message and its digests are composed from it).
    ``listed_through``: the last report id a sent campaign message or digest listed, so a
    digest lists only the reports that came after."""
    from sarguard.responder.store.schema import Campaign

    with store.read() as session:
        campaign = session.get(Campaign, campaign_id)
        reports = session.scalars(select(Report).where(Report.campaign_id == campaign_id)
                                  .order_by(Report.published, Report.id)).all()
        members = []
        for report in reports:
            try:
                summary = json.loads(report.summary)
            except ValueError:
                summary = {}
            members.append({"reportId": report.id, "userId": report.user_id,
                            "login": report.login, "ip": summary.get("ip"),
                            "activity": summary.get("activityEventType"),
                            "time": report.published or report.received_at})
        listed = 0
        for payload in session.scalars(select(Action.payload).where(
                Action.kind == "notify", Action.status == "done",
                Action.options.like('%"campaignId": ' + str(int(campaign_id)) + ',%'))):
            try:
                listed = max(listed, int(json.loads(payload or "{}").get("through") or 0))
            except (ValueError, TypeError, AttributeError):
                continue
    return {"campaign_id": campaign_id, "network": campaign.net_key if campaign else "?",
            "first_at": campaign.first_at if campaign else None,
            "last_at": campaign.last_at if campaign else None, "members": members,
            "listed_through": listed}
