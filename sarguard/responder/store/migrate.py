"""Schema migrations with Alembic, run programmatically (no alembic.ini to ship or find).

``serve`` upgrades the store to the newest revision before it accepts a delivery; on PostgreSQL
an advisory lock makes several responders starting together migrate one at a time. Readers
check the revision instead of changing anything: they must work while a responder serves.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from sarguard.responder.store.engine import MIGRATION_LOCK_KEY, Store, StoreError

SCRIPT_LOCATION = "sarguard.responder.store:migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(store: Store) -> str | None:
    with store.reader.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: Store) -> None:
    """Bring the store to the newest schema (idempotent)."""
    config = alembic_config()
    with store.writer.connect() as conn:
        if not store.is_sqlite:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
        try:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
        finally:
            if not store.is_sqlite:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()


def check_readable(store: Store) -> None:
    """Raise :class:`StoreError` unless the store is at this version's schema."""
    current = current_revision(store)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise StoreError(f"{store.shown} is not a responder database (no schema revision); "
                         "`sarguard responder serve` creates it")
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current in known:
        raise StoreError(f"{store.shown} has schema revision {current}, older than this "
                         f"sarguard's {head}: start `sarguard responder serve` once to migrate it")
    raise StoreError(f"{store.shown} has schema revision {current}, unknown to this sarguard "
                     "(written by a newer version?): upgrade sarguard")
