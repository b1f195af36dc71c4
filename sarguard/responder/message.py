"""What a notification says: who reported, what they reported, what the responder did, the
user's System Log timeline, and Admin Console links. Pure: the facts are gathered elsewhere.

Every string that came from the org (names, browsers, cities, reasons) is attacker-controllable;
each goes through ``clean`` (control characters made visible) and ``neutralise`` (no mention,
link, image, tag or code fence a chat target would act on) and is clipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from sarguard.responder.neutralise import neutralise
from sarguard.systemlog import logevent as le
from sarguard.systemlog.render import clean
from sarguard.systemlog.reports import investigation_since
from sarguard.systemlog.timeline import Timeline

MAX_FIELD = 200
MAX_TIMELINE = 30
DONE_WORDS = {
    "clearSessions": "sessions cleared",
    "resetPassword": "password reset",
    "expirePassword": "password expired",
    "suspend": "user suspended",
}


@dataclass(frozen=True)
class ActionLine:
    kind: str
    status: str
    result: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class MessageFacts:
    """Everything one notification reports."""

    report_id: int
    event_uuid: str | None
    origin: str  # delivery | reconciled
    disposition: str  # respond | excluded | noUser
    dry_run: bool
    user_id: str | None
    login: str | None
    reported: Mapping[str, Any]  # ReportSummary.to_dict()
    actions: Sequence[ActionLine] = ()
    user_name: str | None = None
    user_status: str | None = None
    unknown_user: bool = False
    admin_url: str | None = None
    timeline: Timeline | None = None
    timeline_since: datetime | None = None
    timeline_problem: str | None = None
    give_up: str | None = None  # the action that was given up, for a give-up notification
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    level: str  # info | warning | failure (Apprise's notify types)


def _c(value: Any) -> str:
    text = neutralise(clean(value))
    return text if len(text) <= MAX_FIELD else text[: MAX_FIELD - 1] + "…"


def _long(value: Any, limit: int = 500) -> str:
    """An Okta error summary: longer than a field, as inert."""
    text = neutralise(clean(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def user_link(admin_url: str | None, user_id: str | None) -> str | None:
    """The user's page in the Admin Console."""
    if not admin_url or not user_id:
        return None
    return f"{admin_url}/admin/user/profile/view/{quote(user_id, safe='')}"


def system_log_link(admin_url: str | None, user_id: str | None, since: datetime | None,
                    until: datetime | None = None) -> str | None:
    """The Admin Console's System Log, filtered to this user (actor or target)."""
    if not admin_url or not user_id:
        return None
    query = {"search": f'actor.id eq "{user_id}" or target.id eq "{user_id}"'}
    if since is not None:
        query["fromTime"] = le.iso(since) or ""
    if until is not None:
        query["toTime"] = le.iso(until) or ""
    return f"{admin_url}/report/system_log_2?{urlencode(query)}"


def _who(facts: MessageFacts) -> str:
    parts = [p for p in (facts.user_name, facts.login) if p]
    label = " / ".join(_c(p) for p in parts) or "an unnamed user"
    return f"{label} ({_c(facts.user_id)})" if facts.user_id else label


def _reported(facts: MessageFacts) -> list[str]:
    r = facts.reported
    where = ", ".join(_c(v) for v in (r.get("ip"), r.get("location")) if v) or "unknown place"
    client = " on ".join(_c(v) for v in (r.get("browser"), r.get("os")) if v) or "unknown client"
    lines = [
        f"Reported activity: {_c(r.get('activityEventType') or 'not stated')}"
        f" at {_c(r.get('activityTime') or 'an unstated time')}",
        f"From: {where}; {client}",
        f"Report sent: {_c(r.get('when'))} (event {_c(facts.event_uuid)}, arrived "
        f"{'through the System Log (reconciliation: the hook did not deliver it)' if facts.origin == 'reconciled' else 'through the event hook'})",
    ]
    return lines


def _action_text(line: ActionLine) -> str:
    if line.status == "done":
        text = line.result or DONE_WORDS.get(line.kind, "done")
    elif line.status == "skipped":
        text = line.result or "skipped"
    elif line.status == "failed":
        text = f"NOT DONE, gave up: {line.error or 'unknown error'}"
    else:
        text = f"still {line.status}"
        if line.error:
            text += f" (last error: {line.error})"
    return f"  - {line.kind}: {_c(text) if line.status != 'failed' else _long(text)}"


def _timeline(facts: MessageFacts) -> list[str]:
    if facts.timeline_problem:
        return [f"Timeline: not available ({_c(facts.timeline_problem)})"]
    if facts.timeline is None:
        return []
    entries = facts.timeline.entries
    head = f"Timeline (System Log since {le.iso(facts.timeline_since) or '?'}, {len(entries)} event(s)"
    shown = entries[-MAX_TIMELINE:]
    head += f", last {len(shown)} shown):" if len(shown) < len(entries) else "):"
    lines = [head]
    for e in shown:
        outcome = f" {_c(e.outcome)}" if e.outcome else ""
        place = ", ".join(_c(v) for v in (e.ip, e.location) if v)
        lines.append(f"  {le.iso(e.time) or '?'}  {_c(e.event_type)}{outcome}"
                     f"{'  ' + place if place else ''}")
    for s in facts.timeline.scenarios:
        lines.append(f"  scenario: {_c(s.label)} ({_c(s.status)}), {len(s.entries)} event(s)")
    return lines


def compose(facts: MessageFacts) -> Message:
    """The notification for one report (or for a response that gave up)."""
    who = _who(facts)
    level = "info"
    if facts.give_up:
        title = f"ACTION NEEDED: the response to {who}'s report gave up on {facts.give_up}"
        level = "failure"
    elif facts.disposition == "excluded":
        title = f"Suspicious activity reported by {who} (excluded user: not acted on)"
        level = "warning"
    elif facts.disposition == "noUser":
        title = "Suspicious activity reported, but the report names no Okta user"
        level = "warning"
    elif facts.unknown_user:
        title = f"Suspicious activity reported by {who}, a user Okta does not know"
        level = "warning"
    else:
        title = f"Suspicious activity reported by {who}"
    if facts.dry_run:
        title = "[dry run] " + title
    if any(a.status == "failed" for a in facts.actions):
        level = "failure"
    lines = [f"{who} reported suspicious activity (sarguard responder, report #{facts.report_id})."]
    lines += _reported(facts)
    if facts.actions:
        lines.append("Response:" + (" (dry run: nothing was changed in Okta)" if facts.dry_run else ""))
        lines += [_action_text(a) for a in facts.actions]
    undone = [a.kind for a in facts.actions if a.status not in ("done", "skipped")]
    if facts.give_up and undone:
        lines.append(f"Still undone: {', '.join(undone)}. Do it by hand in the Admin Console.")
    if facts.unknown_user:
        lines.append("Okta does not know this user id (404): nothing was changed.")
    elif facts.user_status:
        lines.append(f"User status now: {_c(facts.user_status)}")
    links = [(label, link) for label, link in (
        ("User in the Admin Console", user_link(facts.admin_url, facts.user_id)),
        ("System Log for the user", system_log_link(facts.admin_url, facts.user_id,
                                                   facts.timeline_since)),
    ) if link]
    lines += [f"{label}: {link}" for label, link in links]
    lines += _timeline(facts)
    return Message(title=title, body="\n".join(lines) + "\n", level=level)


def timeline_start(reported: Mapping[str, Any], now: datetime) -> datetime:
    """Where the timeline starts: as ``sarguard investigate`` would for this report."""
    anchor = le.parse_time(reported.get("activityTime")) or le.parse_time(reported.get("when"))
    return investigation_since(anchor, now)
