"""The store as a queue: claim an action, record an intent, finish it, recover orphans.

Claiming marks the action ``running`` under this process's id and commits, so ``responder
status`` shows work in flight. On PostgreSQL the claim is ``SELECT … FOR UPDATE SKIP LOCKED``:
several responders never claim the same row. A process that dies leaves its rows ``running``;
they go back to ``pending`` once the owner is known dead (SQLite: the serve lock says every
other owner is; PostgreSQL: each responder holds a session advisory lock on its id for its
whole life, released by the server when its connection drops, ``kill -9`` included).

Finishing is fenced on the owner: a row reclaimed from a process presumed dead cannot be
overwritten by it later.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from sarguard.responder.config import OKTA_ACTIONS
from sarguard.responder.store import flow
from sarguard.responder.store.engine import Store
from sarguard.responder.store.liveness import owner_is_dead
from sarguard.responder.store.schema import Action, Event, Report, Responder

TERMINAL = ("done", "skipped", "failed")
# Claim session clears and first notifications (priority 0) for every waiting report before any
# slower step. False restores the order before issue 20 (due time, then id): the benchmark's
# baseline, nothing else.
CONTAINMENT_FIRST = True
# How long a recovered at-most-once action waits before reading the user's status: a request
# the dead process had sent may still be being carried out by Okta.
RECOVERY_SETTLE = timedelta(seconds=5)


def new_owner_id() -> int:
    """A random positive 63-bit id (fits BIGINT and PostgreSQL's advisory lock keys)."""
    return secrets.randbits(62) + 1


@dataclass(frozen=True)
class Claimed:
    """A claimed action and what executing it needs (a snapshot: no session attached)."""

    id: int
    report_id: int
    kind: str
    options: Mapping[str, Any]
    attempts: int
    intent_recorded: bool  # an earlier attempt may have reached Okta
    give_up_at: datetime
    payload: Mapping[str, Any] | None
    last_error: str | None
    user_id: str | None
    login: str | None
    user_status: str | None
    disposition: str
    origin: str
    dry_run: bool
    event: Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    """How an attempt ended: ``done``/``skipped``/``failed`` (final) or ``retry`` at ``due``."""

    status: str
    result: str | None = None
    error: str | None = None
    due: datetime | None = None
    user_status: str | None = None  # what Okta said the user's status is now
    unknown_user: bool = False
    payload: Mapping[str, Any] | None = None
    refused: str | None = None  # Okta refused the credential (401, 403 naming a scope): why


def register_responder(store: Store, owner: int, now: datetime) -> None:
    with store.write() as session:
        session.add(Responder(id=owner, host=socket.gethostname()[:256], pid=os.getpid(),
                              started_at=now, heartbeat_at=now))


def heartbeat(store: Store, owner: int, now: datetime, *, stopped: bool = False) -> None:
    values: dict[str, Any] = {"heartbeat_at": now}
    if stopped:
        values["stopped_at"] = now
    with store.write() as session:
        session.execute(update(Responder).where(Responder.id == owner).values(**values))


def _requeue(session: Session, condition: Any, now: datetime) -> int:
    """Put claimed rows back in the queue. One whose at-most-once call may still be in flight
    (an intent, no result) waits :data:`RECOVERY_SETTLE` first, so the user's status it then
    reads already shows what that call did."""
    moved = 0
    for has_intent, due in ((False, now), (True, now + RECOVERY_SETTLE)):
        intent = Action.intent_at.is_not(None) if has_intent else Action.intent_at.is_(None)
        result = session.execute(update(Action).where(and_(condition, intent)).values(
            status="pending", owner=None, due_at=due, updated_at=now))
        moved += result.rowcount or 0
    return moved


def reclaim_orphans(store: Store, me: int, now: datetime) -> int:
    """Put actions left ``running`` by dead processes back in the queue; returns how many."""
    with store.write() as session:
        owners = session.scalars(select(Action.owner).where(and_(
            Action.status == "running", Action.owner != me)).distinct()).all()
        dead = [o for o in owners if o is not None and (store.is_sqlite or owner_is_dead(session, o))]
        if not dead:
            return 0
        return _requeue(session, and_(Action.status == "running", Action.owner.in_(dead)), now)


def release_mine(store: Store, me: int, now: datetime) -> int:
    """On shutdown: this process's unfinished claims go back to the queue (an at-most-once
    action with a recorded intent is checked against the user's status when next claimed)."""
    with store.write() as session:
        return _requeue(session, and_(Action.status == "running", Action.owner == me), now)


def claim_next(store: Store, me: int, now: datetime, *, kind: str | None = None) -> Claimed | None:
    """Claim the next due action (of ``kind`` only, when given), or None when nothing is due."""
    with store.write() as session:
        order = ((Action.priority, Action.due_at, Action.id) if CONTAINMENT_FIRST
                 else (Action.due_at, Action.id))
        due = and_(Action.status == "pending", Action.due_at <= now)
        if kind is not None:
            due = and_(due, Action.kind == kind)
        query = select(Action).where(due).order_by(*order).limit(1)
        if not store.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        action = session.scalars(query).first()
        if action is None:
            return None
        action.status, action.owner = "running", me
        action.attempts += 1
        action.started_at = action.started_at or now
        action.updated_at = now
        report = session.get(Report, action.report_id)
        assert report is not None
        event = session.get(Event, report.event_uuid)
        return Claimed(
            id=action.id, report_id=report.id, kind=action.kind,
            options=json.loads(action.options), attempts=action.attempts,
            intent_recorded=action.intent_at is not None, give_up_at=action.give_up_at,
            payload=json.loads(action.payload) if action.payload else None,
            last_error=action.last_error, user_id=report.user_id, login=report.login,
            user_status=report.user_status, disposition=report.disposition,
            origin=report.origin, dry_run=report.dry_run, event=json.loads(event.body) if event else {},
        )


def next_due(store: Store) -> datetime | None:
    """When the earliest pending action falls due (to sleep until then)."""
    with store.read() as session:
        return session.scalar(select(func.min(Action.due_at)).where(Action.status == "pending"))


def record_intent(store: Store, action_id: int, me: int, now: datetime) -> bool:
    """Commit "about to call Okta" for an at-most-once action; False if no longer ours."""
    with store.write() as session:
        result = session.execute(
            update(Action).where(and_(Action.id == action_id, Action.owner == me,
                                      Action.status == "running"))
            .values(intent_at=now, updated_at=now))
        return (result.rowcount or 0) == 1


def save_payload(store: Store, action_id: int, me: int, payload: Mapping[str, Any],
                 now: datetime) -> bool:
    """Keep a notification's message and which targets have it (so a retry resends the rest)."""
    with store.write() as session:
        result = session.execute(
            update(Action).where(and_(Action.id == action_id, Action.owner == me,
                                      Action.status == "running"))
            .values(payload=json.dumps(payload, sort_keys=True), updated_at=now))
        return (result.rowcount or 0) == 1


def finish(store: Store, action_id: int, me: int, outcome: Outcome, now: datetime) -> bool:
    """Record an attempt's outcome and move the report along; False if the row is not ours."""
    with store.write() as session:
        action = session.get(Action, action_id, with_for_update=not store.is_sqlite)
        if action is None or action.owner != me or action.status != "running":
            return False
        # The report row is locked too: two of its actions finishing at once would each see
        # the other still running (PostgreSQL's READ COMMITTED) and neither would close it.
        # Finishes take the action's lock before its report's; the planner can still meet this
        # transaction over a report's event in the other order, and PostgreSQL then aborts
        # one side: the caller records the outcome again (``Runtime._record``).
        report = session.get(Report, action.report_id, with_for_update=not store.is_sqlite)
        assert report is not None
        action.updated_at = now
        if outcome.payload is not None:
            action.payload = json.dumps(outcome.payload, sort_keys=True)
        if outcome.error is not None:
            action.last_error = outcome.error[:2000]
        if outcome.user_status is not None:
            report.user_status = outcome.user_status
        if outcome.status == "retry":
            action.status, action.owner = "pending", None
            action.due_at = outcome.due or now
            return True
        action.status, action.result, action.finished_at = outcome.status, outcome.result, now
        rows = list(session.scalars(select(Action).where(Action.report_id == report.id)))
        if outcome.unknown_user:
            report.user_status = "UNKNOWN"
            for other in rows:
                if other.kind in OKTA_ACTIONS and other.status == "waiting":
                    other.status, other.finished_at, other.updated_at = "skipped", now, now
                    other.result = "skipped: Okta does not know this user"
        if action.kind in OKTA_ACTIONS:
            session.add_all(flow.follow_ups(report, rows, action, now))
        elif flow.purpose_of(json.loads(action.options)) == flow.FIRST:
            flow.release_follow_ups(rows, now)
        _close_report(session, report, now)
        return True


def _close_report(session: Session, report: Report, now: datetime) -> None:
    session.flush()
    actions = list(session.scalars(select(Action).where(Action.report_id == report.id)))
    if any(a.status not in TERMINAL for a in actions):
        return
    okta = [a for a in actions if a.kind in OKTA_ACTIONS]
    failed = [a for a in actions if a.status == "failed"]
    if report.disposition == "cooldown":
        report.outcome = "recorded"
    elif report.user_status == "UNKNOWN":
        report.outcome = "unknownUser"
    elif not failed:
        report.outcome = "done"
    elif any(a.status == "done" for a in okta):
        report.outcome = "partial"
    else:
        report.outcome = "failed"
    report.finished_at = now


def report_actions(store: Store, report_id: int) -> list[tuple[int, str, str, str | None, str | None]]:
    """``(seq, kind, status, result, last_error)`` of every action of a report, in order."""
    with store.read() as session:
        rows = session.execute(select(Action.seq, Action.kind, Action.status, Action.result,
                                      Action.last_error)
                               .where(Action.report_id == report_id).order_by(Action.seq))
        return [tuple(r) for r in rows]  # type: ignore[misc]
