"""Alembic's script directory for the responder's store (run by ``store.migrate``)."""
