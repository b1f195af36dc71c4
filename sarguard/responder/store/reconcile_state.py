"""Where reconciliation has searched up to, and who may search next (a lease, so several
responders on PostgreSQL do not all query the System Log for the same window)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, update
from sqlalchemy.dialects import postgresql, sqlite

from sarguard.responder.store.engine import Store
from sarguard.responder.store.liveness import owner_is_dead
from sarguard.responder.store.schema import ReconcileState

STATE_ID = 1


def ensure_state(store: Store, now: datetime) -> None:
    """Start the watermark at the first serve: reports from before the responder existed are
    not its business (answering them now would reset passwords for old clicks)."""
    with store.write() as session:
        dialect = postgresql if not store.is_sqlite else sqlite
        session.execute(dialect.insert(ReconcileState).values(
            id=STATE_ID, watermark=now, last_found=0).on_conflict_do_nothing(index_elements=["id"]))


def take_lease(store: Store, me: int, now: datetime, hold: timedelta) -> datetime | None:
    """The watermark when this process may reconcile now, else None.

    A lease held by a process that has died is taken over at once: on SQLite every other owner
    is dead (one serving process per file), on PostgreSQL an owner whose advisory lock is free.
    """
    with store.write() as session:
        state = session.get(ReconcileState, STATE_ID, with_for_update=not store.is_sqlite)
        if state is None:
            return None
        holder = state.lease_owner
        free = (holder is None or holder == me or state.lease_until is None
                or state.lease_until < now or store.is_sqlite
                or owner_is_dead(session, holder))
        if not free:
            return None
        state.lease_owner, state.lease_until = me, now + hold
        return state.watermark


def release_lease(store: Store, me: int, now: datetime, *, watermark: datetime | None,
                  found: int, error: str | None) -> None:
    values: dict[str, object] = {"lease_owner": None, "lease_until": None, "last_run_at": now,
                                 "last_error": error}
    if watermark is not None:
        values["watermark"] = watermark
        values["last_found"] = found
    with store.write() as session:
        session.execute(update(ReconcileState).where(and_(
            ReconcileState.id == STATE_ID, ReconcileState.lease_owner == me)).values(**values))
