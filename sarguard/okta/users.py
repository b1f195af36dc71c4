"""The user calls a response makes: read a user, clear sessions, reset/expire, suspend.

Okta's API (management OpenAPI, ``UserSessions`` and ``UserLifecycle``):

* ``GET /api/v1/users/{id}`` (``okta.users.read``, implied by ``okta.users.manage``);
* ``DELETE /api/v1/users/{userId}/sessions?oauthTokens=true&forgetDevices=true`` → 204 (clear
  sessions, revoke the user's OAuth tokens, forget remembered factors; idempotent);
* ``POST /api/v1/users/{id}/lifecycle/reset_password?sendEmail=true`` → the user is ``RECOVERY``;
  with ``sendEmail=false`` Okta returns a one-time reset link, which is discarded here (a
  credential: it must never reach a log, the store or a message);
* ``POST …/lifecycle/expire_password`` → ``PASSWORD_EXPIRED``;
* ``POST …/lifecycle/suspend`` → ``SUSPENDED``, only from ``ACTIVE`` (400 otherwise).

The at-most-once calls go through :func:`single_attempt`: a client that never re-sends a
request by itself (a timeout may hide a call Okta carried out), so the caller decides, after
reading the user's status, whether another attempt is safe.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaApiError

# The status each at-most-once action leaves the user in (what recovery checks for).
RESULT_STATUS = {
    "resetPassword": "RECOVERY",
    "expirePassword": "PASSWORD_EXPIRED",
    "suspend": "SUSPENDED",
}
SCOPES_NEEDED = ("okta.users.manage", "okta.logs.read")


def _user_path(user_id: str, suffix: str = "") -> str:
    return f"/api/v1/users/{quote(user_id, safe='')}{suffix}"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def single_attempt(client: OktaClient) -> OktaClient:
    """A view of ``client`` that sends each request once: same org, credential, rate-limit
    buckets and counters, no retries of its own (a 429 raises at once; the limiter still makes
    the next request wait for the bucket's reset)."""
    clone = copy.copy(client)
    clone.max_attempts = 1
    return clone


async def get_user(client: OktaClient, user_id: str) -> dict[str, Any] | None:
    """The user, or None when Okta does not know the id (404)."""
    try:
        user = await client.get_json(_user_path(user_id))
    except OktaApiError as exc:
        if exc.status == 404:
            return None
        raise
    return user if isinstance(user, dict) else None


async def user_status(client: OktaClient, user_id: str) -> str | None:
    """The user's ``status`` (``ACTIVE``, ``RECOVERY``, …), None for an unknown user."""
    user = await get_user(client, user_id)
    status = user.get("status") if user else None
    return status if isinstance(status, str) else None


async def _send(client: OktaClient, method: str, path: str, params: dict[str, str]) -> None:
    await client._request(method, client.url(path), params=params or None)  # noqa: SLF001


async def clear_sessions(client: OktaClient, user_id: str, *, oauth_tokens: bool,
                         forget_devices: bool = True) -> None:
    """``forgetDevices`` is always sent: Okta's default differs by engine (true on Identity
    Engine, false on Classic; the ``revokeUserSessions`` parameter in Okta's OpenAPI spec)."""
    await _send(client, "DELETE", _user_path(user_id, "/sessions"),
                {"oauthTokens": _flag(oauth_tokens), "forgetDevices": _flag(forget_devices)})


async def reset_password(client: OktaClient, user_id: str, *, send_email: bool) -> None:
    """Reset; the answer (a reset link when ``send_email`` is false) is dropped unread."""
    await _send(client, "POST", _user_path(user_id, "/lifecycle/reset_password"),
                {"sendEmail": _flag(send_email)})


async def expire_password(client: OktaClient, user_id: str) -> None:
    await _send(client, "POST", _user_path(user_id, "/lifecycle/expire_password"), {})


async def suspend(client: OktaClient, user_id: str) -> None:
    await _send(client, "POST", _user_path(user_id, "/lifecycle/suspend"), {})


def lookup_user(client: OktaClient, id_or_login: str) -> dict[str, Any] | None:
    """``GET /api/v1/users/{id or login}`` in its own event loop (one call; the spec's getUser
    takes a login, URL-encoded, in place of the id). None when Okta has no such user."""
    import asyncio

    found: list[dict[str, Any] | None] = []

    async def run() -> None:
        try:
            found.append(await get_user(client, id_or_login))
        finally:
            await client.aclose()

    asyncio.run(run())
    return found[0]


def rate_limit_reset(client: OktaClient, path: str) -> float | None:
    """Seconds until the rate-limit window of ``path``'s bucket resets, when it is used up."""
    bucket = client.limiter.buckets.get(client._bucket_key(path))  # noqa: SLF001
    if bucket is None or bucket.reset is None or (bucket.remaining or 0) > 0:
        return None
    return max(bucket.reset - client.limiter.server_now(), 0.0) + 1.0
