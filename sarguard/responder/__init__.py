"""``sarguard responder``: the service a suspicious-activity report's event hook points at.

It answers Okta's deliveries (verify, authenticate, store, 204), then runs the response the
reviewed ``responder.yaml`` declares: clear sessions, reset/expire the password or suspend,
notify. The store is the queue (SQLite for one process, PostgreSQL to scale out).

Importing this package imports nothing heavy: the service's libraries (the ``responder``
extra) load only when a module that needs them is imported (see :mod:`.extra`).
"""
