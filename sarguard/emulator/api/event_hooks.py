"""Event hooks: CRUD, lifecycle (activate/deactivate) and verification.

Okta's rules kept here: a new hook is ACTIVE and UNVERIFIED; ``authScheme.value`` is
write-only and never rendered; changing the channel makes the hook UNVERIFIED again; only an
INACTIVE hook may be deleted; the endpoint must be https (plain http is accepted for loopback
hosts so tests can serve a real endpoint).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sarguard.emulator.api.context import ApiContext, href
from sarguard.emulator.errors import ApiError, not_found, validation_failed
from sarguard.emulator.hookverify import verify_loopback
from sarguard.emulator.routing import Handler, Request, Response, Router
from sarguard.emulator.state import EventHook, OrgStore
from sarguard.util.netutil import is_loopback_host as is_loopback

MAX_EVENT_TYPES = 300


def render(hook: EventHook, base: str) -> dict[str, Any]:
    url = f"{base}/api/v1/eventHooks/{hook.id}"
    config: dict[str, Any] = {
        "uri": hook.uri,
        "headers": [dict(h) for h in hook.headers],
        "method": "POST",
    }
    if hook.auth_type:
        config["authScheme"] = {"type": hook.auth_type, "key": hook.auth_key}  # never the value
    lifecycle = "deactivate" if hook.status == "ACTIVE" else "activate"
    return {
        "id": hook.id,
        "status": hook.status,
        "verificationStatus": hook.verification_status,
        "name": hook.name,
        "description": hook.description,
        "created": hook.created,
        "createdBy": hook.created_by,
        "lastUpdated": hook.last_updated,
        "events": {"type": "EVENT_TYPE", "items": list(hook.events), "filter": None},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": config},
        "_links": {
            "self": href(url, "GET", "PUT", "DELETE"),
            "verify": href(f"{url}/lifecycle/verify", "POST"),
            lifecycle: href(f"{url}/lifecycle/{lifecycle}", "POST"),
        },
    }


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise validation_failed(where, f"{where}: expected an object")
    return value


def parse_hook_body(body: dict[str, Any]) -> dict[str, Any]:
    """The writable fields of an EventHook body, validated like Okta does."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation_failed("name", "name: The field cannot be left blank.")
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise validation_failed("description", "description: expected a string")
    events = _object(body.get("events"), "events")
    if events.get("type") != "EVENT_TYPE":
        raise validation_failed("events", "events.type: expected EVENT_TYPE")
    items = events.get("items")
    if not isinstance(items, list) or not items or not all(
            isinstance(i, str) and i for i in items):
        raise validation_failed("events", "events.items: expected a non-empty list of event types")
    if len(items) > MAX_EVENT_TYPES:
        raise validation_failed("events", f"events.items: at most {MAX_EVENT_TYPES} event types")
    channel = _object(body.get("channel"), "channel")
    if channel.get("type") != "HTTP":
        raise validation_failed("channel", "channel.type: expected HTTP")
    if channel.get("version") != "1.0.0":
        raise validation_failed("channel", "channel.version: expected 1.0.0")
    config = _object(channel.get("config"), "channel.config")
    uri = config.get("uri")
    parts = urlsplit(uri) if isinstance(uri, str) else None
    if parts is None or not parts.hostname or parts.scheme not in ("https", "http"):
        raise validation_failed("channel", "channel.config.uri: expected an absolute https URL")
    if parts.scheme != "https" and not is_loopback(parts.hostname):
        raise validation_failed("channel", "channel.config.uri: The URI must use HTTPS.")
    headers = config.get("headers") or []
    if not isinstance(headers, list) or not all(
            isinstance(h, dict) and isinstance(h.get("key"), str)
            and isinstance(h.get("value"), str) for h in headers):
        raise validation_failed("channel", "channel.config.headers: expected a list of "
                                "{key, value} strings")
    auth = config.get("authScheme")
    if auth is not None:
        auth = _object(auth, "channel.config.authScheme")
        if auth.get("type") != "HEADER" or not isinstance(auth.get("key"), str) \
                or not auth["key"]:
            raise validation_failed("channel", "channel.config.authScheme: expected type HEADER "
                                    "and a header key")
        if auth.get("value") is not None and not isinstance(auth.get("value"), str):
            raise validation_failed("channel", "channel.config.authScheme.value: expected a string")
    return {
        "name": name,
        "description": description,
        "events": list(items),
        "uri": uri,
        "headers": [{"key": h["key"], "value": h["value"]} for h in headers],
        "auth": auth,
    }


def hook_or_404(store: OrgStore, hook_id: str) -> EventHook:
    hook = store.event_hooks.get(hook_id)
    if hook is None:
        raise not_found(f"{hook_id} (EventHook)")
    return hook


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def list_hooks(req: Request) -> Response:
        return Response(200, [render(h, req.base_url) for h in store.event_hooks.values()])

    def create(req: Request) -> Response:
        fields = parse_hook_body(req.json_object())
        auth = fields["auth"] or {}
        now = ctx.now()
        principal = req.principal
        hook = EventHook(
            id=store.ids.new("who"), name=fields["name"], description=fields["description"],
            events=fields["events"], uri=fields["uri"], headers=fields["headers"],
            auth_type=auth.get("type"), auth_key=auth.get("key"), auth_value=auth.get("value"),
            status="ACTIVE", verification_status="UNVERIFIED", created=now, last_updated=now,
            created_by=(principal.user_id or principal.client_id or "") if principal else "",
        )
        store.event_hooks[hook.id] = hook
        return Response(200, render(hook, req.base_url))

    def get_hook(req: Request) -> Response:
        return Response(200, render(hook_or_404(store, req.path_params["eventHookId"]),
                                    req.base_url))

    def replace(req: Request) -> Response:
        hook = hook_or_404(store, req.path_params["eventHookId"])
        fields = parse_hook_body(req.json_object())
        auth = fields["auth"]
        new_type, new_key = (auth or {}).get("type"), (auth or {}).get("key")
        new_value = (auth or {}).get("value")
        if auth is not None and new_value is None and (new_type, new_key) == (
                hook.auth_type, hook.auth_key):
            new_value = hook.auth_value  # the client could not send what it cannot read
        changed = (fields["uri"] != hook.uri or fields["headers"] != hook.headers
                   or (new_type, new_key, new_value) != (hook.auth_type, hook.auth_key,
                                                        hook.auth_value))
        hook.name, hook.description = fields["name"], fields["description"]
        hook.events, hook.uri, hook.headers = fields["events"], fields["uri"], fields["headers"]
        hook.auth_type, hook.auth_key, hook.auth_value = new_type, new_key, new_value
        if changed:
            hook.verification_status = "UNVERIFIED"
        hook.last_updated = ctx.now()
        return Response(200, render(hook, req.base_url))

    def delete(req: Request) -> Response:
        hook = hook_or_404(store, req.path_params["eventHookId"])
        if hook.status != "INACTIVE":
            raise ApiError(403, "E0000006", None,
                           ["Only an INACTIVE event hook can be deleted; deactivate it first."])
        del store.event_hooks[hook.id]
        return Response(204)

    def lifecycle(status: str) -> Handler:
        def handler(req: Request) -> Response:
            hook = hook_or_404(store, req.path_params["eventHookId"])
            hook.status = status
            hook.last_updated = ctx.now()
            return Response(200, render(hook, req.base_url))
        return handler

    def verify(req: Request) -> Response:
        with store.lock:
            hook = hook_or_404(store, req.path_params["eventHookId"])
            host = urlsplit(hook.uri).hostname or ""
            snapshot = EventHook(**vars(hook))
        if is_loopback(host):
            reason = verify_loopback(snapshot, ctx.hook_timeout_s)
        else:
            reason = "the endpoint did not answer the challenge" \
                if snapshot.verification_fails else None
        with store.lock:
            hook = hook_or_404(store, req.path_params["eventHookId"])
            if reason is not None:
                raise ApiError(400, "E0000001", "Api validation failed: eventHook",
                               [f"Verification of the event hook endpoint failed: {reason}."])
            hook.verification_status = "VERIFIED"
            hook.last_updated = ctx.now()
            return Response(200, render(hook, req.base_url))

    base = "/api/v1/eventHooks"
    item = base + "/{eventHookId}"
    router.add("GET", base, list_hooks, scope="okta.eventHooks.read")
    router.add("POST", base, create, scope="okta.eventHooks.manage")
    router.add("GET", item, get_hook, scope="okta.eventHooks.read")
    router.add("PUT", item, replace, scope="okta.eventHooks.manage")
    router.add("DELETE", item, delete, scope="okta.eventHooks.manage")
    router.add("POST", item + "/lifecycle/activate", lifecycle("ACTIVE"),
               scope="okta.eventHooks.manage")
    router.add("POST", item + "/lifecycle/deactivate", lifecycle("INACTIVE"),
               scope="okta.eventHooks.manage")
    router.add("POST", item + "/lifecycle/verify", verify, scope="okta.eventHooks.manage",
               locked=False)
