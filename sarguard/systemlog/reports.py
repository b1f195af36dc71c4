"""``sarguard reports``: who reported what, and the command to investigate each report.

Why: a report is only useful if someone follows it up. Each row carries the activity the user
flagged (from the event's debugData) and a ready ``sarguard investigate`` command scoped to the
user and to the time of that activity.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sarguard.model import REPORT_EVENT
from sarguard.systemlog import logevent as le
from sarguard.systemlog.durations import RETENTION
from sarguard.systemlog.evidence import LogFetcher, ReportSummary, summarize_report
from sarguard.systemlog.filters import FilterError, event_types_filter, validate_user_id
from sarguard.systemlog.render import clean, table_to_text, to_json

REPORT_FILTER = event_types_filter([REPORT_EVENT])
# How far before the reported activity an investigation should start looking.
LOOKBACK = timedelta(days=1)


@dataclass
class ReportRow:
    """One report and how to follow it up."""

    report: ReportSummary
    command: str | None  # None when the event names no usable user id
    # ``reports --responder-db``: whether the responder's store was asked, and what it holds
    # for this report (None: it has no record of it).
    linked: bool = False
    response: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {**self.report.to_dict(), "investigate": self.command}
        if self.linked:
            out["response"] = self.response
        return out


def investigate_command(report: ReportSummary, now: datetime,
                        connection: Sequence[str] = ()) -> str | None:
    """``sarguard investigate --user <id> --since <time>`` for a report, or None if no user id.

    The start is a day before the reported activity (or the report), never older than Okta's
    90-day retention, and ``connection`` (the ``--org-url``/``--stack``/``--project-dir`` the
    user gave) is appended shell-quoted, so the printed command runs as is.
    """
    if not report.user_id:
        return None
    try:
        user_id = validate_user_id(report.user_id)
    except FilterError:
        return None
    since = investigation_since(report.activity_time or report.when, now)
    tail = "".join(f" {shlex.quote(part)}" for part in connection)
    return f"sarguard investigate --user {user_id} --since {le.iso(since)}{tail}"


def investigation_since(anchor: datetime | None, now: datetime) -> datetime:
    """Where a report's investigation starts: a day before ``anchor`` (the reported activity,
    else the report; else now), never older than Okta's 90-day retention, so it always runs."""
    oldest = now - RETENTION + timedelta(hours=1)
    return max((anchor or now) - LOOKBACK, oldest)


def report_rows(events: Iterable[Mapping[str, Any]], *, now: datetime,
                connection: Sequence[str] = ()) -> list[ReportRow]:
    """Rows for the report events in ``events`` (others are ignored), newest first."""
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    rows = [
        ReportRow(summary, investigate_command(summary, now, connection))
        for summary in (summarize_report(e) for e in events
                        if isinstance(e, Mapping) and le.event_type(e) == REPORT_EVENT)
    ]
    rows.sort(key=lambda r: (r.report.when is not None, r.report.when or 0), reverse=True)
    return rows


def fetch_reports(
    fetch: LogFetcher, *, since: datetime, until: datetime, now: datetime,
    connection: Sequence[str] = (),
) -> list[ReportRow]:
    """One bounded query for the report event over ``since``..``until``."""
    return report_rows(fetch(REPORT_FILTER, since, until), now=now, connection=connection)


_HEADERS = ("Reported", "User", "Activity", "Activity time", "IP", "Location", "Browser", "OS")


def render_reports_text(rows: list[ReportRow], *, since: datetime, until: datetime,
                        width: int | None = None) -> str:
    window = f"{le.iso(since)} to {le.iso(until)}"
    if not rows:
        return f"No suspicious activity reports from {window}.\n"
    table = table_to_text(
        f"{len(rows)} suspicious activity report(s), {window}", _HEADERS,
        [(le.iso(r.report.when), r.report.user or r.report.user_id, r.report.activity_event_type,
          le.iso(r.report.activity_time), r.report.ip, r.report.location, r.report.browser,
          r.report.os) for r in rows],
        width=width,
    )
    follow = ["Investigate:"]
    for r in rows:
        follow.append(f"  {r.command}" if r.command else
                      f"  (report {clean(r.report.event_id or '?')} names no user id to investigate)")
    if any(r.linked for r in rows):
        follow.append("Responses (from the responder's store):")
        follow += [f"  {le.iso(r.report.when)} {clean(r.report.user or r.report.user_id)}: "
                   f"{response_line(r.response)}" for r in rows]
    return table + "\n".join(follow) + "\n"


def response_line(response: dict[str, Any] | None) -> str:
    """One line for a report's response: what was decided, how it ended, each action."""
    if response is None:
        return ("no record: the responder never received it (a lost delivery not reconciled "
                "yet, or a hook that does not point at this responder)")
    head = f"report #{response['reportId']} {response['disposition']}, {response['outcome']}"
    if response.get("linkedReportId"):
        head += f" (answered by report #{response['linkedReportId']})"
    steps = ", ".join(f"{a['kind']} {a['status']}" for a in response.get("actions") or [])
    return head + (f": {steps}" if steps else "")


def render_reports_json(rows: list[ReportRow], *, since: datetime, until: datetime,
                        unread: list[dict[str, str]] | None = None) -> str:
    """``unread`` (only when something was): what the run could not read, so the list is
    partial."""
    doc: dict[str, Any] = {"since": le.iso(since), "until": le.iso(until), "count": len(rows),
                           "reports": [r.to_dict() for r in rows]}
    if unread:
        doc["unread"] = unread
    return to_json(doc)
