"""System Log evidence for SAR-11/SAR-12: reports, hook delivery failures and tampering.

Why a summary and not raw events: controls stay pure and reports stay small. Collection is a
handful of bounded queries (one per family, each a combined ``eventType`` filter) because the
logs endpoint has the smallest rate budget in the API (50-120 requests a minute).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sarguard.errors import SarguardError
from sarguard.model import REPORT_EVENT, SECTION_SYSTEM_LOG, EventHook, OrgState, is_unknown
from sarguard.systemlog import logevent as le
from sarguard.systemlog.filters import event_types_filter

# (filter or None, since, until) -> LogEvent dicts; the lead wires it to the client's iter_logs.
LogFetcher = Callable[[str | None, datetime, datetime], Iterable[Mapping[str, Any]]]

DELIVERY_EVENT = "event_hook.delivery"  # fired only when a delivery fails

# Changes that can silently break suspicious activity reporting, by family.
TAMPERING_FAMILIES: dict[str, tuple[str, ...]] = {
    "event-hook": ("event_hook.deactivated", "event_hook.deleted", "event_hook.updated"),
    "role-subscription": ("iam.role.subscriptions.update",),
    "email-template": (
        "system.email.template.create",
        "system.email.template.update",
        "system.email.template.delete",
        "system.email.template.settings_changed",
    ),
    "brand": ("system.brand.update", "system.brand.delete"),
    "threat-protection": (
        "security.threat.configuration.update",
        "security.attack_protection.settings.update",
    ),
    "log-stream": (
        "system.log_stream.lifecycle.deactivate",
        "system.log_stream.lifecycle.delete",
        "system.log_stream.lifecycle.update",
    ),
}
TAMPERING_TYPES: tuple[str, ...] = tuple(t for ts in TAMPERING_FAMILIES.values() for t in ts)
_FAMILY_OF = {t: fam for fam, ts in TAMPERING_FAMILIES.items() for t in ts}

# What collect_system_log asks for: one bounded query each.
QUERIES: dict[str, tuple[str, ...]] = {
    "reports": (REPORT_EVENT,),
    "deliveryFailures": (DELIVERY_EVENT,),
    "tampering": TAMPERING_TYPES,
}
TOP_ACTIVITY_LIMIT = 5


class SystemLogUnavailable(SarguardError):
    """Raised by a fetcher adapter when the log cannot be read; the message is the reason
    recorded in ``OrgState.unread`` (e.g. "missing OAuth scope okta.logs.read")."""


@dataclass
class ReportSummary:
    """One end-user report and the activity it flagged (from the event's debugData)."""

    when: datetime | None
    user_id: str | None
    user: str | None  # login (display name)
    activity_event_type: str | None = None
    activity_time: datetime | None = None
    ip: str | None = None
    location: str | None = None
    browser: str | None = None
    os: str | None = None
    event_id: str | None = None  # the report event's uuid

    def to_dict(self) -> dict[str, Any]:
        return {
            "when": le.iso(self.when), "userId": self.user_id, "user": self.user,
            "activityEventType": self.activity_event_type,
            "activityTime": le.iso(self.activity_time), "ip": self.ip,
            "location": self.location, "browser": self.browser, "os": self.os,
            "eventId": self.event_id,
        }


@dataclass
class DeliveryFailure:
    """An event hook delivery Okta gave up on."""

    hook_id: str | None
    hook_name: str | None
    when: datetime | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"hookId": self.hook_id, "hookName": self.hook_name,
                "when": le.iso(self.when), "reason": self.reason}


@dataclass
class TamperingEvent:
    """A change to something reporting depends on: who did what, when, and whether it worked."""

    when: datetime | None
    who: str | None
    event_type: str
    family: str
    target: str | None
    outcome: str | None
    actor_id: str | None = None
    actor_login: str | None = None
    target_ids: tuple[str, ...] = ()
    ip: str | None = None
    event_id: str | None = None

    @property
    def what(self) -> str:
        return f"{self.event_type} on {self.target}" if self.target else self.event_type

    def to_dict(self) -> dict[str, Any]:
        return {
            "when": le.iso(self.when), "who": self.who, "actorId": self.actor_id,
            "actorLogin": self.actor_login,
            "eventType": self.event_type, "family": self.family, "target": self.target,
            "targetIds": list(self.target_ids), "outcome": self.outcome, "ip": self.ip,
            "eventId": self.event_id,
        }


@dataclass
class SystemLogEvidence:
    """What the System Log says about the window ``since``..``until``."""

    since: datetime
    until: datetime
    reports: list[ReportSummary] = field(default_factory=list)
    delivery_failures: list[DeliveryFailure] = field(default_factory=list)
    tampering: list[TamperingEvent] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # the filters sent, in order

    @property
    def report_count(self) -> int:
        return len(self.reports)

    @property
    def most_recent(self) -> ReportSummary | None:
        dated = [r for r in self.reports if r.when is not None]
        return max(dated, key=lambda r: r.when) if dated else None  # type: ignore[arg-type,return-value]

    @property
    def top_activity_types(self) -> list[tuple[str, int]]:
        counts = Counter(r.activity_event_type for r in self.reports if r.activity_event_type)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ACTIVITY_LIMIT]

    def failures_for(self, hook: EventHook) -> list[DeliveryFailure]:
        """Failures attributed to ``hook`` (by id; by name when the event carried no id)."""
        hook_id = None if is_unknown(hook.id) else hook.id
        name = None if is_unknown(hook.name) else hook.name
        out = []
        for f in self.delivery_failures:
            if (hook_id and f.hook_id == hook_id) or (
                f.hook_id is None and name and f.hook_name == name
            ):
                out.append(f)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``Report.evidence["systemLog"]``."""
        recent = self.most_recent
        return {
            "since": le.iso(self.since), "until": le.iso(self.until),
            "reportCount": self.report_count,
            "mostRecent": recent.to_dict() if recent else None,
            "topActivityTypes": [{"eventType": t, "count": n} for t, n in self.top_activity_types],
            "reports": [r.to_dict() for r in self.reports],
            "deliveryFailures": [f.to_dict() for f in self.delivery_failures],
            "tampering": [t.to_dict() for t in self.tampering],
            "queries": list(self.queries),
        }


def summarize_report(event: Mapping[str, Any]) -> ReportSummary:
    """The reported activity from a report event's debugData (catalog: SuspiciousActivityDebugData)."""
    city = le.text(le.debug_value(event, "suspicious_activity_event_city"))
    state = le.text(le.debug_value(event, "suspicious_activity_event_state"))
    country = le.text(le.debug_value(event, "suspicious_activity_event_country"))
    place = ", ".join(p for p in (city, state, country) if p) or None
    actor = event.get("actor")
    user_id = le.subject_user_id(event)
    return ReportSummary(
        when=le.published(event),
        user_id=user_id,
        user=le.who(actor) if isinstance(actor, Mapping) else None,
        activity_event_type=le.text(le.debug_value(event, "suspicious_activity_event_type")),
        activity_time=le.parse_time(le.debug_value(event, "suspicious_activity_timestamp")),
        ip=le.text(le.debug_value(event, "suspicious_activity_event_ip")),
        location=place,
        browser=le.text(le.debug_value(event, "suspicious_activity_browser")),
        os=le.text(le.debug_value(event, "suspicious_activity_os")),
        event_id=le.text(event.get("uuid")),
    )


def _delivery_failure(event: Mapping[str, Any], hooks: Sequence[EventHook]) -> DeliveryFailure:
    by_id = {h.id: h for h in hooks if isinstance(h.id, str)}
    hook_id: str | None = None
    hook_name: str | None = None
    for target in le.targets(event):
        tid = le.text(target.get("id"))
        if tid in by_id:
            hook_id, name = tid, by_id[tid].name
            hook_name = name if isinstance(name, str) else None
            break
    if hook_id is None:
        # Not one of the hooks we know: keep what the event says about its target.
        candidates = le.targets(event)
        hookish = [t for t in candidates if "hook" in (le.text(t.get("type")) or "").lower()]
        chosen = (hookish or candidates)[:1]
        if chosen:
            hook_id = le.text(chosen[0].get("id"))
            hook_name = le.text(chosen[0].get("displayName"))
    result, reason = le.outcome(event)
    return DeliveryFailure(hook_id, hook_name, le.published(event), reason or result)


def _tampering(event: Mapping[str, Any]) -> TamperingEvent:
    etype = le.event_type(event)
    result, reason = le.outcome(event)
    shown = f"{result}: {reason}" if result and reason else (result or reason)
    ids = tuple(i for i in (le.text(t.get("id")) for t in le.targets(event)) if i)
    return TamperingEvent(
        when=le.published(event),
        who=le.actor_label(event),
        event_type=etype,
        family=_FAMILY_OF.get(etype, "other"),
        target=le.targets_label(event),
        outcome=shown,
        actor_id=le.text(le.get(event, "actor.id")),
        actor_login=le.text(le.get(event, "actor.alternateId")),
        target_ids=ids,
        ip=le.text(le.get(event, "client.ipAddress")),
        event_id=le.text(event.get("uuid")),
    )


def _by_time(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda i: (i.when is None, i.when or 0))


def collect_system_log(
    fetch: LogFetcher,
    *,
    since: datetime,
    until: datetime,
    hooks: Sequence[EventHook] = (),
) -> SystemLogEvidence:
    """Run the three bounded queries of :data:`QUERIES` and summarise what they return.

    Exceptions from ``fetch`` propagate (see :func:`attach_system_log` for the fail-closed
    wrapper). Events of other types in a response are ignored, so a lax fetcher cannot
    smuggle unrelated events into the evidence.
    """
    if since >= until:
        raise ValueError(f"System Log window: since ({since}) must be before until ({until})")
    evidence = SystemLogEvidence(since=since, until=until)
    for family, types in QUERIES.items():
        query = event_types_filter(types)
        evidence.queries.append(query)
        wanted = set(types)
        for event in fetch(query, since, until):
            if not isinstance(event, Mapping) or le.event_type(event) not in wanted:
                continue
            if family == "reports":
                evidence.reports.append(summarize_report(event))
            elif family == "deliveryFailures":
                result, _ = le.outcome(event)
                if result is None or result.upper() != "SUCCESS":
                    evidence.delivery_failures.append(_delivery_failure(event, hooks))
            else:
                evidence.tampering.append(_tampering(event))
    evidence.reports = _by_time(evidence.reports)
    evidence.delivery_failures = _by_time(evidence.delivery_failures)
    evidence.tampering = _by_time(evidence.tampering)
    return evidence


def attach_system_log(
    state: OrgState, fetch: LogFetcher, *, since: datetime, until: datetime
) -> None:
    """Fill ``state.system_log``, or record why not in ``state.unread`` (fail closed)."""
    try:
        state.system_log = collect_system_log(
            fetch, since=since, until=until, hooks=state.event_hooks
        )
    except SystemLogUnavailable as exc:
        state.system_log = None
        state.unread[SECTION_SYSTEM_LOG] = str(exc) or "System Log could not be read"
    except Exception as exc:  # noqa: BLE001 - any read failure must become "unread", not a crash
        state.system_log = None
        detail = str(exc).splitlines()[0] if str(exc) else ""
        state.unread[SECTION_SYSTEM_LOG] = (
            f"System Log could not be read ({type(exc).__name__}{': ' + detail if detail else ''})"
        )


LOGS_SCOPE = "okta.logs.read"


def evidence_or_reason(state: OrgState) -> tuple[SystemLogEvidence | None, str | None]:
    """(evidence, None) when System Log evidence is usable, else (None, why not) for controls.

    The reason always names the OAuth scope the System Log needs, so a reviewer knows what to
    grant when the read failed for lack of it.
    """
    reason = state.unread_reason(SECTION_SYSTEM_LOG)
    if reason is None and not isinstance(state.system_log, SystemLogEvidence):
        reason = "System Log evidence was not collected"
    if reason is not None:
        if LOGS_SCOPE not in reason:
            reason = f"{reason} (reading the System Log needs OAuth scope {LOGS_SCOPE})"
        return None, reason
    return state.system_log, None


def window_phrase(evidence: SystemLogEvidence) -> str:
    """``between <since> and <until>`` for finding messages."""
    return f"between {le.iso(evidence.since)} and {le.iso(evidence.until)}"
