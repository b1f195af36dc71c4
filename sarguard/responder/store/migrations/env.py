"""Alembic environment: always run programmatically with a connection (see ``store.migrate``)."""

from __future__ import annotations

from alembic import context

from sarguard.responder.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: later revisions copy tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
