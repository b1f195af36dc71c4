"""``sarguard investigate``: Okta's cheat-sheet queries by user, IP or session, as a timeline.

Why: the command logic (validate subjects, build one safe filter, fetch one bounded window,
label the story) lives here so the CLI only parses arguments and prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sarguard.systemlog import logevent as le
from sarguard.systemlog.durations import (  # re-exported for the CLI
    DEFAULT_SINCE,
    DurationError,
    parse_since,
    parse_until,
)
from sarguard.systemlog.evidence import LogFetcher
from sarguard.systemlog.filters import FilterError, build_filter
from sarguard.systemlog.render import clean
from sarguard.systemlog.scopes import DEFAULT_SCOPE
from sarguard.systemlog.timeline import Timeline, build_timeline, render_timeline_json
from sarguard.systemlog.timeline import render_timeline_text as _render_text

__all__ = [
    "DEFAULT_SINCE", "DEFAULT_SCOPE", "DurationError", "FilterError", "Investigation",
    "investigate", "parse_since", "parse_until", "render_investigation_json",
    "render_investigation_text",
]


@dataclass
class Investigation:
    """The query that ran and what it found."""

    filter: str
    scope: str
    since: datetime
    until: datetime
    timeline: Timeline
    # ``--user LOGIN``: {"login": what was given, "id": the user Okta resolved it to}
    resolved: dict[str, str] | None = None
    # what the run's --deadline left unread ({"resource", "reason"}): the timeline is partial
    unread: list[dict[str, str]] = field(default_factory=list)

    def header(self) -> dict[str, Any]:
        head: dict[str, Any] = {"filter": self.filter, "scope": self.scope,
                                "since": le.iso(self.since), "until": le.iso(self.until)}
        if self.resolved:
            head["user"] = dict(self.resolved)
        if self.unread:
            head["unread"] = list(self.unread)
        return head


def investigate(
    fetch: LogFetcher,
    *,
    since: datetime,
    until: datetime,
    user: str | None = None,
    ip: str | None = None,
    session: str | None = None,
    scope: str = DEFAULT_SCOPE,
) -> Investigation:
    """Validate the subjects (FilterError), run one bounded query, build the timeline."""
    query = build_filter(user=user, ip=ip, session=session, scope=scope)
    return Investigation(query, scope, since, until, build_timeline(fetch(query, since, until)))


def render_investigation_text(result: Investigation, width: int | None = None) -> str:
    """The filter (paste it into Reports > System Log to share), then the timeline."""
    head = f"System Log {le.iso(result.since)} to {le.iso(result.until)}, scope {result.scope}\n"
    if result.resolved:
        head += (f"User: {clean(result.resolved['login'])} resolved to "
                 f"{clean(result.resolved['id'])} (GET /api/v1/users/{{login}})\n")
    head += f"Filter: {result.filter}\n\n"
    tail = "".join(f"unread (this timeline is partial): {clean(u['reason'])}\n"
                   for u in result.unread)
    return head + _render_text(result.timeline, width=width) + tail


def render_investigation_json(result: Investigation) -> str:
    return render_timeline_json(result.timeline, **result.header())
