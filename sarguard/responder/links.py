"""``sarguard reports --responder-db URL``: each System Log report next to its response.

The store is only read (it works while a responder serves). The URL comes from a flag, and
flags end up in shell history and CI logs, so one with a password written in it is refused:
PostgreSQL reads ``PGPASSWORD`` or ``~/.pgpass`` instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sarguard.errors import UsageError
from sarguard.responder.config import database_url_problem
from sarguard.responder.extra import require_extra
from sarguard.responder.literals import literal_credential
from sarguard.systemlog.reports import ReportRow


def check_responder_db(url: str) -> None:
    """Refuse an unusable ``--responder-db`` before anything else runs."""
    require_extra()
    if literal_credential(url, notification=False):
        raise UsageError("--responder-db: the URL carries a password; flags end up in shell "
                         "history, so give the password through PGPASSWORD or ~/.pgpass")
    problem = database_url_problem(url)
    if problem:
        raise UsageError(f"--responder-db: {problem}")


def link_responses(rows: Sequence[ReportRow], url: str) -> list[ReportRow]:
    """``rows`` with the responder's response to each (None where it has no record)."""
    check_responder_db(url)
    from sarguard.responder.store.engine import open_store
    from sarguard.responder.store.migrate import check_readable
    from sarguard.responder.store.readers import responses_for

    store = open_store(url, pool_size=1, must_exist=True)
    try:
        check_readable(store)
        found = responses_for(store, [r.report.event_id or "" for r in rows])
    finally:
        store.dispose()
    return [dataclasses.replace(r, linked=True, response=found.get(r.report.event_id or ""))
            for r in rows]
