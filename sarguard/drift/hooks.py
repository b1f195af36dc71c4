"""Drift of event hooks, matched by name (``eventHook/<name>``).

``channel.config.authScheme.value`` is write-only in Okta (never returned), so it is never
compared: a note says so instead of pretending. Header values that come from a secret are
compared by value but always shown as ``[secret]`` on both sides; credential-like headers
(``X-Api-Key``…) are shown by fingerprint, and cannot be compared when declared as a secret.
URLs are shown with their credential parameters (``sig=``, ``code=``…) by fingerprint; a declared
``{secret:NAME}`` placeholder matches any live value there, which is not compared (a secret).
"""

from __future__ import annotations

from typing import Any

from sarguard.drift.result import Collector
from sarguard.drift.values import SECRET_MASK, is_secret_like, secret_value
from sarguard.model import (
    REPORT_EVENT,
    SECTION_EVENT_HOOKS,
    EventHook,
    OrgState,
    is_unknown,
    key_event_hook,
)
from sarguard.util.credentials import is_credential_header, masked_url, masked_value
from sarguard.util.urlsecrets import matches_template, placeholder_names

# pulumi-okta's EventHook.status defaults to ACTIVE when the program leaves it unset.
DEFAULT_STATUS = "ACTIVE"


def compare_hooks(declared: OrgState, live: OrgState, out: Collector) -> None:
    """Compare declared hooks with live ones; flag live report-event hooks nobody declared."""
    live_by_name: dict[str, list[EventHook]] = {}
    for hook in live.event_hooks:
        if isinstance(hook.name, str):
            live_by_name.setdefault(hook.name, []).append(hook)
    for hooks in live_by_name.values():
        hooks.sort(key=lambda h: str(h.id))

    declared_names: set[str] = set()
    name_unknown = False
    for dh in declared.event_hooks:
        if not isinstance(dh.name, str):
            name_unknown = True
            out.note("eventHook/?: a declared event hook's name is unknown; not compared")
            continue
        declared_names.add(dh.name)
        resource = key_event_hook(dh.name)
        if out.blocked(resource):
            continue
        matches = live_by_name.get(dh.name, [])
        if not matches:
            out.add("missing", resource, "eventHook", declared=_summary(dh, with_id=False))
            continue
        if len(matches) > 1:
            out.note(
                f"{resource}: {len(matches)} live hooks share this name; compared with id "
                f"{matches[0].id}"
            )
        _compare_hook(resource, dh, matches[0], out)
        for extra in matches[1:]:
            if _subscribed(extra):
                out.add("unmanaged", resource, "eventHook", live=_summary(extra))

    _unmanaged_hooks(declared_names, name_unknown, live, out)


def _unmanaged_hooks(
    declared_names: set[str], name_unknown: bool, live: OrgState, out: Collector
) -> None:
    """Live hooks subscribed to the report event that the stack does not declare."""
    reason = live.unread_reason(SECTION_EVENT_HOOKS)
    if reason is not None or name_unknown:
        why = reason or "a declared hook name is unknown"
        out.note(f"eventHooks: unmanaged hooks subscribed to {REPORT_EVENT} not checked ({why})")
        return
    for hook in sorted(live.event_hooks, key=lambda h: (str(h.name), str(h.id))):
        if isinstance(hook.name, str) and hook.name not in declared_names and _subscribed(hook):
            out.add(
                "unmanaged",
                key_event_hook(hook.name),
                "eventHook",
                live=_summary(hook),
                note=f"subscribed to {REPORT_EVENT} but not declared in the stack",
            )


def _subscribed(hook: EventHook) -> bool:
    return not is_unknown(hook.events) and REPORT_EVENT in hook.events


def _summary(hook: EventHook, with_id: bool = True) -> dict[str, Any]:
    """What a whole-hook item shows: identity, never headers or auth."""
    events = None if is_unknown(hook.events) else sorted(hook.events)
    shown: dict[str, Any] = {"status": hook.status, "uri": masked_url(hook.uri), "events": events}
    if with_id:
        shown["id"] = hook.id
    return shown


def _compare_hook(resource: str, dh: EventHook, lh: EventHook, out: Collector) -> None:
    """Field by field; only what the program declares is compared."""
    status = DEFAULT_STATUS if dh.status is None else dh.status
    out.compare(resource, "status", status, lh.status)
    if is_unknown(dh.verification_status):
        out.note(f"{resource}: verificationStatus is unknown in the declared state; not compared")
    elif dh.verification_status == "VERIFIED":
        out.compare(resource, "verificationStatus", "VERIFIED", lh.verification_status)
    _compare_uri(resource, dh.uri, lh.uri, out)
    _compare_headers(resource, dh.headers, lh.headers, out)
    out.compare(resource, "channel.config.authScheme.type", dh.auth_type, lh.auth_type)
    out.compare(resource, "channel.config.authScheme.key", dh.auth_key, lh.auth_key)
    if dh.auth_value_set or dh.auth_key is not None:
        out.note(
            f"{resource}: channel.config.authScheme.value is write-only in Okta and cannot be "
            "compared"
        )
    out.compare(
        resource,
        "events",
        dh.events,
        lh.events,
        key=lambda v: frozenset(v),
        shown=lambda v: sorted(v),
    )


def _compare_uri(resource: str, declared: Any, live: Any, out: Collector) -> None:
    """The delivery URL, credentials masked; placeholders stand for values never compared."""
    field_name = "channel.config.uri"
    names = placeholder_names(declared) if isinstance(declared, str) else []
    if not names or is_unknown(live):
        out.compare(resource, field_name, declared, live, shown=masked_url)
        return
    listed = ", ".join(names)
    if isinstance(live, str) and matches_template(declared, live):
        out.note(f"{resource}: {field_name}: the values of {listed} come from "
                 "sarguard:eventHookUrlSecrets and are not compared (secrets)")
        return
    out.add("changed", resource, field_name, declared=declared, live=masked_url(live),
            note=f"the URL differs outside its secret placeholders ({listed})")


def _compare_headers(resource: str, declared: Any, live: Any, out: Collector) -> None:
    """Headers as a key -> value map; no credential value ever reaches the item.

    Secret values are compared blind and shown as ``[secret]``; a live value whose declared
    counterpart is a secret is masked too (when they match, the live value *is* the secret).
    Credential-like header names (:mod:`sarguard.util.credentials`) are shown by fingerprint on
    both sides, and a secret declared value for one cannot be compared at all, like the auth value.
    """
    field_name = "channel.config.headers"
    if is_unknown(declared):
        out.note(f"{resource}: {field_name} is unknown in the declared state; not compared")
        return
    declared = declared or {}
    live = live or {}
    differs = False
    secret_diffs: list[str] = []
    credential_diffs: list[str] = []
    for key in sorted(set(declared) | set(live), key=str):
        if key not in declared or key not in live:
            differs = True
            continue
        value = declared[key]
        if is_unknown(value):
            out.note(
                f"{resource}: {field_name}.{key} is unknown in the declared state; not compared"
            )
            continue
        if is_secret_like(value):
            known, value = secret_value(value)
            if is_credential_header(key):
                out.note(
                    f"{resource}: {field_name}.{key} is a Pulumi secret in the stack; like the "
                    "auth value, it cannot be compared with the live value"
                )
                continue
            if not known:
                out.note(
                    f"{resource}: {field_name}.{key} is a secret the declared evidence does not "
                    "reveal; its value was not compared"
                )
                continue
            if value != live[key]:
                secret_diffs.append(str(key))
        elif is_credential_header(key) and value != live[key]:
            credential_diffs.append(str(key))
        if value != live[key]:
            differs = True
    if not differs:
        return
    masked = {k for k, v in declared.items() if is_secret_like(v)}
    shown_declared = {k: _shown_header(k, v) for k, v in declared.items()}
    shown_live = {k: (SECRET_MASK if k in masked else _shown_header(k, v)) for k, v in live.items()}
    notes = []
    if secret_diffs:
        notes.append(f"secret header value(s) differ: {', '.join(secret_diffs)}")
    if credential_diffs:
        notes.append(f"credential-like header value(s) differ: {', '.join(credential_diffs)} "
                     "(shown by SHA-256 fingerprint, never by value)")
    out.add("changed", resource, field_name, declared=shown_declared, live=shown_live,
            note="; ".join(notes) or None)


def _shown_header(key: Any, value: Any) -> Any:
    """A header value as a drift item may show it: credential-like ones by fingerprint only."""
    if is_secret_like(value) or not is_credential_header(key):
        return value
    return masked_value(value)
