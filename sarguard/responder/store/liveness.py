"""Is a responder process alive? (PostgreSQL: several processes share one store.)

Each responder holds a session-level advisory lock on its own id for its whole life, on a
connection of its own; the server releases it when that connection drops, which a ``kill -9``
or a crashed machine does too. Trying that lock for the length of a transaction tells whether
the owner is gone without waiting for any timeout.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def owner_is_dead(session: Session, owner: int) -> bool:
    """PostgreSQL only: nobody holds ``owner``'s advisory lock."""
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": owner}))
