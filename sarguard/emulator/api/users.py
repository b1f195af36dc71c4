"""``GET /api/v1/users/{id}`` — mostly for ``/users/me``, the SSWS token check.

A service app (OAuth) has no user behind its token, so ``me`` answers 404 for it, as Okta does.
"""

from __future__ import annotations

from typing import Any

from sarguard.emulator.api.context import ApiContext, href
from sarguard.emulator.errors import not_found
from sarguard.emulator.routing import Request, Response, Router
from sarguard.emulator.state import User


def render_user(user: User, base: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "status": "ACTIVE",
        "created": user.created,
        "activated": user.created,
        "statusChanged": user.created,
        "lastLogin": user.created,
        "lastUpdated": user.created,
        "passwordChanged": user.created,
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
        "_links": {"self": href(f"{base}/api/v1/users/{user.id}")},
    }


def register(router: Router, ctx: ApiContext) -> None:
    def get_user(req: Request) -> Response:
        ref = req.path_params["id"]
        principal = req.principal
        if ref == "me":
            if principal is None or principal.user_id is None:
                raise not_found("me (User)")
            ref = principal.user_id
        user = ctx.store.users.get(ref) or next(
            (u for u in ctx.store.users.values() if u.login == ref), None)
        if user is None:
            raise not_found(f"{ref} (User)")
        return Response(200, render_user(user, req.base_url))

    router.add("GET", "/api/v1/users/{id}", get_user, scope="okta.users.read")
