"""Role subscriptions to admin notifications (``/api/v1/roles/{roleRef}/subscriptions``).

Okta offers ``REPORT_SUSPICIOUS_ACTIVITY`` only to SUPER_ADMIN and ORG_ADMIN; for other roles it
is simply not among the role's subscriptions (404 when asked for directly).
"""

from __future__ import annotations

from typing import Any

from sarguard.emulator.api.context import ApiContext, href
from sarguard.emulator.errors import not_found
from sarguard.emulator.routing import Request, Response, Router
from sarguard.emulator.state import OrgStore


def render(store: OrgStore, role: str, notification_type: str, base: str) -> dict[str, Any]:
    return {
        "notificationType": notification_type,
        "channels": ["email"],
        "status": store.subscription_status(role, notification_type),
        "_links": {"self": href(f"{base}/api/v1/roles/{role}/subscriptions/{notification_type}",
                                "GET")},
    }


def register(router: Router, ctx: ApiContext) -> None:
    store = ctx.store

    def role_or_404(req: Request) -> str:
        role = req.path_params["roleRef"]
        if not store.is_role(role):
            raise not_found(f"{role} (Role)")
        return role

    def type_or_404(req: Request, role: str) -> str:
        notification_type = req.path_params["notificationType"]
        if notification_type not in store.subscription_types(role):
            raise not_found(f"{notification_type} (Subscription)")
        return notification_type

    def list_subs(req: Request) -> Response:
        role = role_or_404(req)
        return Response(200, [render(store, role, t, req.base_url)
                              for t in store.subscription_types(role)])

    def get_sub(req: Request) -> Response:
        role = role_or_404(req)
        return Response(200, render(store, role, type_or_404(req, role), req.base_url))

    def setter(status: str):
        def handler(req: Request) -> Response:
            role = role_or_404(req)
            notification_type = type_or_404(req, role)
            store.role_subscriptions.setdefault(role, {})[notification_type] = status
            return Response(200)  # Okta answers 200 with no body
        return handler

    base = "/api/v1/roles/{roleRef}/subscriptions"
    router.add("GET", base, list_subs, scope="okta.roles.read")
    router.add("GET", base + "/{notificationType}", get_sub, scope="okta.roles.read")
    router.add("POST", base + "/{notificationType}/subscribe", setter("subscribed"),
               scope="okta.roles.manage")
    router.add("POST", base + "/{notificationType}/unsubscribe", setter("unsubscribed"),
               scope="okta.roles.manage")
