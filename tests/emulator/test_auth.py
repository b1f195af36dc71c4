"""SSWS authentication: the header forms Okta accepts and the 401 it answers otherwise."""

from __future__ import annotations

import pytest

from sarguard.emulator import Emulator
from tests.emulator.helpers import ADMIN_ID, client_for


@pytest.mark.parametrize("header", [
    "SSWS test-token-0001",
    "SSWStest-token-0001",  # Okta's Python SDK sends no space
    "SSWS   test-token-0001",
    "ssws test-token-0001",
])
def test_ssws_forms_are_accepted(emu: Emulator, header: str) -> None:
    with client_for(emu, auth=header) as c:
        r = c.get("/api/v1/users/me")
    assert r.status_code == 200
    assert r.json()["id"] == ADMIN_ID


@pytest.mark.parametrize("header", [
    None,
    "SSWS wrong-token",
    "SSWS test-token-000",  # a prefix of the real token
    "SSWS test-token-00011",
    "Basic dGVzdDp0ZXN0",
    "SSWS",
])
def test_bad_or_missing_token_is_401_e0000011(emu: Emulator, header: str | None) -> None:
    with client_for(emu, auth=header) as c:
        r = c.get("/api/v1/brands")
    assert r.status_code == 401
    body = r.json()
    assert body["errorCode"] == "E0000011"
    assert body["errorSummary"] == "Invalid token provided"
    assert set(body) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert "test-token" not in r.text


def test_extra_seed_tokens_act_as_their_user(seed: dict) -> None:
    seed["users"].append({"id": "00u2other00000000002", "login": "o@example.com",
                          "firstName": "O", "lastName": "Ther"})
    seed["tokens"] = [{"token": "second-token-value", "user": "00u2other00000000002"}]
    with Emulator(seed=seed) as emu, client_for(emu, auth="SSWS second-token-value") as c:
        assert c.get("/api/v1/users/me").json()["id"] == "00u2other00000000002"


def test_random_token_when_none_given(seed: dict) -> None:
    first, second = Emulator(seed=seed), Emulator(seed=seed)
    assert first.token != second.token
    assert len(first.token) >= 30
    assert "token=***" in repr(first) and first.token not in repr(first)


def test_unknown_path_is_404_and_wrong_method_405(api) -> None:
    r = api.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["errorCode"] == "E0000007"
    r = api.patch("/api/v1/brands")
    assert r.status_code == 405 and r.json()["errorCode"] == "E0000022"


def test_users_me_and_by_id(api) -> None:
    me = api.get("/api/v1/users/me").json()
    assert me["profile"]["login"] == "admin@example.com"
    assert api.get(f"/api/v1/users/{ADMIN_ID}").json()["id"] == ADMIN_ID
    assert api.get("/api/v1/users/00uNobody").status_code == 404


def test_reprs_never_show_credentials(emu: Emulator) -> None:
    text = repr(emu) + repr(emu.state) + repr(list(emu.state.event_hooks.values()))
    assert "test-token-0001" not in text
    assert "hook-secret-value" not in text
