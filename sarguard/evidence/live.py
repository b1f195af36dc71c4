"""Live evidence: read the org through the Management API into an ``OrgState``.

Fewest calls: one list of brands, one template listing per brand (with recipients and
customization counts embedded), customizations only where a link template is customized, one
call each for hooks, the two role subscriptions and ThreatInsight, one for the internal
notification switches. Sections are read concurrently. Fail closed: anything that could not be
read goes into ``state.unread`` with the reason (the missing scope, the needed credential); a
credential that is refused outright raises ``OktaAuthError`` because nothing can be read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from sarguard.model import (
    ALLOWED_REPORT_ROLES,
    LINK_TEMPLATES,
    NOTIFICATION_FIELDS,
    REPORT_NOTIFICATION,
    SECTION_BRANDS,
    SECTION_EVENT_HOOKS,
    SECTION_NOTIFICATIONS,
    SECTION_ROLE_SUBSCRIPTIONS,
    SECTION_THREAT_INSIGHT,
    Brand,
    Customization,
    EventHook,
    NotificationSettings,
    OrgState,
    RoleSubscription,
    Template,
    ThreatInsight,
    key_customization,
    key_role_subscription,
    key_template_settings,
)
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import (
    OktaApiError,
    OktaAuthError,
    OktaDeadlineError,
    OktaError,
    deadline_reason,
)
from sarguard.okta.logs import aiter_logs, iter_logs
from sarguard.okta.shapes import check_shape
from sarguard.util.redaction import register as register_secrets

__all__ = [
    "read_live_state",
    "read_live_state_sync",
    "aiter_logs",
    "iter_logs",
    "NOTIFICATIONS_PATH",
    "SSWS_ONLY_REASON",
]

Progress = Callable[[str, int, int], None]

NOTIFICATIONS_PATH = "/api/internal/org/settings/security-notification-settings"
SSWS_ONLY_REASON = (
    "the notification switches are only readable with an SSWS API token (OKTA_API_TOKEN); "
    "the OAuth service app was refused by the internal endpoint (HTTP 401 E0000011)"
)
DEFAULT_BRAND_KEY = "default"  # the default brand's key in OrgState.brands
PAGE = 200  # the largest ``limit`` Okta's spec allows (components.parameters.queryLimit: max 200)
# Page caps per family, at ``limit=200``, sized from Okta's own limits (only the System Log may
# be long; the run's --deadline bounds it). A list still going past its cap is not Okta's.
# - brands (GET /api/v1/brands, queryAfter + queryLimit): an org has one default brand plus
#   custom brands, each shown through its own custom domain, and Okta allows up to 3 custom
#   domains, 200 on request (developer.okta.com/docs/concepts/brands, "Multibrand and custom
#   domains"): 2 pages; 5 leaves room.
# - a brand's email templates (GET /api/v1/brands/{brandId}/templates/email): a fixed set of
#   Okta templates (31 in sarguard/data/email_templates.json): 1 page.
# - a template's customizations (.../templates/email/{templateName}/customizations): one per
#   language, and Okta has 27 (sarguard/data/languages.json; custom languages are an EA
#   addition): 1 page.
# - event hooks (GET /api/v1/eventHooks) and a role's subscription
#   (GET /api/v1/roles/{roleRef}/subscriptions/{notificationType}): the spec gives them no
#   pagination parameters at all, so they are one answer; a ``next`` link there is refused.
BRANDS_MAX_PAGES = 5
TEMPLATES_MAX_PAGES = 5
CUSTOMIZATIONS_MAX_PAGES = 5
UNPAGED = 1


class _Progress:
    """Per-phase counters forwarded to the caller's ``progress(phase, done, total)``."""

    def __init__(self, callback: Progress | None) -> None:
        self._callback = callback
        self._done: dict[str, int] = {}
        self._total: dict[str, int] = {}

    def expect(self, phase: str, count: int = 1) -> None:
        if count <= 0:
            return
        self._total[phase] = self._total.get(phase, 0) + count
        self._emit(phase)

    def advance(self, phase: str, count: int = 1) -> None:
        self._done[phase] = self._done.get(phase, 0) + count
        self._emit(phase)

    def _emit(self, phase: str) -> None:
        if self._callback is not None:
            self._callback(phase, self._done.get(phase, 0), self._total.get(phase, 0))


def describe_failure(exc: OktaError, what: str) -> str:
    """The ``unread`` reason: name the missing scope or credential when that is the cause,
    and say plainly when the run's deadline passed."""
    if isinstance(exc, OktaDeadlineError):
        return deadline_reason(what, exc.seconds)
    if isinstance(exc, OktaApiError) and exc.status == 403:
        code = f" {exc.error_code}" if exc.error_code else ""
        if exc.scope:
            return (
                f"cannot read {what}: missing OAuth scope {exc.scope} (HTTP 403{code}); grant "
                f"it to the service app and add it to OKTA_API_SCOPES"
            )
        return (
            f"cannot read {what}: the API token's admin lacks permission (HTTP 403{code}); "
            "use a super admin or read-only admin token"
        )
    return f"cannot read {what}: {exc}"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- sections ----------------------------------------------------------------------------


async def _read_notifications(client: OktaClient, state: OrgState, progress: _Progress) -> None:
    progress.expect("notifications")
    try:
        if client.endpoint.admin_url is None:
            state.unread[SECTION_NOTIFICATIONS] = (
                client.endpoint.admin_missing_reason or "the org's admin host is unknown"
            )
            return
        try:
            data = await client.get_json(NOTIFICATIONS_PATH, admin=True)
            check_shape("notifications", data, NOTIFICATIONS_PATH)
        except OktaAuthError:
            raise
        except OktaApiError as exc:
            if exc.status == 401 and client.auth.kind == "oauth":
                state.unread[SECTION_NOTIFICATIONS] = SSWS_ONLY_REASON
            else:
                state.unread[SECTION_NOTIFICATIONS] = describe_failure(
                    exc, "the security notification switches"
                )
            return
        except OktaError as exc:
            state.unread[SECTION_NOTIFICATIONS] = describe_failure(
                exc, "the security notification switches"
            )
            return
        body = _dict(data)
        values = {f: body[f] for f in NOTIFICATION_FIELDS.values() if isinstance(body.get(f), bool)}
        missing = [f for f in NOTIFICATION_FIELDS.values() if f not in values]
        if missing:
            state.unread[SECTION_NOTIFICATIONS] = (
                "the security notification settings response lacks boolean "
                + ", ".join(missing)
            )
            return
        state.notifications = NotificationSettings(values=dict(values))
        extras = {
            k: body[k]
            for k in ("customizedEmailsList", "customizedEmailsWithReportButtonList")
            if isinstance(body.get(k), list)
        }
        if extras:
            state.meta["notifications"] = extras
    finally:
        progress.advance("notifications")


async def _read_brands(
    client: OktaClient, state: OrgState, wanted: set[str] | None, progress: _Progress
) -> None:
    progress.expect("brands")
    try:
        items = await client.get_all("/api/v1/brands", params={"limit": PAGE},
                                     max_pages=BRANDS_MAX_PAGES)
        check_shape("brands", items, "/api/v1/brands")
    except OktaAuthError:
        raise
    except OktaError as exc:
        state.unread[SECTION_BRANDS] = describe_failure(exc, "the brands")
        return
    finally:
        progress.advance("brands")
    defaults = sum(1 for item in items if _dict(item).get("isDefault") is True)
    if defaults != 1:
        # Every org has exactly one default brand: an answer without one is not the org's
        # brand list, and judging SAR-03/04/09 on it would pass on evidence never seen.
        state.unread[SECTION_BRANDS] = (
            "the org returned no default brand (every Okta org has one)" if defaults == 0
            else f"the org returned {defaults} default brands (an Okta org has exactly one)")
        return
    brands: list[Brand] = []
    for item in items:
        body = _dict(item)
        brand_id = _str(body.get("id"))
        if brand_id is None:
            state.unread[SECTION_BRANDS] = "the brands response has an entry without an id"
            return
        is_default = body.get("isDefault") is True
        if brand_id == DEFAULT_BRAND_KEY and not is_default:
            # Brands are keyed "default" (the default brand) or by id: a non-default brand
            # whose id is literally "default" would stand in for the real default brand (its
            # evidence replacing the default's). Okta's ids are generated (bnd...), so such an
            # answer is refused: the brands are unread, the brand named.
            name = _str(body.get("name"))
            state.unread[SECTION_BRANDS] = (
                f"refusing the org's brands: the non-default brand {name!r} has the id "
                f"'default', which would stand in for the org's default brand")
            return
        brands.append(
            Brand(
                key=DEFAULT_BRAND_KEY if is_default else brand_id,
                id=brand_id,
                name=_str(body.get("name")),
                is_default=is_default,
            )
        )
    if wanted is not None:
        matched = {w for b in brands for w in wanted if w in (b.key, b.id, b.name)}
        brands = [b for b in brands if {b.key, b.id, b.name} & wanted]
        for name in sorted(wanted - matched):
            state.unread[f"brand/{name}"] = f"no brand with the key, id or name {name!r}"
    for brand in brands:
        state.brands[brand.key] = brand
    progress.expect("templates", len(brands))
    await asyncio.gather(*(_read_templates(client, state, b, progress) for b in brands))


async def _read_templates(
    client: OktaClient, state: OrgState, brand: Brand, progress: _Progress
) -> None:
    path = f"/api/v1/brands/{quote(str(brand.id), safe='')}/templates/email"
    params = {"expand": "settings,customizationCount", "limit": PAGE}
    try:
        items = await client.get_all(path, params=params, max_pages=TEMPLATES_MAX_PAGES)
        check_shape("templates", items, path)
    except OktaAuthError:
        raise
    except OktaError as exc:
        reason = describe_failure(exc, f"the email templates of brand {brand.key}")
        for name in LINK_TEMPLATES:
            state.unread[key_template_settings(brand.key, name)] = reason
            # Every brand has these templates: keep them with nothing known (no recipients, no
            # customization count) so controls and drift say not_evaluated/unread for them
            # instead of skipping them, which could read as a pass or as missing customizations.
            brand.templates[name] = Template(name=name)
        return
    finally:
        progress.advance("templates")
    listed = {_str(_dict(i).get("name")): _dict(i) for i in items}
    for name in LINK_TEMPLATES:
        key = key_template_settings(brand.key, name)
        item = listed.get(name)
        if item is None:
            state.unread[key] = f"the template {name} is not listed for brand {brand.key}"
            continue
        embedded = _dict(item.get("_embedded"))
        recipients = _str(_dict(embedded.get("settings")).get("recipients"))
        count = embedded.get("customizationCount")
        count = count if isinstance(count, int) and not isinstance(count, bool) else None
        brand.templates[name] = Template(name=name, recipients=recipients, customization_count=count)
        if recipients is None:
            state.unread[key] = f"the API returned no recipients setting for {name}"
    customized = [
        t for t in brand.templates.values()
        if t.customization_count is None or t.customization_count > 0
    ]
    progress.expect("customizations", len(customized))
    await asyncio.gather(
        *(_read_customizations(client, state, brand, t, progress) for t in customized)
    )


async def _read_customizations(
    client: OktaClient, state: OrgState, brand: Brand, template: Template, progress: _Progress
) -> None:
    path = (
        f"/api/v1/brands/{quote(str(brand.id), safe='')}/templates/email/"
        f"{quote(template.name, safe='')}/customizations"
    )
    try:
        items = await client.get_all(path, params={"limit": PAGE},
                                     max_pages=CUSTOMIZATIONS_MAX_PAGES)
        check_shape("customizations", items, path)
    except OktaAuthError:
        raise
    except OktaError as exc:
        state.unread[key_customization(brand.key, template.name, "*")] = describe_failure(
            exc, f"the customizations of {template.name} (brand {brand.key})"
        )
        return
    finally:
        progress.advance("customizations")
    for item in items:
        body = _dict(item)
        is_default = body.get("isDefault")
        template.customizations.append(
            Customization(
                language=_str(body.get("language")),
                subject=_str(body.get("subject")),
                body=_str(body.get("body")),
                is_default=is_default if isinstance(is_default, bool) else None,
                id=_str(body.get("id")),
            )
        )


def _event_hook(item: Any) -> EventHook:
    body = _dict(item)
    channel = _dict(body.get("channel"))
    config = _dict(channel.get("config"))
    scheme = _dict(config.get("authScheme"))  # its ``value`` is write-only: never returned
    headers = {
        h["key"]: h.get("value")
        for h in config.get("headers") or []
        if isinstance(h, dict) and isinstance(h.get("key"), str)
    }
    events = [e for e in _dict(body.get("events")).get("items") or [] if isinstance(e, str)]
    return EventHook(
        name=_str(body.get("name")) or _str(body.get("id")) or "",
        id=_str(body.get("id")),
        status=_str(body.get("status")),
        verification_status=_str(body.get("verificationStatus")),
        channel_type=_str(channel.get("type")),
        channel_version=_str(channel.get("version")),
        uri=_str(config.get("uri")),
        headers=headers,
        auth_type=_str(scheme.get("type")),
        auth_key=_str(scheme.get("key")),
        auth_value_set=None,
        events=events,
    )


async def _read_event_hooks(client: OktaClient, state: OrgState, progress: _Progress) -> None:
    progress.expect("eventHooks")
    try:
        # Not paged (no limit/after in the spec): one answer; a next link is refused.
        items = await client.get_all("/api/v1/eventHooks", max_pages=UNPAGED)
        check_shape("eventHooks", items, "/api/v1/eventHooks")
    except OktaAuthError:
        raise
    except OktaError as exc:
        state.unread[SECTION_EVENT_HOOKS] = describe_failure(exc, "the event hooks")
        return
    finally:
        progress.advance("eventHooks")
    state.event_hooks = [_event_hook(item) for item in items]


async def _read_role_subscription(
    client: OktaClient, role: str, progress: _Progress
) -> RoleSubscription | str:
    """The role's subscription, or the reason it could not be read."""
    path = f"/api/v1/roles/{role}/subscriptions/{REPORT_NOTIFICATION}"
    try:
        data = await client.get_json(path, unpaged=True)
        check_shape("roleSubscription", data, path)
    except OktaAuthError:
        raise
    except OktaError as exc:
        return describe_failure(exc, f"the {role} {REPORT_NOTIFICATION} subscription")
    finally:
        progress.advance("roleSubscriptions")
    status = _str(_dict(data).get("status"))
    if status not in ("subscribed", "unsubscribed"):
        return f"the {role} {REPORT_NOTIFICATION} subscription has no valid status"
    return RoleSubscription(role=role, notification_type=REPORT_NOTIFICATION, status=status)


async def _read_role_subscriptions(
    client: OktaClient, state: OrgState, progress: _Progress
) -> None:
    progress.expect("roleSubscriptions", len(ALLOWED_REPORT_ROLES))
    results = await asyncio.gather(
        *(_read_role_subscription(client, role, progress) for role in ALLOWED_REPORT_ROLES)
    )
    failures = {
        role: r for role, r in zip(ALLOWED_REPORT_ROLES, results, strict=True) if isinstance(r, str)
    }
    if len(failures) == len(ALLOWED_REPORT_ROLES):
        state.unread[SECTION_ROLE_SUBSCRIPTIONS] = next(iter(failures.values()))
        return
    for role, result in zip(ALLOWED_REPORT_ROLES, results, strict=True):
        if isinstance(result, RoleSubscription):
            state.role_subscriptions.append(result)
        else:
            state.unread[key_role_subscription(role)] = result


async def _read_threat_insight(client: OktaClient, state: OrgState, progress: _Progress) -> None:
    progress.expect("threatInsight")
    try:
        data = await client.get_json("/api/v1/threats/configuration")
        check_shape("threatInsight", data, "/api/v1/threats/configuration")
    except OktaAuthError:
        raise
    except OktaError as exc:
        state.unread[SECTION_THREAT_INSIGHT] = describe_failure(exc, "the ThreatInsight settings")
        return
    finally:
        progress.advance("threatInsight")
    body = _dict(data)
    zones = [z for z in body.get("excludeZones") or [] if isinstance(z, str)]
    state.threat_insight = ThreatInsight(action=_str(body.get("action")), exclude_zones=zones)


# -- entry points ------------------------------------------------------------------------


async def read_live_state(
    client: OktaClient,
    *,
    brands: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> OrgState:
    """Read the org into an ``OrgState`` (source ``live``).

    ``brands`` limits the brands read (by key ``default``, id or name). Raises
    ``OktaAuthError`` when the credential is refused; every other failure becomes an
    ``unread`` entry.
    """
    started = time.perf_counter()
    state = OrgState(source="live")
    register_secrets(state.credential_header_values)  # while the state lives, masked everywhere
    state.meta["org"] = client.endpoint.url
    state.meta["auth"] = client.auth.kind
    tracker = _Progress(progress)
    await client.check_credentials()
    wanted = set(brands) if brands is not None else None
    results = await asyncio.gather(
        _read_notifications(client, state, tracker),
        _read_brands(client, state, wanted, tracker),
        _read_event_hooks(client, state, tracker),
        _read_role_subscriptions(client, state, tracker),
        _read_threat_insight(client, state, tracker),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result
    state.meta["api"] = client.stats.as_dict()
    if client.stats.warnings:
        state.meta["warnings"] = list(client.stats.warnings)
    state.meta["read_seconds"] = round(time.perf_counter() - started, 3)
    return state


def read_live_state_sync(
    client: OktaClient,
    *,
    brands: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> OrgState:
    """``read_live_state`` in a fresh event loop (closes the loop's connections after)."""
    found: list[OrgState] = []

    async def run() -> None:
        # The state is handed over through ``found``, not returned: on its way out
        # ``asyncio.run`` reprs the finished main task (signal handler bookkeeping), and the
        # repr of a large org's state costs a tenth of a second or more.
        try:
            found.append(await read_live_state(client, brands=brands, progress=progress))
        finally:
            await client.aclose()

    asyncio.run(run())
    return found[0]
