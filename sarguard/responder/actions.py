"""Carry out one claimed action and say how it ended (an :class:`Outcome`).

The rules per action for the one gap a crash can leave (Okta accepted a call, the store never
heard): ``clearSessions`` is idempotent and simply runs again; ``notify`` is at-least-once
(targets already sent are remembered, a crash mid-send may repeat one message);
``resetPassword``, ``expirePassword`` and ``suspend`` run at most once: the intent is committed
before Okta is called, and an attempt that finds an intent without a result first reads the
user (``GET /api/v1/users/{id}``) and skips when the user is already in the state the action
produces (``RECOVERY``, ``PASSWORD_EXPIRED``, ``SUSPENDED``). The System Log is only near real
time, so it is never what that decision rests on.

Failures: a 404 means Okta does not know the user (recorded, notified); other 4xx are final;
401/403 (a credential or a scope, which an admin may fix), 429 (retried when the bucket resets)
and 5xx/timeouts are retried with backoff until ``giveUpAfter``.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sarguard.evidence.live import describe_failure
from sarguard.okta import users
from sarguard.okta.client import OktaClient
from sarguard.okta.errors import OktaApiError, OktaError, OktaRateLimitError
from sarguard.okta.retry import backoff_delay
from sarguard.responder.credential import refusal
from sarguard.responder.store.queue import Claimed, Outcome

log = logging.getLogger("sarguard.responder")
RETRY_BASE_S = 1.0
RETRY_CAP_S = 300.0
Intent = Callable[[], Awaitable[bool]]


class LostClaim(Exception):
    """The action was reclaimed by another process (this one was presumed dead): stop."""


@dataclass(frozen=True)
class Retry:
    """A transient failure: try again at ``due`` unless that is past the action's give-up."""

    error: str
    due: datetime


def okta_failure(exc: OktaError) -> str:
    """One line for ``last_error``: names the missing scope or permission when that is why."""
    if isinstance(exc, OktaApiError) and exc.status in (401, 403):
        return describe_failure(exc, "change the user").replace("cannot read ", "cannot ")
    return str(exc)


# "This operation is not allowed in the user's current status": retrying cannot change that.
FINAL_403_CODES = frozenset({"E0000038"})


def is_transient(exc: OktaError) -> bool:
    """Worth another attempt later: 5xx, 429, and 401/403 (a credential or scope an admin may
    still fix) unless Okta says the user's status forbids the operation."""
    if isinstance(exc, OktaApiError):
        if exc.status == 403 and exc.error_code in FINAL_403_CODES:
            return False
        return exc.status >= 500 or exc.status in (401, 403, 429)
    return True  # rate limit, transport, auth (token endpoint) errors


def settle(claimed: Claimed, failure: Retry) -> Outcome:
    """Retry at ``failure.due``, or fail when that is past the action's give-up time."""
    if failure.due >= claimed.give_up_at:
        return Outcome("failed", error=f"gave up after {claimed.attempts} attempt(s) "
                                       f"(giveUpAfter): {failure.error}")
    return Outcome("retry", error=failure.error, due=failure.due)


class Executor:
    """Runs actions against Okta; ``clock`` and ``rng`` injectable for tests."""

    def __init__(self, client: OktaClient, *, clock: Callable[[], datetime],
                 rng: random.Random | None = None) -> None:
        self.client = client
        self.once = users.single_attempt(client)
        self.clock = clock
        self.rng = rng or random.Random()

    def retry_after(self, claimed: Claimed, exc: OktaError, path: str) -> Retry:
        delay = backoff_delay(claimed.attempts, self.rng, base=RETRY_BASE_S, cap=RETRY_CAP_S)
        if isinstance(exc, OktaRateLimitError) or (isinstance(exc, OktaApiError) and exc.status == 429):
            delay = max(delay, users.rate_limit_reset(self.client, path) or 0.0)
        return Retry(okta_failure(exc), self.clock() + timedelta(seconds=delay))

    async def clear_sessions(self, claimed: Claimed) -> Outcome:
        revoke = bool(claimed.options.get("revokeOAuthTokens", False))
        forget = bool(claimed.options.get("forgetDevices", True))
        user_id = _user(claimed)
        try:
            await users.clear_sessions(self.client, user_id, oauth_tokens=revoke,
                                       forget_devices=forget)
        except OktaError as exc:
            return self._failed(claimed, exc, f"/api/v1/users/{user_id}/sessions")
        return Outcome("done", result="sessions cleared" + (", OAuth tokens revoked" if revoke else ""))

    async def at_most_once(self, claimed: Claimed, record_intent: Intent) -> Outcome:
        user_id = _user(claimed)
        target = users.RESULT_STATUS[claimed.kind]
        path = f"/api/v1/users/{user_id}/lifecycle"
        if claimed.intent_recorded:
            try:
                status = await users.user_status(self.client, user_id)
            except OktaError as exc:
                return self._failed(claimed, exc, f"/api/v1/users/{user_id}")
            if status is None:
                return _unknown()
            if status == target:
                return Outcome("done", user_status=status, result=(
                    f"{_DONE[claimed.kind]} (an interrupted attempt had already done it: the user "
                    f"is {status}; not repeated)"))
        if not await record_intent():
            raise LostClaim
        try:
            await self._call(claimed, user_id)
        except OktaError as exc:
            if claimed.kind == "suspend" and isinstance(exc, OktaApiError) and exc.status == 400:
                return await self._suspend_refused(claimed, user_id, exc)
            return self._failed(claimed, exc, path)
        return Outcome("done", result=_DONE[claimed.kind] + _detail(claimed), user_status=target)

    async def _call(self, claimed: Claimed, user_id: str) -> None:
        if claimed.kind == "resetPassword":
            await users.reset_password(self.once, user_id,
                                       send_email=bool(claimed.options.get("sendEmail", True)))
        elif claimed.kind == "expirePassword":
            await users.expire_password(self.once, user_id)
        else:
            await users.suspend(self.once, user_id)

    async def _suspend_refused(self, claimed: Claimed, user_id: str, exc: OktaApiError) -> Outcome:
        """Okta suspends only ACTIVE users: already suspended is done, anything else is final."""
        try:
            status = await users.user_status(self.client, user_id)
        except OktaError:
            status = None
        if status == "SUSPENDED":
            return Outcome("done", result="user already suspended", user_status=status)
        return Outcome("failed", user_status=status, error=(
            f"{okta_failure(exc)} (Okta suspends only ACTIVE users; the user is "
            f"{status or 'in an unknown state'})"))

    def _failed(self, claimed: Claimed, exc: OktaError, path: str) -> Outcome:
        if isinstance(exc, OktaApiError) and exc.status == 404:
            return _unknown()
        if not is_transient(exc):
            outcome = Outcome("failed", error=okta_failure(exc))
        else:
            outcome = settle(claimed, self.retry_after(claimed, exc, path))
        why = refusal(exc)
        return dataclasses.replace(outcome, refused=why) if why else outcome


_DONE = {
    "resetPassword": "password reset",
    "expirePassword": "password expired",
    "suspend": "user suspended",
}


def _detail(claimed: Claimed) -> str:
    if claimed.kind == "resetPassword":
        return (" (the user was emailed a reset link)" if claimed.options.get("sendEmail", True)
                else " (no email sent; the reset link Okta returned was discarded)")
    return ""


def _unknown() -> Outcome:
    return Outcome("skipped", result="skipped: Okta does not know this user (HTTP 404)",
                   unknown_user=True)


def _user(claimed: Claimed) -> str:
    assert claimed.user_id, "only reports with a validated user id get Okta actions"
    return claimed.user_id

