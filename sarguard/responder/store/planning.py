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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.orm import Session

from sarguard.eventhooks import is_drill
from sarguard.responder.config import NOTIFY, ResponderConfig
from sarguard.responder.exclusions import exclusion_reason
from sarguard.responder.store import flow
from sarguard.responder.store.campaign import join_campaign
from sarguard.responder.store.engine import Store
from sarguard.responder.store.ingest import storable
from sarguard.responder.store.repeats import network_key, repeat_rows
from sarguard.responder.store.schema import Action, Event, Report, UserLock
from sarguard.systemlog.evidence import summarize_report
from sarguard.systemlog.filters import FilterError, validate_user_id
from sarguard.util.redaction import redact

FAILED = "failed"
MAX_REASON = 500
PLAN_BATCH = 20  # short write transactions: a delivery never waits long behind one


def report_user(event: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The reporting user's id (only a well-formed Okta id) and login, from the actor."""
    actor = event.get("actor")
    if not isinstance(actor, Mapping):
        return None, None
    login = actor.get("alternateId") if isinstance(actor.get("alternateId"), str) else None
    login = storable(login, 512) if login is not None else None  # as the column can hold it
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


def _shifted(when: datetime, delta: timedelta) -> datetime:
    """``when + delta``, held at the calendar's ends instead of overflowing."""
    try:
        return when + delta
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if delta > timedelta(0) else (
            datetime.min.replace(tzinfo=UTC))


def _answered_within(session: Session, user_id: str, published: datetime,
                     cooldown: timedelta) -> Report | None:
    """The report this user's response already answered inside the cooldown, if any."""
    if cooldown <= timedelta(0):
        return None
    return session.scalars(
        select(Report).where(and_(
            Report.user_id == user_id,
            Report.disposition == "respond",
            Report.published > _shifted(published, -cooldown),
            Report.published < _shifted(published, cooldown),
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


def _failed_report(session: Session, event: Event, reason: str, config: ResponderConfig,
                   now: datetime) -> Report:
    """An event that could not be planned: a report that says so (``disposition`` and
    ``outcome`` ``failed``, the reason in its summary) and, when the response notifies, a
    notify row (options ``purpose: planFailed``) so the SOC hears of it like any give-up."""
    report = Report(event_uuid=event.uuid, origin=event.origin, user_id=None, login=None,
                    published=event.received_at, received_at=event.received_at,
                    disposition=FAILED, outcome=FAILED, dry_run=config.dry_run,
                    summary=json.dumps({"planningError": reason}), finished_at=now)
    session.add(report)
    session.flush()
    spec = next((a for a in config.actions if a.kind == NOTIFY), None)
    if spec is not None:
        session.add(Action(
            report_id=report.id, seq=0, kind=NOTIFY,
            options=json.dumps({"purpose": "planFailed", "error": reason}, sort_keys=True),
            status="pending", attempts=0, created_at=now, updated_at=now, due_at=now,
            give_up_at=now + config.give_up_after))
    return report


def failure_reason(exc: BaseException) -> str:
    """One redacted line for a failure: the exception's type and message (bounded)."""
    detail = redact(str(exc)).strip().splitlines()
    text = type(exc).__name__ + (f": {detail[0]}" if detail and detail[0] else "")
    return text[:MAX_REASON]


@dataclass(frozen=True)
class Planned:
    """What one planning pass did: how many events it took, and each outcome (for the log)."""

    count: int
    outcomes: tuple[tuple[str, str, str | None, int | None], ...] = ()  # uuid, disposition,
    # reason (failed) or the linked report (cooldown) as text, report id
    failures: tuple[tuple[str, str], ...] = ()  # (uuid, exception type) of failed events

    def __bool__(self) -> bool:
        return self.count > 0


def plan_pending(store: Store, config: ResponderConfig, now: datetime,
                 limit: int = PLAN_BATCH) -> int:
    """Plan up to ``limit`` recorded events; returns how many were taken."""
    return plan_batch(store, config, now, limit).count


def plan_batch(store: Store, config: ResponderConfig, now: datetime,
               limit: int = PLAN_BATCH) -> Planned:
    """Plan up to ``limit`` recorded events; each in isolation (a savepoint): an event whose
    planning raises, whatever the exception, becomes a ``failed`` report and the rest of the
    batch goes on, so one hostile event never stalls the ones after it."""
    outcomes: list[tuple[str, str, str | None, int | None]] = []
    failures: list[tuple[str, str]] = []
    with store.write() as session:
        query = select(Event).where(Event.planned.is_(False)).order_by(Event.received_at,
                                                                        Event.uuid).limit(limit)
        if not store.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        events = list(session.scalars(query))
        if not events:
            return Planned(0)
        bodies: dict[str, Any] = {}
        for e in events:
            try:
                bodies[e.uuid] = json.loads(e.body)
            except (ValueError, RecursionError):
                bodies[e.uuid] = None
        users = {u for u in (report_user(b)[0] for b in bodies.values() if isinstance(b, Mapping))
                 if u}
        _lock_users(session, sorted(users))
        for event in sorted(events, key=lambda e: (e.published or e.received_at, e.uuid)):
            if session.scalar(select(Report.id).where(Report.event_uuid == event.uuid)) is None:
                outcomes.append(_plan_isolated(session, event, bodies[event.uuid], config, now,
                                               failures))
            event.planned = True
        return Planned(len(events), tuple(outcomes), tuple(failures))


def _plan_isolated(session: Session, event: Event, body: Any, config: ResponderConfig,
                   now: datetime, failures: list[tuple[str, str]]
                   ) -> tuple[str, str, str | None, int | None]:
    try:
        with session.begin_nested():
            if not isinstance(body, Mapping):
                raise TypeError("the stored event is not a JSON object")
            report = _plan_one(session, event, body, config, now)
            session.flush()
        linked = str(report.linked_report_id) if report.linked_report_id else None
        return event.uuid, report.disposition, linked, report.id
    except SQLAlchemyError as exc:
        if not _is_data_error(exc):
            raise  # the store itself failed: the whole pass is retried
        error: BaseException = exc
    except Exception as exc:  # noqa: BLE001 - any bug or hostile value fails this event alone
        error = exc
    reason = failure_reason(error)
    failures.append((event.uuid, type(error).__name__))
    with session.begin_nested():
        report = _failed_report(session, event, reason, config, now)
    return event.uuid, FAILED, reason, report.id


def _is_data_error(exc: SQLAlchemyError) -> bool:
    """A value the database refused (too long, out of range), not a store that is down."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    # Raised while binding a value (our own processing), not by the database.
    return isinstance(exc, StatementError) and not isinstance(exc, DBAPIError)
