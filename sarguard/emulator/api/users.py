"""Users: list/search, read (id, login or ``me``), clear sessions, and the lifecycle operations a
response to a report uses (reset password, expire password, suspend, unsuspend).

Okta's rules kept here (sources: Okta's OpenAPI spec for paths, parameters, shapes and scopes;
the Users API reference, okta/okta-developer-docs
``packages/@okta/vuepress-site/docs/reference/api/users/index.md``, for the status rules):

* reset password → ``RECOVERY``; expire password → ``PASSWORD_EXPIRED`` (answers the user);
* suspend only from ``ACTIVE`` → ``SUSPENDED``, else 400 E0000001; unsuspend only from
  ``SUSPENDED`` → ``ACTIVE``, else 400 E0000001; both answer 200 with no body;
* a suspended user "can only be unsuspended or deactivated": password operations on a
  ``SUSPENDED`` or ``DEPROVISIONED`` user answer 403 E0000038, the error Okta's reference shows
  for "unexpected user status";
* an unknown id or login: 404 E0000007. Each operation writes the System Log event Okta writes.
* ``GET /api/v1/users`` without ``filter``/``search`` omits ``DEPROVISIONED`` users; list items
  carry only the ``self`` link. A service app (OAuth) has no "me": 404.
"""

from __future__ import annotations

import secrets
from typing import Any

from sarguard.emulator import scim
from sarguard.emulator.api.context import ApiContext, href
from sarguard.emulator.errors import ApiError, not_found, validation_failed
from sarguard.emulator.pagination import paginate, parse_limit
from sarguard.emulator.routing import Handler, Request, Response, Router
from sarguard.emulator.state import OrgStore, User
from sarguard.emulator.userquery import compile_filter, compile_search
from sarguard.eventhooks import ClientContext, Principal, build_log_event, new_uuid

LIST_DEFAULT_LIMIT = 200
LIST_MAX_LIMIT = 200
Q_DEFAULT_LIMIT = 10
NOT_IN_THIS_STATUS = ("E0000038", "This operation is not allowed in the user's current status.")
PASSWORD_BLOCKED = frozenset({"SUSPENDED", "DEPROVISIONED"})
# System Log display messages: the event catalog's descriptions, shortened.
DISPLAY = {
    "user.session.clear": "Clear user session",
    "user.account.reset_password": "Reset password",
    "user.account.expire_password": "Expire password",
    "user.lifecycle.suspend": "Suspend Okta user",
    "user.lifecycle.unsuspend": "Unsuspend Okta user",
}


def _status_links(user: User, url: str) -> dict[str, Any]:
    life = f"{url}/lifecycle"
    links: dict[str, Any] = {}
    if user.status == "SUSPENDED":
        links["unsuspend"] = href(f"{life}/unsuspend", "POST")
    elif user.status != "DEPROVISIONED":
        if user.status == "ACTIVE":
            links["suspend"] = href(f"{life}/suspend", "POST")
        links["resetPassword"] = href(f"{life}/reset_password", "POST")
        links["expirePassword"] = href(f"{life}/expire_password", "POST")
    links["deactivate"] = href(f"{life}/deactivate", "POST")
    return links


def render_user(user: User, base: str, *, full_links: bool = True) -> dict[str, Any]:
    url = f"{base}/api/v1/users/{user.id}"
    links = {"self": href(url)}
    if full_links:
        links.update(_status_links(user, url))
    return {
        "id": user.id,
        "status": user.status,
        "created": user.created,
        "activated": user.created,
        "statusChanged": user.status_changed or user.created,
        "lastLogin": user.last_login,
        "lastUpdated": user.last_updated or user.created,
        "passwordChanged": user.password_changed,
        "type": {"id": "oty1defaultUserType01"},
        "profile": {
            "firstName": user.first_name,
            "lastName": user.last_name,
            "mobilePhone": None,
            "secondEmail": None,
            "login": user.login,
            "email": user.email,
        },
        "credentials": {
            "password": {},
            "provider": {"type": "OKTA", "name": "OKTA"},
        },
        "_links": links,
    }


def find_user(store: OrgStore, ref: str) -> User | None:
    """A user by id or login (Okta accepts either in the path)."""
    return store.users.get(ref) or next((u for u in store.users.values() if u.login == ref), None)


def _user_or_404(store: OrgStore, ref: str) -> User:
    user = find_user(store, ref)
    if user is None:
        raise not_found(f"{ref} (User)")
    return user


def _bool_arg(req: Request, name: str, default: bool) -> bool:
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    if raw.lower() not in ("true", "false"):
        raise validation_failed(name, f"{name}: expected true or false")
    return raw.lower() == "true"


def actor_of(req: Request, store: OrgStore) -> Principal:
    """Who made an API call, as a System Log actor: the token's user, or the service app."""
    principal = req.principal
    if principal is not None and principal.user_id and principal.user_id in store.users:
        user = store.users[principal.user_id]
        return Principal(user.id, "User", user.login, user.display_name)
    client_id = (principal.client_id if principal else None) or "unknown"
    return Principal(client_id, "PublicClientApp", client_id, client_id)


def user_principal(user: User) -> Principal:
    return Principal(user.id, "User", user.login, user.display_name)


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def log(req: Request, event_type: str, user: User, **debug: Any) -> dict[str, Any]:
        ua = req.header("user-agent") or "UNKNOWN"
        client = ClientContext(ip=req.client_ip, raw_user_agent=ua[:512])
        return build_log_event(
            uuid=new_uuid(), published=ctx.now(), event_type=event_type,
            display_message=DISPLAY[event_type], actor=actor_of(req, store), client=client,
            transaction_id=store.ids.new("Zem"), targets=[user_principal(user)],
            debug_data={"requestUri": req.path, **debug},
        )

    def list_users(req: Request) -> Response:
        query_filter, search, q = req.arg("filter"), req.arg("search"), req.arg("q")
        predicates = []
        try:
            if query_filter:
                predicates.append(compile_filter(query_filter))
            if search:
                predicates.append(compile_search(search))
        except scim.FilterError as exc:
            raise ApiError(400, "E0000031", None, [str(exc)]) from None
        users = list(store.users.values())
        if not query_filter and not search:
            users = [u for u in users if u.status != "DEPROVISIONED"]
        rendered = [(u, render_user(u, req.base_url, full_links=False)) for u in users]
        rendered = [(u, r) for u, r in rendered if all(p(r) for p in predicates)]
        if q:
            needle = q.lower()
            hits = [r for u, r in rendered
                    if any((v or "").lower().startswith(needle)
                           for v in (u.first_name, u.last_name, u.email))]
            return Response(200, hits[:parse_limit(req, Q_DEFAULT_LIMIT, LIST_MAX_LIMIT)])
        page, links = paginate([r for _, r in rendered], lambda r: r["id"], req,
                               default_limit=LIST_DEFAULT_LIMIT, max_limit=LIST_MAX_LIMIT)
        return Response(200, page, {"Link": links})

    def get_user(req: Request) -> Response:
        ref = req.path_params["id"]
        principal = req.principal
        if ref == "me":
            if principal is None or principal.user_id is None:
                raise not_found("me (User)")
            ref = principal.user_id
        return Response(200, render_user(_user_or_404(store, ref), req.base_url))

    def clear_sessions(req: Request) -> Response:
        user = _user_or_404(store, req.path_params["userId"])
        oauth_tokens = _bool_arg(req, "oauthTokens", False)
        forget_devices = _bool_arg(req, "forgetDevices", True)
        ctx.emit(log(req, "user.session.clear", user, revokeOauthTokens=str(oauth_tokens).lower(),
                     forgetDevices=str(forget_devices).lower()))
        return Response(204)

    def password_operation(req: Request) -> User:
        user = _user_or_404(store, req.path_params["id"])
        if user.status in PASSWORD_BLOCKED:
            raise ApiError(403, *NOT_IN_THIS_STATUS)
        return user

    def reset_password(req: Request) -> Response:
        user = password_operation(req)
        send_email = _bool_arg(req, "sendEmail", True)
        revoke = _bool_arg(req, "revokeSessions", False)
        now = ctx.now()
        user.set_status("RECOVERY", now)
        events = [log(req, "user.account.reset_password", user, sendEmail=str(send_email).lower())]
        if revoke:
            events.append(log(req, "user.session.clear", user))
        ctx.emit(*events)
        if send_email:
            return Response(200, {})
        return Response(200, {"resetPasswordUrl":
                              f"{req.base_url}/reset_password/{secrets.token_urlsafe(15)}"})

    def expire_password(req: Request) -> Response:
        user = password_operation(req)
        user.set_status("PASSWORD_EXPIRED", ctx.now())
        ctx.emit(log(req, "user.account.expire_password", user))
        return Response(200, render_user(user, req.base_url))

    def transition(event_type: str, source: str, target: str, verb: str) -> Handler:
        def handler(req: Request) -> Response:
            user = _user_or_404(store, req.path_params["id"])
            if user.status != source:
                raise validation_failed(
                    "user", f"Cannot {verb} a user that is not {source} (status {user.status}).")
            user.set_status(target, ctx.now())
            ctx.emit(log(req, event_type, user))
            return Response(200)
        return handler

    base = "/api/v1/users"
    life = base + "/{id}/lifecycle"
    router.add("GET", base, list_users, scope="okta.users.read")
    router.add("GET", base + "/{id}", get_user, scope="okta.users.read")
    router.add("DELETE", base + "/{userId}/sessions", clear_sessions, scope="okta.users.manage")
    router.add("POST", life + "/reset_password", reset_password, scope="okta.users.manage")
    router.add("POST", life + "/expire_password", expire_password, scope="okta.users.manage")
    router.add("POST", life + "/suspend",
               transition("user.lifecycle.suspend", "ACTIVE", "SUSPENDED", "suspend"),
               scope="okta.users.manage")
    router.add("POST", life + "/unsuspend",
               transition("user.lifecycle.unsuspend", "SUSPENDED", "ACTIVE", "unsuspend"),
               scope="okta.users.manage")
