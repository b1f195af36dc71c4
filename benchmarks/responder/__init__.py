"""``python -m benchmarks.responder``: the responder's burst and crash measurements.

``burst`` (20 concurrent senders, 2,000 deliveries of 1-10 events, against SQLite and against
PostgreSQL with two responder processes) and ``crash`` (``kill -9`` at seeded random points,
restart, count what the emulator saw). The suite runs a short crash loop through the same code.
"""
