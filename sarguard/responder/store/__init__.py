"""The responder's store, which is also its queue: deliveries, events, reports, actions.

``schema`` (tables), ``engine`` (SQLite WAL or PostgreSQL, the single-writer lock, migrations),
``ingest`` (a delivery in one transaction), ``queue`` (planning, claiming and finishing work),
``readers`` (what ``responder status`` and ``reports --responder-db`` show).
"""
