"""Users: list/filter/search, read by id/login/me, clear sessions, lifecycle transitions.

Sources (cited per test): Okta's OpenAPI spec (``../shared/reference``: listUsers parameters,
status transitions in each operation's description, scopes) and Okta's Users API reference
(okta/okta-developer-docs ``packages/@okta/vuepress-site/docs/reference/api/users/index.md``):
"Passing an id that is not in the ACTIVE state returns a 400 Bad Request status code with error
code E0000001" (suspend), the same for unsuspend and SUSPENDED, and 403 E0000038 "This operation
is not allowed in the user's current status." for an operation a status does not allow.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sarguard.emulator import Emulator, EmulatorError
from tests.emulator.helpers import ADMIN_ID, follow, oauth_client, small_seed

ALICE, BOB, GONE = "00u1testAlice0000002", "00u1testBob000000003", "00u1testGone00000004"


@pytest.fixture
def seed() -> dict[str, Any]:
    data = small_seed()
    data["users"] += [
        {"id": ALICE, "login": "alice@example.com", "firstName": "Alice", "lastName": "Nguyen"},
        {"id": BOB, "login": "bob@example.com", "firstName": "Bob", "lastName": "Stone",
         "status": "SUSPENDED"},
        {"id": GONE, "login": "gone@example.com", "firstName": "Gus", "lastName": "Gone",
         "status": "DEPROVISIONED"},
    ]
    return data


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [u["id"] for u in response.json()]


def _events(emu: Emulator, event_type: str) -> list[dict[str, Any]]:
    with emu.state.lock:
        return [e for e in emu.state.logs if e["eventType"] == event_type]


def test_list_pages_with_link_headers_and_omits_deprovisioned(emu: Emulator, api) -> None:
    """Spec, listUsers: "This operation omits users that have a status of DEPROVISIONED" unless
    a filter or search is given; pagination follows ``Link: rel="next"``."""
    assert [u["id"] for u in follow(api, "/api/v1/users", limit=1)] == [ADMIN_ID, ALICE, BOB]
    assert _ids(api.get("/api/v1/users", params={"filter": 'status eq "DEPROVISIONED"'})) == [GONE]
    page = api.get("/api/v1/users", params={"limit": 2})
    assert len(page.json()) == 2 and page.links["next"]["url"]


def test_filter_is_exact_and_limited_to_documented_properties(api) -> None:
    """Spec, listUsers ``filter``: status, lastUpdated, id and profile login/email/first/last
    name; only ``eq`` (ordering operators on lastUpdated); no ``not``; case-sensitive values."""
    assert _ids(api.get("/api/v1/users", params={"filter": 'profile.login eq "alice@example.com"'})) \
        == [ALICE]
    assert _ids(api.get("/api/v1/users", params={"filter": 'profile.login eq "ALICE@example.com"'})) \
        == []
    both = 'status eq "SUSPENDED" or id eq "' + ALICE + '"'
    assert _ids(api.get("/api/v1/users", params={"filter": both})) == [ALICE, BOB]
    assert _ids(api.get("/api/v1/users",
                        params={"filter": 'lastUpdated gt "2000-01-01T00:00:00.000Z"'}))
    for bad in ['profile.login sw "alice"', 'profile.city eq "Paris"',
                'not (status eq "ACTIVE")', "status eq"]:
        r = api.get("/api/v1/users", params={"filter": bad})
        assert r.status_code == 400 and r.json()["errorCode"] == "E0000031", bad


def test_search_is_case_insensitive_with_sw_and_co(api) -> None:
    """Spec, listUsers ``search``: operators ``sw``, ``eq``, ``co`` (``co`` only on first/last
    name, email, login); "string values are case insensitive"; ``ne`` isn't supported."""
    assert _ids(api.get("/api/v1/users", params={"search": 'profile.login sw "ALI"'})) == [ALICE]
    assert _ids(api.get("/api/v1/users", params={"search": 'profile.lastName co "ton"'})) == [BOB]
    assert _ids(api.get("/api/v1/users", params={"search": 'status eq "deprovisioned"'})) == [GONE]
    for bad in ['status co "ACT"', 'status ne "ACTIVE"']:
        r = api.get("/api/v1/users", params={"search": bad})
        assert r.status_code == 400 and r.json()["errorCode"] == "E0000031", bad


def test_q_matches_name_or_email_prefix(api) -> None:
    """Spec, listUsers ``q``: matched against firstName, lastName or email (startsWith)."""
    assert _ids(api.get("/api/v1/users", params={"q": "sto"})) == [BOB]
    assert _ids(api.get("/api/v1/users", params={"q": "gus"})) == []  # q omits DEPROVISIONED


def test_read_by_id_login_or_me_with_status_links(api) -> None:
    """Spec, getUser: the id may be an id or a login; ``me`` is the token's user. The single
    user carries the link relations its status allows (SUSPENDED: unsuspend, not suspend)."""
    by_login = api.get("/api/v1/users/bob@example.com").json()
    assert by_login["id"] == BOB and by_login["status"] == "SUSPENDED"
    assert "unsuspend" in by_login["_links"] and "suspend" not in by_login["_links"]
    assert api.get("/api/v1/users/me").json()["id"] == ADMIN_ID
    assert "suspend" in api.get(f"/api/v1/users/{ALICE}").json()["_links"]
    missing = api.get("/api/v1/users/nobody@example.com")
    assert missing.status_code == 404 and missing.json()["errorCode"] == "E0000007"


def test_clear_sessions_answers_204_and_logs_user_session_clear(emu: Emulator, api) -> None:
    """Spec, revokeUserSessions: ``DELETE /api/v1/users/{userId}/sessions`` answers 204;
    the System Log records ``user.session.clear`` (event catalog)."""
    r = api.delete(f"/api/v1/users/{ALICE}/sessions", params={"oauthTokens": "true"})
    assert r.status_code == 204 and r.content == b""
    [event] = _events(emu, "user.session.clear")
    assert event["target"][0]["id"] == ALICE and event["actor"]["id"] == ADMIN_ID
    assert event["debugContext"]["debugData"]["revokeOauthTokens"] == "true"
    assert api.delete(f"/api/v1/users/{ALICE}/sessions", params={"oauthTokens": "x"}).status_code \
        == 400


def test_reset_password_moves_to_recovery(emu: Emulator, api) -> None:
    """Spec, resetPassword: "This operation transitions the user to the RECOVERY status"; with
    ``sendEmail=false`` the answer is a ``resetPasswordUrl``, with ``true`` an empty object."""
    r = api.post(f"/api/v1/users/{ALICE}/lifecycle/reset_password",
                 params={"sendEmail": "false", "revokeSessions": "true"})
    assert r.status_code == 200 and "/reset_password/" in r.json()["resetPasswordUrl"]
    assert api.get(f"/api/v1/users/{ALICE}").json()["status"] == "RECOVERY"
    assert [e["target"][0]["id"] for e in _events(emu, "user.account.reset_password")] == [ALICE]
    assert len(_events(emu, "user.session.clear")) == 1  # revokeSessions=true
    again = api.post(f"/api/v1/users/{ALICE}/lifecycle/reset_password", params={"sendEmail": "true"})
    assert again.status_code == 200 and again.json() == {}


def test_expire_password_answers_the_user_password_expired(emu: Emulator, api) -> None:
    """Spec, expirePassword: "transitions the user status to PASSWORD_EXPIRED"; answers a User."""
    r = api.post(f"/api/v1/users/{ALICE}/lifecycle/expire_password")
    assert r.status_code == 200 and r.json()["status"] == "PASSWORD_EXPIRED"
    assert len(_events(emu, "user.account.expire_password")) == 1


def test_suspend_only_from_active_and_unsuspend_only_from_suspended(emu: Emulator, api) -> None:
    """Users API reference: suspend of a user not ACTIVE → 400 E0000001; unsuspend of a user not
    SUSPENDED → 400 E0000001; both answer 200 with no body and move the status."""
    r = api.post(f"/api/v1/users/{ALICE}/lifecycle/suspend")
    assert r.status_code == 200 and r.content == b""
    assert api.get(f"/api/v1/users/{ALICE}").json()["status"] == "SUSPENDED"
    twice = api.post(f"/api/v1/users/{ALICE}/lifecycle/suspend")
    assert twice.status_code == 400 and twice.json()["errorCode"] == "E0000001"
    assert "not ACTIVE" in twice.json()["errorCauses"][0]["errorSummary"]
    assert api.post(f"/api/v1/users/{ALICE}/lifecycle/unsuspend").status_code == 200
    assert api.get(f"/api/v1/users/{ALICE}").json()["status"] == "ACTIVE"
    not_suspended = api.post(f"/api/v1/users/{ALICE}/lifecycle/unsuspend")
    assert not_suspended.status_code == 400 and not_suspended.json()["errorCode"] == "E0000001"
    assert [len(_events(emu, t)) for t in ("user.lifecycle.suspend", "user.lifecycle.unsuspend")] \
        == [1, 1]  # failed transitions write nothing


@pytest.mark.parametrize("user", [BOB, GONE])
def test_password_operations_refused_for_suspended_or_deprovisioned(api, user: str) -> None:
    """Users API reference: suspended users "can only be unsuspended or deactivated"; the error
    for an operation the status does not allow is 403 E0000038."""
    for op in ("reset_password", "expire_password"):
        r = api.post(f"/api/v1/users/{user}/lifecycle/{op}", params={"sendEmail": "true"})
        assert r.status_code == 403, op
        assert r.json()["errorCode"] == "E0000038"
        assert r.json()["errorSummary"] == "This operation is not allowed in the user's current status."


def test_oauth_scopes_read_for_gets_manage_for_changes(emu: Emulator) -> None:
    """Spec ``security``: listUsers/getUser need ``okta.users.read``; sessions and lifecycle
    operations need ``okta.users.manage`` (which also grants read)."""
    with oauth_client(emu, ["okta.users.read"]) as reader:
        assert reader.get("/api/v1/users").status_code == 200
        denied = reader.post(f"/api/v1/users/{ALICE}/lifecycle/suspend")
        assert denied.status_code == 403 and 'scope="okta.users.manage"' in \
            denied.headers["WWW-Authenticate"]
        assert reader.get("/api/v1/users/me").status_code == 404  # a service app has no "me"
    with oauth_client(emu, ["okta.users.manage"]) as manager:
        assert manager.get(f"/api/v1/users/{ALICE}").status_code == 200
        assert manager.delete(f"/api/v1/users/{ALICE}/sessions").status_code == 204
    [event] = _events(emu, "user.session.clear")
    assert event["actor"]["type"] == "PublicClientApp"  # the service app did it


def test_seed_user_status_is_validated() -> None:
    data = small_seed()
    data["users"][0]["status"] = "HAPPY"
    with pytest.raises(EmulatorError, match=r"users\[0\]\.status"):
        Emulator(seed=data)
