"""Turn recorded report events into reports and their queued actions (after the 204).

For each report event, in one transaction with the event marked planned: a drill is recorded
and never acted on; a report naming no usable user id is recorded and notified; an excluded
user is recorded and notified, never acted on; a second report for a user inside the cooldown
is recorded and linked to the one that was answered; anything else gets one action row per
declared action, in order (dry run: the Okta ones recorded as skipped with what they would do).

Why a lock row per user: two responders on PostgreSQL may plan two reports for the same user at
the same moment; locking ``user_locks`` (in user-id order, so no deadlock) makes the cooldown
decision one at a time per user.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sarguard.eventhooks import is_drill
from sarguard.responder.config import NOTIFY, ResponderConfig
from sarguard.responder.exclusions import exclusion_reason
from sarguard.responder.store import flow
from sarguard.responder.store.campaign import join_campaign
from sarguard.responder.store.engine import Store
from sarguard.responder.store.repeats import network_key, repeat_rows
from sarguard.responder.store.schema import Action, Event, Report, UserLock
from sarguard.systemlog.evidence import summarize_report
from sarguard.systemlog.filters import FilterError, validate_user_id

PLAN_BATCH = 20  # short write transactions: a delivery never waits long behind one


def report_user(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The reporting user's id (only a well-formed Okta id) and login, from the actor."""
    actor = event.get("actor")
    if not isinstance(actor, Mapping):
        return None, None
    login = actor.get("alternateId") if isinstance(actor.get("alternateId"), str) else None
    raw = actor.get("id")
    try:
        user_id = validate_user_id(raw) if isinstance(raw, str) else None
    except FilterError:
        user_id = None
    return user_id, login


def _lock_users(session: Session, user_ids: list[str]) -> None:
    if not user_ids:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(UserLock).values([{"user_id": u} for u in user_ids])
                    .on_conflict_do_nothing(index_elements=["user_id"]))
    session.execute(select(UserLock.user_id).where(UserLock.user_id.in_(user_ids))
                    .order_by(UserLock.user_id).with_for_update())


def _answered_within(session: Session, user_id: str, published: datetime,
                     cooldown: timedelta) -> Report | None:
    """The report this user's response already answered inside the cooldown, if any."""
    if cooldown <= timedelta(0):
        return None
    return session.scalars(
        select(Report).where(and_(
            Report.user_id == user_id,
            Report.disposition == "respond",
            Report.published > published - cooldown,
            Report.published < published + cooldown,
        )).order_by(Report.published).limit(1)
    ).first()


def _action_rows(report: Report, config: ResponderConfig, now: datetime, *,
                 okta_skip: str | None) -> list[Action]:
    return flow.action_rows(report, config, now, okta_skip=okta_skip)


def _plan_one(session: Session, event: Event, body: Mapping[str, Any],
              config: ResponderConfig, now: datetime) -> Report:
    user_id, login = report_user(body)
    summary = summarize_report(body).to_dict()
    report = Report(event_uuid=event.uuid, origin=event.origin, user_id=user_id, login=login,
                    published=event.published or event.received_at, received_at=event.received_at,
                    disposition="respond", outcome="pending", dry_run=config.dry_run,
                    summary=json.dumps(summary, sort_keys=True))
    okta_skip: str | None = None
    notify_only = False
    if is_drill(body):
        report.disposition, report.outcome = "drill", "recorded"
    elif user_id is None:
        report.disposition = "noUser"
        okta_skip = "skipped: the report names no usable Okta user id"
        notify_only = True
    elif (why := exclusion_reason(user_id, login, config)) is not None:
        report.disposition = "excluded"
        okta_skip = f"skipped: {why}"
        notify_only = True
    elif (earlier := _answered_within(session, user_id, report.published, config.cooldown)):
        report.disposition, report.outcome = "cooldown", "recorded"
        report.linked_report_id = earlier.id
    report.net_key = network_key(summary.get("ip"))
    session.add(report)
    session.flush()
    if report.disposition == "cooldown" and earlier is not None:
        told = repeat_rows(session, report, earlier, config, now)
        if told:
            report.outcome = "pending"
            session.add_all(told)
            return report
    if report.disposition in ("respond", "excluded", "noUser"):
        rows = _action_rows(report, config, now, okta_skip=okta_skip)
        if notify_only and not any(r.kind == NOTIFY for r in rows):
            report.outcome = "recorded"
        session.add_all(rows)
        session.flush()
        rows += join_campaign(session, report, config, now)
        session.add_all(rows)
        if not any(r.status == "pending" for r in rows):
            report.outcome = "done" if report.outcome == "pending" else report.outcome
            report.finished_at = now
    else:
        report.finished_at = now
    return report


def plan_pending(store: Store, config: ResponderConfig, now: datetime,
                 limit: int = PLAN_BATCH) -> int:
    """Plan up to ``limit`` recorded events; returns how many were planned."""
    with store.write() as session:
        query = select(Event).where(Event.planned.is_(False)).order_by(Event.received_at,
                                                                        Event.uuid).limit(limit)
        if not store.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        events = list(session.scalars(query))
        if not events:
            return 0
        bodies = {e.uuid: json.loads(e.body) for e in events}
        _lock_users(session, sorted({u for u in (report_user(b)[0] for b in bodies.values()) if u}))
        for event in sorted(events, key=lambda e: (e.published or e.received_at, e.uuid)):
            if session.scalar(select(Report.id).where(Report.event_uuid == event.uuid)) is None:
                _plan_one(session, event, bodies[event.uuid], config, now)
            event.planned = True
        return len(events)
