"""Record what arrived, in one transaction, before anything else happens.

A delivery becomes one ``deliveries`` row (the raw body) and one ``events`` row per event; an
event already stored (a redelivery, or found earlier by reconciliation) is skipped by the
database itself (``ON CONFLICT DO NOTHING`` on the uuid), so concurrent redeliveries to several
responders cannot both insert it. Nothing is decided here: planning runs after the answer.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sarguard.model import REPORT_EVENT
from sarguard.responder.store.engine import Store
from sarguard.responder.store.schema import Delivery, Event
from sarguard.systemlog import logevent as le

SAME_DELIVERY = "an earlier event of this delivery"
ROWS_PER_INSERT = 500  # well under SQLite's bound-parameter limit
# A delivered time is kept only if this far either side of it is still a date: the cooldown
# and the timeline do arithmetic on it (``9999-12-31T23:59:59Z`` + 15 minutes overflows).
TIME_MARGIN = timedelta(days=3660)


@dataclass(frozen=True)
class Ingested:
    delivery_id: int | None
    events: int
    new_events: int
    # uuid → what an event of this delivery that was not new duplicates ("delivery #12",
    # "reconciliation", "this delivery"), for the log
    duplicates: Mapping[str, str] = field(default_factory=dict)


def needs_planning(event: Mapping[str, Any]) -> bool:
    """Only report events (drills included) get a response; other types are just recorded."""
    return le.event_type(event) == REPORT_EVENT


def bounded_published(event: Mapping[str, Any]) -> datetime | None:
    """The event's ``published`` if arithmetic can hold on it, else None (the text stays in the
    stored body; planning then uses the receipt time)."""
    published = le.published(event)
    if published is None:
        return None
    try:
        (published - TIME_MARGIN).astimezone(UTC)
        (published + TIME_MARGIN).astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return published


def storable(text: str, limit: int) -> str:
    """``text`` as a column can hold it on both databases: at most ``limit`` characters, no NUL
    (PostgreSQL refuses it), no lone surrogate (not UTF-8)."""
    cut = text[:limit]
    if cut.isprintable():
        return cut
    return cut.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def event_row(event: Mapping[str, Any], *, origin: str, now: datetime,
              delivery_id: int | None) -> dict[str, Any]:
    actor = event.get("actor")
    actor_id = actor.get("id") if isinstance(actor, Mapping) else None
    return {
        "uuid": storable(str(event["uuid"]), 128),
        "delivery_id": delivery_id,
        "origin": origin,
        "received_at": now,
        "event_type": storable(le.event_type(event), 256),
        "published": bounded_published(event),
        "actor_id": storable(actor_id, 128) if isinstance(actor_id, str) else None,
        "body": json.dumps(event, separators=(",", ":"), sort_keys=True),
        "planned": not needs_planning(event),
    }


@functools.cache
def _insert_events(dialect_name: str) -> Any:
    """One compiled-once statement per dialect (a ``values([...])`` per batch size would be
    compiled again for every new size: most of an acknowledgement's time)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (dialect.insert(Event.__table__).on_conflict_do_nothing(index_elements=["uuid"])
            .returning(Event.__table__.c.uuid))


def insert_new_uuids(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Insert the rows whose uuid is new; returns those uuids."""
    # In uuid order: two transactions inserting overlapping events (two writer threads, or two
    # responders) then wait for each other's rows in the same order and cannot deadlock.
    unique = sorted({row["uuid"]: row for row in rows}.values(), key=lambda row: row["uuid"])
    connection = session.connection()
    statement = _insert_events(connection.dialect.name)
    inserted: list[str] = []
    for start in range(0, len(unique), ROWS_PER_INSERT):
        chunk = unique[start:start + ROWS_PER_INSERT]
        inserted += [r[0] for r in connection.execute(statement, chunk).all()]
    return inserted


def insert_new_events(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose uuid is new; returns how many were."""
    return len(insert_new_uuids(session, rows))


@dataclass(frozen=True)
class Arrived:
    """One accepted delivery, as the app hands it over."""

    body: str
    event_id: str | None
    source: str | None
    events: tuple[Mapping[str, Any], ...]


@functools.cache
def _insert_deliveries() -> Any:
    """All the batch's deliveries in one statement (SQLAlchemy's "insertmanyvalues": one round
    trip on PostgreSQL, not one per delivery), their ids returned in the order given."""
    table = Delivery.__table__
    return table.insert().returning(table.c.id, sort_by_parameter_order=True)


@functools.cache
def _count_new() -> Any:
    """Each delivery's count of new events, as one ``executemany`` (psycopg pipelines it)."""
    table = Delivery.__table__
    return (table.update().where(table.c.id == bindparam("delivery"))
            .values(new_events=bindparam("count")))


def ingest_deliveries(store: Store, batch: Sequence[Arrived], now: datetime) -> list[Ingested]:
    """Store several deliveries in one transaction (one commit, one fsync): each raw, and the
    events new to the store, attributed to the first delivery of the batch that carried them.

    Four statements whatever the batch's size (the deliveries, the events, the events that were
    already stored when there are any, the counts): an acknowledgement waits for every round
    trip of its batch."""
    with store.write(urgent=True) as session:
        connection = session.connection()
        ids: list[int] = list(connection.execute(_insert_deliveries(), [
            {"received_at": now, "event_id": storable(item.event_id or "", 128) or None,
             "source": storable(item.source or "", 512) or None, "event_count": len(item.events),
             "new_events": 0, "body": item.body} for item in batch]).scalars())
        rows: list[dict[str, Any]] = []
        owner: dict[str, int] = {}
        repeats: dict[int, dict[str, str]] = {}
        for delivery_id, item in zip(ids, batch, strict=True):
            for event in item.events:
                row = event_row(event, origin="delivery", now=now, delivery_id=delivery_id)
                if row["uuid"] not in owner:
                    owner[row["uuid"]] = delivery_id
                    rows.append(row)
                else:
                    first = owner[row["uuid"]]
                    repeats.setdefault(delivery_id, {})[row["uuid"]] = (
                        SAME_DELIVERY if first == delivery_id else f"delivery #{first}")
        inserted = insert_new_uuids(session, rows)
        new = Counter(owner[uuid] for uuid in inserted)
        _describe_stored(session, set(owner) - set(inserted), owner, repeats)
        if new:
            connection.execute(_count_new(), [{"delivery": d, "count": n}
                                              for d, n in new.items()])
    return [Ingested(d, len(item.events), new.get(d, 0), repeats.get(d, {}))
            for d, item in zip(ids, batch, strict=True)]


def _describe_stored(session: Session, uuids: set[str], owner: Mapping[str, int],
                     repeats: dict[int, dict[str, str]]) -> None:
    """For events already in the store: which delivery (or reconciliation) brought them."""
    if not uuids:
        return
    table, ordered = Event.__table__, sorted(uuids)
    rows: list[Any] = []
    for start in range(0, len(ordered), ROWS_PER_INSERT):
        rows += session.connection().execute(
            select(table.c.uuid, table.c.delivery_id, table.c.origin).where(
                table.c.uuid.in_(ordered[start:start + ROWS_PER_INSERT]))).all()
    for uuid, delivery_id, origin in rows:
        repeats.setdefault(owner[uuid], {})[uuid] = (
            f"delivery #{delivery_id}" if delivery_id is not None else origin)


def ingest_delivery(store: Store, *, body: str, event_id: str | None, source: str | None,
                    events: Iterable[Mapping[str, Any]], now: datetime) -> Ingested:
    """Store one accepted delivery (raw) and its new events, in one transaction."""
    return ingest_deliveries(store, [Arrived(body, event_id, source, tuple(events))], now)[0]


def ingest_reconciled(store: Store, events: Iterable[Mapping[str, Any]], now: datetime) -> int:
    """Store report events found in the System Log that no delivery brought; returns the new."""
    rows = [event_row(e, origin="reconciled", now=now, delivery_id=None) for e in events
            if isinstance(e.get("uuid"), str) and e["uuid"]]
    if not rows:
        return 0
    with store.write() as session:
        return insert_new_events(session, rows)
