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
    purpose: str = "first"  # first | late | giveUp | done (see responder.flow)
    follow_up_after: str | None = None  # "2m": when a still-undone action is told
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
        return [f"Timeline: unavailable ({_c(facts.timeline_problem)})"]
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


def _title(facts: MessageFacts, who: str) -> tuple[str, str]:
    if facts.give_up:
        return (f"ACTION NEEDED: the response to {who}'s report gave up on {facts.give_up}",
                "failure")
    undone = [a.kind for a in facts.actions if a.status not in ("done", "skipped", "failed")]
    if facts.purpose == "late":
        return (f"STILL NOT DONE after {facts.follow_up_after or 'followUpAfter'}: "
                f"{', '.join(undone) or 'the response'} for {who}'s report", "warning")
    if facts.purpose == "done" and facts.unknown_user:
        return f"Suspicious activity reported by {who}, a user Okta does not know", "warning"
    if facts.purpose == "done":
        return f"Done: the response to {who}'s report", "success"
    if facts.disposition == "excluded":
        return f"Suspicious activity reported by {who} (excluded user: not acted on)", "warning"
    if facts.disposition == "noUser":
        return "Suspicious activity reported, but the report names no Okta user", "warning"
    if facts.unknown_user:
        return f"Suspicious activity reported by {who}, a user Okta does not know", "warning"
    return f"Suspicious activity reported by {who}", "info"


def compose(facts: MessageFacts) -> Message:
    """The notification for one report: the first one (who, what, where, what is under way),
    or a follow-up (an action still not done, given up, or everything done)."""
    who = _who(facts)
    title, level = _title(facts, who)
    if facts.dry_run:
        title = "[dry run] " + title
    if any(a.status == "failed" for a in facts.actions):
        level = "failure"
    lines = [f"{who} reported suspicious activity (sarguard responder, report #{facts.report_id})."]
    lines += _reported(facts)
    undone = [a.kind for a in facts.actions if a.status not in ("done", "skipped", "failed")]
    if facts.actions:
        lines.append("Response:" + (" (dry run: nothing was changed in Okta)" if facts.dry_run else
                                    " (under way: a follow-up comes if an action fails or is not "
                                    f"done within {facts.follow_up_after})"
                                    if facts.purpose == "first" and undone and facts.follow_up_after
                                    else ""))
        lines += [_action_text(a) for a in facts.actions]
    not_done = [a.kind for a in facts.actions if a.status not in ("done", "skipped")]
    if (facts.give_up or facts.purpose == "late") and not_done:
        lines.append(f"Still undone: {', '.join(not_done)}. Do it by hand in the Admin Console"
                     + (" if it stays so." if facts.purpose == "late" else "."))
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


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def compose_repeat(*, report_id: int, user_id: str | None, login: str | None,
                   reported: Mapping[str, Any], options: Mapping[str, Any],
                   admin_url: str | None) -> Message:
    """A repeat report inside the cooldown: short, linked to the one that was answered."""
    who = f"{_c(login)} ({_c(user_id)})" if login else _c(user_id)
    answered = options.get("firstAnsweredAt")
    first = (f"first answered at {_c(answered)}" if answered else
             f"first received at {_c(options.get('firstReceivedAt'))}, still being answered")
    title = (f"Repeat report by {who} ({ordinal(int(options.get('ordinal') or 2))} in "
             f"{_c(options.get('window'))}; {first})")
    where = ", ".join(_c(v) for v in (reported.get("ip"), reported.get("location")) if v)
    lines = [title + ".",
             f"Linked to report #{options.get('firstReportId')}: no second reset; at most one "
             "such message per user per cooldown window.",
             f"This report: {_c(reported.get('activityEventType') or 'activity not stated')}"
             f"{' from ' + where if where else ''} (report #{report_id})."]
    link = user_link(admin_url, user_id)
    if link:
        lines.append(f"User in the Admin Console: {link}")
    return Message(title=title, body="\n".join(lines) + "\n", level="warning")


@dataclass(frozen=True)
class CampaignFacts:
    """One campaign: its network, the reports in it, and (digest) the ones since last time."""

    campaign_id: int
    network: str
    first_at: datetime | None
    last_at: datetime | None
    members: Sequence[Mapping[str, Any]]  # {reportId, userId, login, ip, activity, time}
    listed_through: int = 0  # digest: the members after this report id are new

    @property
    def through(self) -> int:
        """The last report id this message lists (the next digest starts after it)."""
        return max((int(m.get("reportId") or 0) for m in self.members), default=0)


def compose_campaign(facts: CampaignFacts, *, digest: bool, block: str | None = None) -> Message:
    """The campaign message (or its digest): one incident, not N reports."""
    members = [m for m in facts.members
               if not digest or int(m.get("reportId") or 0) > facts.listed_through]
    users = sorted({f"{_c(m.get('login'))} ({_c(m.get('userId'))})" for m in facts.members})
    ips = sorted({_c(m.get("ip")) for m in facts.members if m.get("ip")})
    kinds = sorted({_c(m.get("activity")) for m in facts.members if m.get("activity")})
    if digest:
        title = (f"Campaign #{facts.campaign_id} from {facts.network}: {len(members)} more "
                 f"report(s), {len(users)} user(s) in all")
    else:
        title = (f"CAMPAIGN: {len(users)} users reported suspicious activity from "
                 f"{facts.network}")
    lines = [title + ".",
             f"First report: {le.iso(facts.first_at) or '?'}; last: {le.iso(facts.last_at) or '?'}",
             f"Reported addresses: {', '.join(ips[:50]) or 'none'}",
             f"Reported activity: {', '.join(kinds[:20]) or 'not stated'}"]
    shown = members if digest else facts.members
    lines.append(("New reports:" if digest else "Users:") + f" ({len(shown)})")
    lines += [f"  - {_c(m.get('login'))} ({_c(m.get('userId'))}) from {_c(m.get('ip'))} at "
              f"{le.iso(m.get('time')) or '?'}" for m in list(shown)[:MAX_TIMELINE]]
    if len(shown) > MAX_TIMELINE:
        lines.append(f"  … and {len(shown) - MAX_TIMELINE} more (sarguard responder status)")
    lines.append("Each user's own response (session clear, reset) runs as usual; their "
                 "individual messages are folded into this campaign's digest (at most one a "
                 "minute).")
    if block:
        lines.append(block)
    return Message(title=title, body="\n".join(lines) + "\n",
                   level="info" if digest else "failure")


def compose_credential(*, refused: str | None, waiting: int) -> Message:
    """The responder cannot act (Okta refused its credential), or can again."""
    if refused is not None:
        title = (f"ACTION NEEDED: the responder cannot act: Okta refused its credential; "
                 f"{waiting} report(s) waiting")
        body = (f"{title}.\nWhy: {_long(refused)}\nDeliveries are still recorded; the actions "
                "wait and are retried until giveUpAfter. Fix the credential (OKTA_API_TOKEN, or "
                "the OAuth service app's scopes) and the responder resumes on its own.\n")
        return Message(title=title, body=body, level="failure")
    title = (f"The responder can act again: Okta accepts its credential; {waiting} report(s) "
             "waiting are being answered")
    return Message(title=title, body=title + ".\n", level="success")


def timeline_start(reported: Mapping[str, Any], now: datetime) -> datetime:
    """Where the timeline starts: as ``sarguard investigate`` would for this report."""
    anchor = le.parse_time(reported.get("activityTime")) or le.parse_time(reported.get("when"))
    return investigation_since(anchor, now)


def compose_plan_failed(*, report_id: int, event_uuid: str | None, error: str) -> Message:
    """An event the responder could not plan (a hostile or malformed one): said from the stored
    reason alone, never by reading the event again (it may fail the same way)."""
    title = f"A report could not be handled: report #{report_id} failed while being planned"
    body = (f"{title}.\nEvent: {_c(event_uuid or 'unknown')}\nWhy: {_long(error)}\n"
            "The responder went on with every other report; look at this event in its store "
            "(`sarguard responder status`) and the System Log.\n")
    return Message(title=title, body=body, level="failure")
