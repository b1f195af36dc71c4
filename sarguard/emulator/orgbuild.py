"""Turn a validated seed into the live :class:`OrgStore`.

Why separate from validation: validation is about the file (messages with key paths); building
is about Okta's defaults (every brand has every template, the first customization is the
default, relative times become absolute) and runs only on data already known to be good.
"""

from __future__ import annotations

import copy
from typing import Any

from sarguard.emulator.keys import load_public_key
from sarguard.emulator.state import (
    NOTIFICATION_FIELDS,
    TEMPLATE_NAMES,
    Brand,
    Customization,
    EventHook,
    IdFactory,
    OAuthClient,
    OrgStore,
    Template,
    User,
    log_sort_key,
)
from sarguard.emulator.timeutil import iso, relative_seconds, resolve_time

_DAY = 86400.0

# Every Okta org has the system zones LegacyIpZone (policy) and BlockedIpZone (block list).
DEFAULT_ZONES = [
    {"id": "nzo1legacyIpZone0001", "name": "LegacyIpZone", "usage": "POLICY", "system": True},
    {"id": "nzo1blockedIpZone001", "name": "BlockedIpZone", "usage": "BLOCKLIST", "system": True},
]


def build_store(data: dict[str, Any], *, token: str, now: float, rng_seed: int) -> OrgStore:
    """The org described by ``data`` (already validated), with ``token`` as the admin's token."""
    store = OrgStore(org_name=data["org"]["name"], ids=IdFactory(rng_seed))
    long_ago = iso(now - 365 * _DAY)
    month_ago = iso(now - 30 * _DAY)

    def when(value: str | None, default: str) -> str:
        return resolve_time(value, now) if value else default

    for user in data["users"]:
        created = when(user.get("created"), long_ago)
        store.users[user["id"]] = User(
            id=user["id"],
            login=user["login"],
            email=user.get("email", user["login"]),
            first_name=user["firstName"],
            last_name=user["lastName"],
            created=created,
            status=user.get("status", "ACTIVE"),
            status_changed=created,
            last_updated=created,
            last_login=when(user.get("lastLogin"), created),
            password_changed=when(user.get("passwordChanged"), created),
        )
    store.tokens[token] = data["users"][0]["id"]
    for extra in data.get("tokens", []):
        store.tokens[extra["token"]] = extra["user"]

    store.notifications = {name: True for name in NOTIFICATION_FIELDS}
    store.notifications.update(data.get("notifications", {}))

    brands = data.get("brands") or [
        {"id": store.ids.new("bnd"), "name": store.org_name, "isDefault": True}
    ]
    for seed_brand in brands:
        brand = _build_brand(seed_brand, store.ids, when, month_ago)
        store.brands[brand.id] = brand

    for seed_hook in data.get("eventHooks", []):
        hook = _build_hook(seed_hook, store, when, month_ago)
        store.event_hooks[hook.id] = hook

    for role in data.get("customRoles", []):
        store.custom_roles[role["id"]] = role["label"]
    for role, subs in (data.get("roleSubscriptions") or {}).items():
        store.role_subscriptions[role] = dict(subs)

    ti = data.get("threatInsight", {"action": "none"})
    store.threat_insight = {
        "action": ti["action"],
        "excludeZones": list(ti.get("excludeZones", [])),
        "created": when(ti.get("created"), long_ago),
        "lastUpdated": when(ti.get("lastUpdated"), month_ago),
    }

    for zone in data.get("zones", DEFAULT_ZONES):
        store.zones[zone["id"]] = {
            "id": zone["id"], "name": zone["name"], "usage": zone.get("usage", "POLICY"),
            "status": zone.get("status", "ACTIVE"), "system": bool(zone.get("system", False)),
            "gateways": [dict(g) for g in zone.get("gateways", [])],
            "proxies": [dict(p) for p in zone.get("proxies", [])],
            "created": when(zone.get("created"), long_ago),
            "lastUpdated": when(zone.get("lastUpdated"), month_ago),
        }

    store.logs = sorted((_build_event(e, now) for e in data.get("systemLog", [])), key=log_sort_key)

    for client in data.get("oauthClients", []):
        store.oauth_clients[client["clientId"]] = OAuthClient(
            client_id=client["clientId"],
            public_keys=[load_public_key(client["publicKey"])],
            scopes=frozenset(client["scopes"]),
            dpop=bool(client.get("dpop", False)),
        )
    return store


def _build_brand(seed: dict[str, Any], ids: IdFactory, when: Any, default_time: str) -> Brand:
    brand = Brand(
        id=seed["id"],
        name=seed["name"],
        is_default=bool(seed.get("isDefault", False)),
        locale=seed.get("locale", "en"),
        remove_powered_by_okta=bool(seed.get("removePoweredByOkta", False)),
        custom_privacy_policy_url=seed.get("customPrivacyPolicyUrl"),
        templates={name: Template(name) for name in TEMPLATE_NAMES},
    )
    for name, seed_template in (seed.get("templates") or {}).items():
        template = brand.templates[name]
        template.recipients = seed_template.get("recipients", "ALL_USERS")
        for item in seed_template.get("customizations", []):
            created = when(item.get("created"), default_time)
            template.customizations.append(Customization(
                id=item.get("id") or ids.new("oel"),
                language=item["language"],
                subject=item["subject"],
                body=item["body"],
                is_default=bool(item.get("isDefault", False)),
                created=created,
                last_updated=when(item.get("lastUpdated"), created),
            ))
        if template.customizations and template.default_customization() is None:
            template.customizations[0].is_default = True  # Okta: the first one is the default
    return brand


def _build_hook(seed: dict[str, Any], store: OrgStore, when: Any, default_time: str) -> EventHook:
    channel = seed["channel"]
    auth = channel.get("authScheme") or {}
    created = when(seed.get("created"), default_time)
    return EventHook(
        id=seed.get("id") or store.ids.new("who"),
        name=seed["name"],
        description=seed.get("description"),
        events=list(seed["events"]),
        uri=channel["uri"],
        headers=[{"key": h["key"], "value": h["value"]} for h in channel.get("headers", [])],
        auth_type=auth.get("type"),
        auth_key=auth.get("key"),
        auth_value=auth.get("value"),
        status=seed.get("status", "ACTIVE"),
        verification_status=seed.get("verificationStatus", "UNVERIFIED"),
        created=created,
        last_updated=when(seed.get("lastUpdated"), created),
        created_by=seed.get("createdBy") or next(iter(store.users)),
        verification_fails=bool(seed.get("verificationFails", False)),
    )


def _build_event(seed: dict[str, Any], now: float) -> dict[str, Any]:
    """A LogEvent with relative times resolved (``published`` and debugData ``*Timestamp``)."""
    event = copy.deepcopy(seed)
    event["published"] = resolve_time(event["published"], now)
    event.setdefault("version", "0")
    debug = (event.get("debugContext") or {}).get("debugData")
    if isinstance(debug, dict):
        for key, value in debug.items():
            if key.endswith("Timestamp") and isinstance(value, str) \
                    and relative_seconds(value) is not None:
                debug[key] = resolve_time(value, now)
    return event
