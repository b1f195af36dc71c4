"""Record what arrived, in one transaction, before anything else happens.

A delivery becomes one ``deliveries`` row (the raw body) and one ``events`` row per event; an
event already stored (a redelivery, or found earlier by reconciliation) is skipped by the
database itself (``ON CONFLICT DO NOTHING`` on the uuid), so concurrent redeliveries to several
responders cannot both insert it. Nothing is decided here: planning runs after the answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sarguard.model import REPORT_EVENT
from sarguard.responder.store.engine import Store
from sarguard.responder.store.schema import Delivery, Event
from sarguard.systemlog import logevent as le

ROWS_PER_INSERT = 500  # well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Ingested:
    delivery_id: int | None
    events: int
    new_events: int


def needs_planning(event: Mapping[str, Any]) -> bool:
    """Only report events (drills included) get a response; other types are just recorded."""
    return le.event_type(event) == REPORT_EVENT


def event_row(event: Mapping[str, Any], *, origin: str, now: datetime,
              delivery_id: int | None) -> dict[str, Any]:
    actor = event.get("actor")
    actor_id = actor.get("id") if isinstance(actor, Mapping) else None
    return {
        "uuid": str(event["uuid"]),
        "delivery_id": delivery_id,
        "origin": origin,
        "received_at": now,
        "event_type": le.event_type(event)[:256],
        "published": le.published(event),
        "actor_id": actor_id[:128] if isinstance(actor_id, str) else None,
        "body": json.dumps(event, separators=(",", ":"), sort_keys=True),
        "planned": not needs_planning(event),
    }


def insert_new_events(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose uuid is new; returns how many were."""
    unique = list({row["uuid"]: row for row in rows}.values())
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = 0
    for start in range(0, len(unique), ROWS_PER_INSERT):
        chunk = unique[start:start + ROWS_PER_INSERT]
        statement = (dialect.insert(Event).values(chunk)
                     .on_conflict_do_nothing(index_elements=["uuid"]).returning(Event.uuid))
        inserted += len(session.execute(statement).all())
    return inserted


def ingest_delivery(store: Store, *, body: str, event_id: str | None, source: str | None,
                    events: Iterable[Mapping[str, Any]], now: datetime) -> Ingested:
    """Store one accepted delivery (raw) and its new events, in one transaction."""
    events = list(events)
    with store.write() as session:
        delivery = Delivery(received_at=now, event_id=(event_id or "")[:128] or None,
                            source=(source or "")[:512] or None,
                            event_count=len(events), new_events=0, body=body)
        session.add(delivery)
        session.flush()
        rows = [event_row(e, origin="delivery", now=now, delivery_id=delivery.id) for e in events]
        delivery.new_events = insert_new_events(session, rows)
        return Ingested(delivery.id, len(events), delivery.new_events)


def ingest_reconciled(store: Store, events: Iterable[Mapping[str, Any]], now: datetime) -> int:
    """Store report events found in the System Log that no delivery brought; returns the new."""
    rows = [event_row(e, origin="reconciled", now=now, delivery_id=None) for e in events
            if isinstance(e.get("uuid"), str) and e["uuid"]]
    if not rows:
        return 0
    with store.write() as session:
        return insert_new_events(session, rows)
