"""Each action against a scripted Okta: the calls Okta's API defines, the at-most-once rule,
retries (backoff, rate-limit resets), give-up, unknown users and Okta's refusals.

Sources: Okta's management OpenAPI spec (reference/okta-management-openapi.yaml):
``DELETE /api/v1/users/{userId}/sessions`` (``oauthTokens``) → 204;
``POST /api/v1/users/{id}/lifecycle/reset_password`` (``sendEmail``) moves the user to
``RECOVERY`` and, with ``sendEmail=false``, returns a ``resetPasswordUrl``; ``…/suspend`` "only
on users with an ACTIVE status" (400 otherwise); a 429 carries ``X-Rate-Limit-Reset``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sarguard.responder.actions import Executor, LostClaim
from sarguard.responder.store.queue import Claimed
from tests.okta.fakeokta import FakeClock, FakeOkta, error, json_response, make_client, run

USER = "00u1respAlice0000001"
USER_PATH = f"/api/v1/users/{USER}"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def claimed(kind: str, *, intent: bool = False, attempts: int = 1,
            give_up_at: datetime | None = None, **options: Any) -> Claimed:
    return Claimed(id=1, report_id=1, kind=kind, options=options, attempts=attempts,
                   intent_recorded=intent, give_up_at=give_up_at or NOW + timedelta(hours=1),
                   payload=None, last_error=None, user_id=USER, login="alice@acme.test",
                   user_status=None, disposition="respond", origin="delivery", dry_run=False,
                   event={})


@pytest.fixture
def fake() -> FakeOkta:
    return FakeOkta(FakeClock())


def executor(fake: FakeOkta) -> Executor:
    return Executor(make_client(fake), clock=lambda: NOW)


def user(status: str) -> httpx.Response:
    return json_response({"id": USER, "status": status, "profile": {"login": "alice@acme.test"}})


class Intents:
    def __init__(self, fake: FakeOkta, answer: bool = True) -> None:
        self.fake, self.answer, self.seen_before = fake, answer, []

    async def __call__(self) -> bool:
        self.seen_before.append(len(self.fake.requests))
        return self.answer


def test_clear_sessions_revokes_oauth_tokens_when_asked(fake: FakeOkta) -> None:
    fake.route(f"{USER_PATH}/sessions", lambda r: httpx.Response(204), method="DELETE")
    outcome = run(executor(fake).clear_sessions(claimed("clearSessions", revokeOAuthTokens=True)))
    assert (outcome.status, outcome.result) == ("done", "sessions cleared, OAuth tokens revoked")
    assert fake.requests[0].url.params["oauthTokens"] == "true"


def test_the_intent_is_recorded_before_okta_is_called(fake: FakeOkta) -> None:
    fake.route(f"{USER_PATH}/lifecycle/reset_password", {}, method="POST")
    intents = Intents(fake)
    outcome = run(executor(fake).at_most_once(claimed("resetPassword", sendEmail=True), intents))
    assert intents.seen_before == [0]  # no request had been sent when the intent was recorded
    assert [(r.method, r.url.path) for r in fake.requests] == [
        ("POST", f"{USER_PATH}/lifecycle/reset_password")]
    assert fake.requests[0].url.params["sendEmail"] == "true"
    assert (outcome.status, outcome.user_status) == ("done", "RECOVERY")


@pytest.mark.parametrize(("kind", "state"), [("resetPassword", "RECOVERY"),
                                             ("expirePassword", "PASSWORD_EXPIRED"),
                                             ("suspend", "SUSPENDED")])
def test_an_interrupted_attempt_that_reached_okta_is_not_repeated(fake, kind, state) -> None:
    fake.route(USER_PATH, lambda r: user(state))
    outcome = run(executor(fake).at_most_once(claimed(kind, intent=True), Intents(fake)))
    assert [r.method for r in fake.requests] == ["GET"]
    assert outcome.status == "done" and "not repeated" in (outcome.result or "")


def test_an_interrupted_attempt_that_did_not_reach_okta_is_made(fake: FakeOkta) -> None:
    fake.route(USER_PATH, lambda r: user("ACTIVE"))
    fake.route(f"{USER_PATH}/lifecycle/suspend", lambda r: httpx.Response(200), method="POST")
    outcome = run(executor(fake).at_most_once(claimed("suspend", intent=True), Intents(fake)))
    assert [r.method for r in fake.requests] == ["GET", "POST"]
    assert outcome.status == "done"


def test_a_lost_claim_calls_nothing(fake: FakeOkta) -> None:
    with pytest.raises(LostClaim):
        run(executor(fake).at_most_once(claimed("resetPassword"), Intents(fake, answer=False)))
    assert fake.requests == []


def test_at_most_once_calls_are_never_resent_by_the_client_itself(fake: FakeOkta) -> None:
    """A 503 (or a timeout) may hide a call Okta carried out: one request, then the worker
    decides later, after reading the user's status."""
    fake.route(f"{USER_PATH}/lifecycle/reset_password",
               lambda r: error(503, "E0000009", "Service unavailable"), method="POST")
    outcome = run(executor(fake).at_most_once(claimed("resetPassword"), Intents(fake)))
    assert len(fake.requests) == 1
    assert outcome.status == "retry" and outcome.due is not None and outcome.due > NOW
    assert "HTTP 503" in (outcome.error or "")


def test_idempotent_calls_are_retried_by_the_client(fake: FakeOkta) -> None:
    attempts = iter([error(503, "E0000009", "x"), error(502, "E0000009", "x"),
                     httpx.Response(204)])
    fake.route(f"{USER_PATH}/sessions", lambda r: next(attempts), method="DELETE")
    outcome = run(executor(fake).clear_sessions(claimed("clearSessions")))
    assert outcome.status == "done" and len(fake.requests) == 3


def test_a_rate_limited_action_waits_for_the_bucket_to_reset(fake: FakeOkta) -> None:
    reset = int(fake.clock()) + 45

    def limited(request: httpx.Request) -> httpx.Response:
        return error(429, "E0000047", "API call exceeded rate limit", {
            "X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(reset)})

    fake.route(f"{USER_PATH}/lifecycle/reset_password", limited, method="POST")
    outcome = run(executor(fake).at_most_once(claimed("resetPassword"), Intents(fake)))
    assert outcome.status == "retry"
    assert outcome.due is not None and outcome.due >= NOW + timedelta(seconds=45)


def test_past_give_up_the_action_fails_with_the_last_error(fake: FakeOkta) -> None:
    fake.route(f"{USER_PATH}/sessions", lambda r: error(500, "E0000009", "boom"), method="DELETE")
    outcome = run(executor(fake).clear_sessions(
        claimed("clearSessions", attempts=7, give_up_at=NOW + timedelta(seconds=1))))
    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.startswith("gave up after 7 attempt(s)")


def test_an_unknown_user_is_recorded_not_retried(fake: FakeOkta) -> None:
    outcome = run(executor(fake).clear_sessions(claimed("clearSessions")))
    assert (outcome.status, outcome.unknown_user) == ("skipped", True)


def test_a_permission_problem_is_retried_and_named(fake: FakeOkta) -> None:
    fake.route(f"{USER_PATH}/sessions", lambda r: error(
        403, "E0000006", "You do not have permission to perform the requested action"),
        method="DELETE")
    outcome = run(executor(fake).clear_sessions(claimed("clearSessions")))
    assert outcome.status == "retry"
    assert "the API token's admin lacks permission" in (outcome.error or "")


def test_a_status_that_forbids_the_operation_is_final(fake: FakeOkta) -> None:
    """Okta answers 403 E0000038 "This operation is not allowed in the user's current status"
    for a reset of a SUSPENDED user: waiting will not change that."""
    fake.route(f"{USER_PATH}/lifecycle/reset_password", lambda r: error(
        403, "E0000038", "This operation is not allowed in the user's current status."),
        method="POST")
    outcome = run(executor(fake).at_most_once(claimed("resetPassword"), Intents(fake)))
    assert outcome.status == "failed" and "E0000038" in (outcome.error or "")


@pytest.mark.parametrize(("status", "expected"), [("SUSPENDED", "done"), ("RECOVERY", "failed")])
def test_suspend_of_a_user_who_is_not_active(fake: FakeOkta, status: str, expected: str) -> None:
    fake.route(f"{USER_PATH}/lifecycle/suspend", lambda r: error(
        400, "E0000001", "Api validation failed: Cannot suspend a user that is not active"),
        method="POST")
    fake.route(USER_PATH, lambda r: user(status))
    outcome = run(executor(fake).at_most_once(claimed("suspend"), Intents(fake)))
    assert outcome.status == expected and outcome.user_status == status
    if expected == "failed":
        assert "Okta suspends only ACTIVE users; the user is RECOVERY" in (outcome.error or "")


def test_the_reset_link_okta_returns_without_email_is_discarded(fake: FakeOkta) -> None:
    link = "https://acme.okta.com/signin/reset-password/XE6wE17zmphl3KqAPFxO"
    fake.route(f"{USER_PATH}/lifecycle/reset_password",
               lambda r: json_response({"resetPasswordUrl": link}), method="POST")
    outcome = run(executor(fake).at_most_once(claimed("resetPassword", sendEmail=False),
                                              Intents(fake)))
    assert fake.requests[0].url.params["sendEmail"] == "false"
    assert "discarded" in (outcome.result or "")
    assert link not in json.dumps(outcome.__dict__, default=str)
