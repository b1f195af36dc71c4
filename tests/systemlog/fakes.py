"""A fake LogFetcher that answers SCIM ``eventType eq`` filters and records every call."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sarguard.systemlog import logevent as le


class FakeLog:
    """Serves ``events`` for filters made only of ``eventType eq`` clauses (and None)."""

    def __init__(self, events: Iterable[Mapping[str, Any]], *, error: Exception | None = None):
        self.events = list(events)
        self.error = error
        self.calls: list[tuple[str | None, datetime, datetime]] = []

    def __call__(self, filter_: str | None, since: datetime, until: datetime):
        self.calls.append((filter_, since, until))
        if self.error is not None:
            raise self.error
        wanted = set(re.findall(r'eventType eq "([^"]+)"', filter_ or ""))
        for event in self.events:
            when = le.published(event)
            if when is not None and not (since <= when < until):
                continue
            if wanted and le.event_type(event) not in wanted:
                continue
            yield event
