"""Fail closed: find why a declared resource's live counterpart could not be read.

The live reader records what it could not read in ``OrgState.unread`` under a section key
(``eventHooks``) or a resource key (``eventHook/soc``), possibly a parent of the resource
(``brand/default`` covers every template of that brand). A declared resource under any of those
keys is reported as unread instead of ``missing``: a run never says "in sync" on partial evidence.
"""

from __future__ import annotations

from sarguard.model import (
    SECTION_BRANDS,
    SECTION_EVENT_HOOKS,
    SECTION_NOTIFICATIONS,
    SECTION_ROLE_SUBSCRIPTIONS,
    SECTION_THREAT_INSIGHT,
    OrgState,
)

# First path segment of a resource key -> the section key that covers the whole family.
_FAMILY_SECTION: dict[str, str] = {
    "securityNotificationEmails": SECTION_NOTIFICATIONS,
    "brand": SECTION_BRANDS,
    "eventHook": SECTION_EVENT_HOOKS,
    "roleSubscription": SECTION_ROLE_SUBSCRIPTIONS,
    "threatInsight": SECTION_THREAT_INSIGHT,
}


def _covering_keys(resource: str) -> list[str]:
    """The resource key, its siblings' wildcard (the reader records a failed listing as
    ``…/customization/*``), its parents (nearest first), then its family's section key."""
    parts = resource.split("/")
    keys = ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if len(parts) > 1 and parts[-1] != "*":
        keys.insert(1, "/".join([*parts[:-1], "*"]))
    section = _FAMILY_SECTION.get(parts[0])
    if section is not None and section not in keys:
        keys.append(section)
    return keys


def unread_reason(live: OrgState, *resources: str) -> str | None:
    """Why the live side of any of ``resources`` was not read, or None when it was.

    Several keys may name the same resource (a brand by key and by id); the first hit wins.
    The reason names the unread key when it is a parent or section, so a report says what failed.
    """
    for resource in resources:
        for key in _covering_keys(resource):
            if key in live.unread:
                reason = live.unread[key]
                if key == resource:
                    return f"not read from the live org: {reason}"
                return f"live {key} not read: {reason}"
    return None
