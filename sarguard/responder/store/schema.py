"""The tables, as SQLAlchemy 2 models. Alembic's migrations (``migrations/versions``) create
them; this module is what the code reads and writes through.

Why the shapes: ``events.uuid`` is the primary key, so a redelivered event is a no-op insert;
every action of every report is a row with its status, attempts, last error, timestamps and
(for the at-most-once actions) the intent recorded before Okta is called, so a restart knows
exactly what is left and what may already have happened.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# An auto-incrementing 64-bit key on PostgreSQL; SQLite only auto-increments INTEGER keys.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on both databases (SQLite keeps no
    time zone, so it stores naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; expected an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Delivery(Base):
    """One POST Okta made that the responder accepted, raw."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event_id: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str | None] = mapped_column(String(512))
    event_count: Mapped[int] = mapped_column(Integer)
    new_events: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


class Event(Base):
    """One System Log event, whichever way it arrived; unique on Okta's ``uuid``."""

    __tablename__ = "events"
    uuid: Mapped[str] = mapped_column(String(128), primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    origin: Mapped[str] = mapped_column(String(16))  # delivery | reconciled
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event_type: Mapped[str] = mapped_column(String(256))
    published: Mapped[datetime | None] = mapped_column(UtcDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    planned: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class Report(Base):
    """A suspicious-activity report (or a drill) and what the responder decided for it."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    event_uuid: Mapped[str] = mapped_column(ForeignKey("events.uuid"), unique=True)
    origin: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str | None] = mapped_column(String(128), index=True)
    login: Mapped[str | None] = mapped_column(String(512))
    published: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # respond | drill | excluded | cooldown | noUser
    disposition: Mapped[str] = mapped_column(String(16))
    # pending | done | partial | failed | unknownUser | recorded
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    # The user's Okta status as the response last saw it; UNKNOWN when Okta answered 404.
    user_status: Mapped[str | None] = mapped_column(String(32))
    linked_report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    summary: Mapped[str] = mapped_column(Text)  # JSON: what the user reported
    # The reported IP's network (/24 IPv4, /48 IPv6) and the campaign it joined (migration 0003).
    net_key: Mapped[str | None] = mapped_column(String(64), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)


class Action(Base):
    """One step of one report's response: the queue's unit of work."""

    __tablename__ = "actions"
    __table_args__ = (
        UniqueConstraint("report_id", "seq", name="uq_actions_report_seq"),
        Index("ix_actions_claim", "status", "due_at"),
        Index("ix_actions_claim_priority", "status", "priority", "due_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    options: Mapped[str] = mapped_column(Text)  # JSON
    # waiting | pending | running | done | skipped | failed
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    give_up_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set (and committed) before an at-most-once call to Okta; a retry or a restart that finds
    # it without a result reads the user's status before calling again.
    intent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    owner: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[str | None] = mapped_column(Text)  # notify: the message and its progress
    # 0: containment (session clears, first notifications), claimed before everything else.
    priority: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class Campaign(Base):
    """Reports from many users sharing one network inside ``campaign.window``: one incident."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    net_key: Mapped[str] = mapped_column(String(64), index=True)
    first_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)
    announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    digest_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class IpBlock(Base):
    """An address the responder added to an Okta IP block-list zone (``campaign.blockIp``);
    ``removed_at`` once ``sarguard responder unblock`` took it out again."""

    __tablename__ = "ip_blocks"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    zone_id: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)  # CIDR: a /32 or /128
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ZoneLock(Base):
    """A lease per zone: a PUT replaces the whole zone, so one responder edits it at a time."""

    __tablename__ = "zone_locks"
    zone_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[int | None] = mapped_column(BigInteger)
    until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Responder(Base):
    """A responder process that has served this store (its id owns the actions it runs)."""

    __tablename__ = "responders"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    host: Mapped[str] = mapped_column(String(256))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserLock(Base):
    """One row per reported user: planning locks it, so the cooldown holds across processes."""

    __tablename__ = "user_locks"
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)


class ReconcileState(Base):
    """How far the System Log has been searched for reports the hook did not deliver."""

    __tablename__ = "reconcile_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    watermark: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[int | None] = mapped_column(BigInteger)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_found: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
