"""SAR-07: event hook subscriptions are ones Okta will accept and deliver.

Why: Okta rejects a hook that names an unknown or non-hook-eligible event type, more than 300
types, or a 26th active hook -- which fails ``pulumi up`` halfway or, live, means events the SOC
believes it receives never arrive. An optional host allow-list keeps reports inside the SOC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sarguard.controls._helpers import finding, listing, unread_for, url_host
from sarguard.controls._hooks import hook_key
from sarguard.controls.base import Control, Finding
from sarguard.model import ORG, SECTION_EVENT_HOOKS, EventHook, OrgState, is_unknown

ID = "SAR-07"
LIMIT_RULE = "SAR-07/active-limit"  # the org-wide count of ACTIVE hooks (Okta allows 25)
MAX_EVENTS_PER_HOOK = 300
MAX_ACTIVE_HOOKS = 25


def host_allowed(host: str, allowed: list[str]) -> bool:
    """Exact host match, or ``*.example.com`` for any subdomain of example.com."""
    host = host.lower().rstrip(".")
    for pattern in allowed:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern:
            return True
    return False


def _event_problems(events: list[Any]) -> tuple[list[str], bool]:
    """(problems, any_unknown) for one hook's event list."""
    from sarguard.systemlog.eventcatalog import lookup  # data-backed; loaded on first use

    problems: list[str] = []
    unknown = False
    unknown_types: list[str] = []
    ineligible: list[str] = []
    for event in events:
        if is_unknown(event):
            unknown = True
            continue
        entry = lookup(str(event))
        if entry is None:
            unknown_types.append(str(event))
        elif not entry.hook_eligible:
            ineligible.append(str(event))
    if unknown_types:
        problems.append(f"subscribes to event types Okta does not publish: {listing(unknown_types)}")
    if ineligible:
        problems.append(f"subscribes to event types that are not event-hook-eligible: "
                        f"{listing(ineligible)}")
    if len(events) > MAX_EVENTS_PER_HOOK:
        problems.append(f"subscribes to {len(events)} event types (Okta allows at most "
                        f"{MAX_EVENTS_PER_HOOK} per hook)")
    return problems, unknown


def _judge_hook(hook: EventHook, allowed: list[str] | None) -> tuple[str, str]:
    if is_unknown(hook.events):
        return "not_evaluated", "the hook's event list cannot be known during preview"
    problems, unknown = _event_problems(list(hook.events or []))
    if not hook.events:
        problems.append("subscribes to no event types")
    if allowed:
        if is_unknown(hook.uri):
            unknown = True
        else:
            host = url_host(hook.uri) if isinstance(hook.uri, str) else None
            if not host or not host_allowed(host, allowed):
                problems.append(f"delivers to host {host or '(none)'}, which is not in allowedHosts")
    if problems:
        return "fail", "hook " + "; ".join(problems)
    if unknown:
        return "not_evaluated", "some of the hook's event types or its URL cannot be known during preview"
    return "pass", f"hook subscribes to {len(hook.events)} valid, hook-eligible event type(s)"


def evaluate(state: OrgState, options: Mapping[str, Any]) -> list[Finding]:
    reason = unread_for(state, SECTION_EVENT_HOOKS)
    if reason:
        return [finding(ID, "not_evaluated", ORG, f"event hooks could not be read: {reason}")]
    allowed = options.get("allowedHosts") or None
    out: list[Finding] = []
    for hook in state.event_hooks:
        key = hook_key(hook)
        hook_reason = unread_for(state, key)
        if hook_reason:
            out.append(finding(ID, "not_evaluated", key, f"hook could not be read: {hook_reason}",
                               urn=hook.urn))
            continue
        status, message = _judge_hook(hook, allowed)
        out.append(finding(ID, status, key, message, urn=hook.urn, rule="SAR-07/hook-events"))
    active = sum(1 for h in state.event_hooks if h.status == "ACTIVE")
    maybe = sum(1 for h in state.event_hooks if is_unknown(h.status))
    if active > MAX_ACTIVE_HOOKS:
        out.append(finding(ID, "fail", ORG, f"{active} event hooks are ACTIVE; Okta allows at most "
                                            f"{MAX_ACTIVE_HOOKS}", active=active, rule=LIMIT_RULE))
    elif active + maybe > MAX_ACTIVE_HOOKS:
        out.append(finding(ID, "not_evaluated", ORG, f"{active} event hooks are ACTIVE and {maybe} "
                           "more have a status that cannot be known during preview; Okta allows at "
                           f"most {MAX_ACTIVE_HOOKS}", rule=LIMIT_RULE))
    else:
        out.append(finding(ID, "pass", ORG, f"{active} of at most {MAX_ACTIVE_HOOKS} event hooks "
                                            "are ACTIVE", active=active, rule=LIMIT_RULE))
    return out


CONTROL = Control(
    id=ID,
    policy_name="sar-07-hook-events-valid",
    title="Event hook subscriptions are valid and within Okta's limits",
    severity="medium",
    default_level="mandatory",
    rationale=("Okta only accepts published, event-hook-eligible event types, at most 300 per hook "
               "and 25 active hooks per org; a subscription outside these rules is rejected on "
               "apply or never delivers. allowedHosts keeps report deliveries on approved hosts."),
    remediation=("Fix sarguard:settings.eventHook.events (and url) in stacks/Pulumi.<stack>.yaml: "
                 "use only types listed by `sarguard events --eligible`, at most 300, then `pulumi "
                 "up`. Deactivate unused hooks (Admin Console: Workflow > Event Hooks > Actions > "
                 "Deactivate) to stay within 25 active hooks."),
    references=(
        "https://developer.okta.com/docs/reference/api/event-types/?q=event-hook-eligible",
        "https://developer.okta.com/docs/concepts/event-hooks/",
    ),
    evaluate=evaluate,
    options_schema={
        "allowedHosts": {
            "type": "array",
            "description": ("Hosts hooks may deliver to (exact, or *.domain for subdomains); "
                            "empty allows any host."),
            "items": {"type": "string", "minLength": 1},
            "default": [],
        },
    },
)

# Framework mappings: sarguard's own (no framework publishes one for this feature); the
# catalog attaches them to CONTROL (see sarguard.controls.frameworks).
FRAMEWORKS: dict[str, dict[str, str]] = {
    "nist-800-53": {
        "IR-6(1)": "The hook subscribes to event types Okta can actually deliver, within its limits.",
        "SI-4": "A valid subscription keeps the monitored events flowing to the SOC.",
        "CM-6": "Event types and hook limits are configuration settings checked before they apply.",
    },
    "iso-27001": {
        "A.6.8": "An invalid subscription silently drops the reports it was meant to carry.",
        "A.8.16": "The monitored events reach the monitoring systems.",
    },
    "cis-v8": {
        "17.3": "The reporting process does not silently drop the events it depends on.",
    },
}
