"""A per-event timeline of an investigation, with Okta's documented sequences recognised.

Why: analysts read a System Log export as a story (sign-in, MFA, password reset, unlock). The
cheat-sheet describes the order in which Okta fires those events; labelling each run of events
with the scenario it belongs to, and saying which runs stopped half-way or failed, turns a
flat list into something a reviewer can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sarguard.systemlog import logevent as le
from sarguard.systemlog.render import clean, table_to_text, to_json
from sarguard.systemlog.scopes import MFA_FLOW_EVENTS, RESET_MESSAGES, UNLOCK_MESSAGES

ScenarioStatus = Literal["complete", "failed", "incomplete"]
_FAILED_RESULTS = frozenset({"FAILURE", "DENY"})


@dataclass
class TimelineEntry:
    """One event as the timeline shows it."""

    time: datetime | None
    event_type: str
    outcome: str | None
    reason: str | None
    actor: str | None
    target: str | None
    ip: str | None
    location: str | None
    session: str | None
    subject: str | None  # the user the event is about (scenario grouping)
    uuid: str | None = None
    message: str | None = None
    scenarios: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": le.iso(self.time), "eventType": self.event_type, "outcome": self.outcome,
            "reason": self.reason, "actor": self.actor, "target": self.target, "ip": self.ip,
            "location": self.location, "session": self.session, "subject": self.subject,
            "uuid": self.uuid, "message": self.message, "scenarios": list(self.scenarios),
        }


@dataclass(frozen=True)
class Step:
    """One position in a sequence: any of ``types``; optional/repeatable for MFA interludes."""

    types: frozenset[str]
    optional: bool = False
    repeat: bool = False


def _one(*types: str) -> Step:
    return Step(frozenset(types))


_MFA_INTERLUDE = Step(MFA_FLOW_EVENTS, optional=True, repeat=True)


@dataclass(frozen=True)
class ScenarioSpec:
    """A documented sequence of events (seed 003's "Event Scenarios")."""

    key: str
    title: str
    steps: tuple[Step, ...]
    window: timedelta
    failure_ends: bool = True  # a FAILURE/DENY outcome ends the run as "failed"


SCENARIOS: tuple[ScenarioSpec, ...] = (
    ScenarioSpec(
        "okta-sign-in", "Sign in to Okta",
        (_one("user.session.start"), _one("policy.evaluate_sign_on"), _MFA_INTERLUDE,
         _one("user.authentication.verify")),
        timedelta(minutes=30),
    ),
    ScenarioSpec(
        "password-reset", "Self-service password reset",
        (_one(*RESET_MESSAGES), _MFA_INTERLUDE, _one("user.account.reset_password"),
         _one("user.account.update_password")),
        timedelta(hours=24),
    ),
    ScenarioSpec(
        "account-unlock", "Self-service account unlock",
        (_one(*UNLOCK_MESSAGES), _MFA_INTERLUDE, _one("user.account.unlock_token"),
         _one("user.account.unlock")),
        timedelta(hours=24),
    ),
    ScenarioSpec(
        "app-sign-in", "Sign in to an app",
        (_MFA_INTERLUDE, _one("user.authentication.sso")),
        timedelta(minutes=15),
    ),
    ScenarioSpec(
        "app-access-denied", "App sign-in denied",
        (_one("application.policy.sign_on.deny_access"),),
        timedelta(minutes=1), failure_ends=False,
    ),
    ScenarioSpec(
        "mfa-verification", "MFA verification",
        (Step(MFA_FLOW_EVENTS - {"user.authentication.auth_via_mfa", "user.mfa.factor.activate"},
              optional=True, repeat=True),
         _one("user.authentication.auth_via_mfa")),
        timedelta(minutes=15),
    ),
    ScenarioSpec(
        "mfa-enrollment", "MFA enrollment", (_one("user.mfa.factor.activate"),),
        timedelta(minutes=1),
    ),
    ScenarioSpec(
        "sign-out", "Sign out", (_one("user.session.end", "user.authentication.slo"),),
        timedelta(minutes=1),
    ),
)


@dataclass
class Scenario:
    """One recognised run of a :class:`ScenarioSpec` for one subject."""

    key: str
    title: str
    number: int
    status: ScenarioStatus
    subject: str | None
    start: datetime | None
    end: datetime | None
    entries: list[int]  # indices into Timeline.entries, in time order

    @property
    def label(self) -> str:
        return f"{self.title} #{self.number}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "label": self.label, "status": self.status,
            "subject": self.subject, "start": le.iso(self.start), "end": le.iso(self.end),
            "entries": list(self.entries),
        }


@dataclass
class Timeline:
    entries: list[TimelineEntry]
    scenarios: list[Scenario]

    def to_dict(self) -> dict[str, Any]:
        return {"entries": [e.to_dict() for e in self.entries],
                "scenarios": [s.to_dict() for s in self.scenarios]}


def entry_from_event(event: Mapping[str, Any]) -> TimelineEntry:
    result, reason = le.outcome(event)
    return TimelineEntry(
        time=le.published(event),
        event_type=le.event_type(event),
        outcome=result,
        reason=reason,
        actor=le.actor_label(event),
        target=le.targets_label(event),
        ip=le.text(le.get(event, "client.ipAddress")),
        location=le.location(event),
        session=le.text(le.get(event, "authenticationContext.externalSessionId")),
        subject=le.subject_user_id(event),
        uuid=le.text(event.get("uuid")),
        message=le.text(event.get("displayMessage")),
    )


@dataclass
class _Run:
    pos: int
    indices: list[int]
    start: datetime | None
    required_seen: bool


def _advance(spec: ScenarioSpec, pos: int, etype: str, claimed: bool) -> tuple[int, bool] | None:
    """(next position, matched a required step) if ``etype`` fits at ``pos``, else None.

    Optional steps may be skipped; a repeatable step keeps its position. An event already
    claimed by an earlier scenario may only fill a required step.
    """
    for j in range(pos, len(spec.steps)):
        step = spec.steps[j]
        if etype in step.types and not (step.optional and claimed):
            return (j if step.repeat else j + 1), not step.optional
        if not step.optional:
            return None
    return None


def _expired(spec: ScenarioSpec, run: _Run, when: datetime | None) -> bool:
    return run.start is not None and when is not None and when - run.start > spec.window


def _match(
    spec: ScenarioSpec, entries: list[TimelineEntry], indices: list[int], claimed: set[int]
) -> list[tuple[list[int], ScenarioStatus]]:
    """Runs of ``spec`` within one subject's entries (``indices`` in time order)."""
    found: list[tuple[list[int], ScenarioStatus]] = []
    open_runs: list[_Run] = []

    def close(run: _Run, status: ScenarioStatus) -> None:
        open_runs.remove(run)
        if run.required_seen:
            found.append((run.indices, status))

    for idx in indices:
        entry = entries[idx]
        for run in [r for r in open_runs if _expired(spec, r, entry.time)]:
            close(run, "incomplete")
        is_claimed = idx in claimed
        target: _Run | None = None
        for run in reversed(open_runs):  # the most recent run gets the event
            step = _advance(spec, run.pos, entry.event_type, is_claimed)
            if step is not None:
                run.pos, required = step
                run.required_seen |= required
                run.indices.append(idx)
                target = run
                break
        if target is None:
            step = _advance(spec, 0, entry.event_type, is_claimed)
            if step is None:
                continue
            target = _Run(step[0], [idx], entry.time, step[1])
            open_runs.append(target)
        if spec.failure_ends and (entry.outcome or "").upper() in _FAILED_RESULTS:
            close(target, "failed")
        elif target.pos >= len(spec.steps):
            close(target, "complete")
    for run in list(open_runs):
        close(run, "incomplete")
    return found


def recognise(entries: list[TimelineEntry]) -> list[Scenario]:
    """Label ``entries`` (sorted by time) with the scenarios they form; returns the scenarios."""
    by_subject: dict[str | None, list[int]] = {}
    for idx, entry in enumerate(entries):
        by_subject.setdefault(entry.subject, []).append(idx)
    scenarios: list[Scenario] = []
    claimed: set[int] = set()
    for spec in SCENARIOS:
        runs: list[tuple[str | None, list[int], ScenarioStatus]] = []
        for subject, indices in by_subject.items():
            runs.extend((subject, r, s) for r, s in _match(spec, entries, indices, claimed))
        runs.sort(key=lambda r: r[1][0])
        for number, (subject, idxs, status) in enumerate(runs, start=1):
            scenario = Scenario(spec.key, spec.title, number, status, subject,
                                entries[idxs[0]].time, entries[idxs[-1]].time, idxs)
            scenarios.append(scenario)
            for i in idxs:
                entries[i].scenarios.append(scenario.label)
            claimed.update(idxs)
    scenarios.sort(key=lambda s: (s.entries[0], s.key))
    return scenarios


def _sort_key(entry: TimelineEntry) -> tuple[bool, datetime | int]:
    return (entry.time is None, entry.time or 0)


def build_timeline(events: Iterable[Mapping[str, Any]]) -> Timeline:
    """Sort events by time (stable) and recognise scenarios. Non-dict items are skipped."""
    entries = [entry_from_event(e) for e in events if isinstance(e, Mapping)]
    entries.sort(key=_sort_key)
    return Timeline(entries, recognise(entries))


_HEADERS = ("Time", "Event", "Outcome", "Actor", "Target", "IP", "Location", "Session",
            "Scenario")


def render_timeline_text(timeline: Timeline, *, title: str | None = None,
                         width: int | None = None) -> str:
    """The timeline table, then one line per recognised scenario."""
    if not timeline.entries:
        return (clean(title) + "\n" if title else "") + "No events in the window.\n"
    rows = [
        (le.iso(e.time), e.event_type,
         f"{e.outcome}: {e.reason}" if e.outcome and e.reason else e.outcome,
         e.actor, e.target, e.ip, e.location, e.session, "; ".join(e.scenarios))
        for e in timeline.entries
    ]
    out = table_to_text(title, _HEADERS, rows, width=width)
    if timeline.scenarios:
        lines = ["Scenarios:"]
        for s in timeline.scenarios:
            lines.append(f"  {s.label}: {s.status}, {le.iso(s.start) or '?'} to "
                         f"{le.iso(s.end) or '?'}, {len(s.entries)} event(s), "
                         f"user {clean(s.subject or 'unknown')}")
        out += "\n".join(lines) + "\n"
    return out


def render_timeline_json(timeline: Timeline, **extra: Any) -> str:
    """The timeline as JSON; ``extra`` keys (filter, window) are added at the top level."""
    return to_json({**extra, **timeline.to_dict()})
