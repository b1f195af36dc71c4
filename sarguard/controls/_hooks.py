"""Which event hooks carry the report event, and whether one can deliver it (SAR-05/06/07)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sarguard.controls._helpers import uri_problem
from sarguard.model import REPORT_EVENT, EventHook, is_unknown, key_event_hook


def hook_label(hook: EventHook) -> str:
    """The hook's name for resource keys, even when the name is unknown during preview."""
    if isinstance(hook.name, str) and hook.name:
        return hook.name
    return hook.resource_name or "unknown-name"


def hook_key(hook: EventHook) -> str:
    return key_event_hook(hook_label(hook))


def subscription(hook: EventHook) -> str:
    """``yes`` / ``no`` / ``unknown``: is the hook subscribed to the report event?"""
    if is_unknown(hook.events):
        return "unknown"
    events = list(hook.events or [])
    if REPORT_EVENT in events:
        return "yes"
    if any(is_unknown(e) for e in events):
        return "unknown"
    return "no"


def report_hooks(hooks: list[EventHook]) -> list[EventHook]:
    """Hooks that are, or may be (events unknown), subscribed to the report event."""
    return [h for h in hooks if subscription(h) != "no"]


@dataclass
class Delivery:
    """Can this hook deliver the report event? ``problems`` are definite, ``unknowns`` open."""

    problems: list[str] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.problems:
            return "bad"
        return "unknown" if self.unknowns else "ok"


def delivery(hook: EventHook) -> Delivery:
    """Judge subscription, status, URL and verification of one hook."""
    d = Delivery()
    sub = subscription(hook)
    if sub == "unknown":
        d.unknowns.append("its event list cannot be known during preview")
    elif sub == "no":
        d.problems.append(f"is not subscribed to {REPORT_EVENT}")
    if is_unknown(hook.status):
        d.unknowns.append("its status cannot be known during preview")
    elif hook.status != "ACTIVE":
        d.problems.append(f"is not ACTIVE (status {hook.status or 'not set'})")
    if is_unknown(hook.uri):
        d.unknowns.append("its delivery URL cannot be known during preview")
    elif hook.channel_opaque:
        d.unknowns.append("its delivery URL is stored as one encrypted Pulumi secret in this "
                          "evidence (filled from sarguard:eventHookUrlSecrets); `sarguard check "
                          "--stack` judges it from the stack settings")
    else:
        problem = uri_problem(hook.uri)
        if problem:
            d.problems.append(problem)
    if is_unknown(hook.verification_status):
        d.unknowns.append("whether it is verified cannot be known during preview")
    elif hook.verification_status != "VERIFIED":
        d.problems.append("is not verified (only verified hooks receive events)")
    return d
