"""Where reconciliation has searched up to, and who may search next (a lease, so several
responders on PostgreSQL do not all query the System Log for the same window)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from sarguard.responder.store.engine import Store
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
    """The watermark when this process may reconcile now, else None."""
    with store.write() as session:
        result = session.execute(
            update(ReconcileState).where(and_(
                ReconcileState.id == STATE_ID,
                or_(ReconcileState.lease_until.is_(None), ReconcileState.lease_until < now,
                    ReconcileState.lease_owner == me)))
            .values(lease_owner=me, lease_until=now + hold))
        if (result.rowcount or 0) != 1:
            return None
        state = session.get(ReconcileState, STATE_ID)
        return state.watermark if state else None


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
