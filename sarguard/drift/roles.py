"""Drift of admin role subscriptions (``roleSubscription/<ROLE>/<NOTIFICATION_TYPE>``).

In pulumi-okta 7.x a declared subscription's existence means "subscribed". Okta lists every
notification type for a role with a status, so a declared one that is live ``unsubscribed`` is a
changed ``status``; one Okta does not list at all is ``missing`` (field ``roleSubscription``).
A live ``subscribed`` report subscription for a role the stack does not declare is ``unmanaged``.
"""

from __future__ import annotations

from sarguard.drift.result import Collector
from sarguard.model import (
    REPORT_NOTIFICATION,
    SECTION_ROLE_SUBSCRIPTIONS,
    OrgState,
    RoleSubscription,
    key_role_subscription,
)


def compare_role_subscriptions(declared: OrgState, live: OrgState, out: Collector) -> None:
    """Compare declared subscriptions; flag undeclared live report subscriptions."""
    live_by_key: dict[str, RoleSubscription] = {}
    for sub in live.role_subscriptions:
        if isinstance(sub.role, str) and isinstance(sub.notification_type, str):
            live_by_key.setdefault(key_role_subscription(sub.role, sub.notification_type), sub)

    declared_keys: set[str] = set()
    unknown = False
    for sub in declared.role_subscriptions:
        if not isinstance(sub.role, str) or not isinstance(sub.notification_type, str):
            unknown = True
            out.note(
                "roleSubscription/?: a declared subscription's role or type is unknown; "
                "not compared"
            )
            continue
        resource = key_role_subscription(sub.role, sub.notification_type)
        declared_keys.add(resource)
        if out.blocked(resource, f"roleSubscription/{sub.role}"):
            continue
        match = live_by_key.get(resource)
        if match is None:
            out.add("missing", resource, "roleSubscription", declared=sub.status)
        else:
            out.compare(resource, "status", sub.status, match.status)

    reason = live.unread_reason(SECTION_ROLE_SUBSCRIPTIONS)
    if reason is not None or unknown:
        why = reason or "a declared role is unknown"
        out.note(
            f"roleSubscriptions: unmanaged {REPORT_NOTIFICATION} subscriptions not checked ({why})"
        )
        return
    for resource, sub in sorted(live_by_key.items()):
        if (
            sub.notification_type == REPORT_NOTIFICATION
            and sub.status == "subscribed"
            and resource not in declared_keys
        ):
            out.add(
                "unmanaged",
                resource,
                "roleSubscription",
                live=sub.status,
                note="subscribed in the live org but not declared in the stack",
            )
