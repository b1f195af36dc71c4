"""OAuth 2.0 service apps: the token endpoint (private_key_jwt), scopes, expiry and DPoP."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from sarguard.emulator import Emulator
from tests.emulator.helpers import (
    CLIENT_ID,
    FakeClock,
    assertion,
    client_for,
    ec_key,
    oauth_client,
    public_pem,
    rsa_key,
    token_form,
)

TOKEN = "/oauth2/v1/token"
READS = ["okta.brands.read", "okta.templates.read"]


@pytest.fixture
def raw(emu: Emulator) -> httpx.Client:
    emu.add_oauth_client(CLIENT_ID, public_pem(rsa_key()), READS)
    with client_for(emu, auth=None) as client:
        yield client


def test_valid_assertion_gets_a_bearer_token_that_works(emu: Emulator, raw) -> None:
    r = raw.post(TOKEN, data=token_form(emu, READS))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(READS)
    brands = raw.get("/api/v1/brands", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert brands.status_code == 200 and brands.json()


def test_es256_client(emu: Emulator, raw) -> None:
    emu.add_oauth_client("0oa1ecClient00000001", public_pem(ec_key()), READS)
    signed = assertion(emu, ec_key(), iss="0oa1ecClient00000001", sub="0oa1ecClient00000001")
    assert raw.post(TOKEN, data=token_form(emu, READS, signed)).status_code == 200


@pytest.mark.parametrize("make, expected", [
    (lambda e: assertion(e, ec_key()), "signature"),  # signed by a key that is not the app's
    (lambda e: assertion(e, aud="https://other.example.com/oauth2/v1/token"), "aud"),
    (lambda e: assertion(e, aud=None), "aud"),
    (lambda e: assertion(e, exp=int(e.clock()) - 10), "exp"),
    (lambda e: assertion(e, sub="0oaSomeoneElse"), "sub"),
    (lambda e: assertion(e, jti=None), "jti"),
    (lambda e: assertion(e, iss="0oaUnknownClient", sub="0oaUnknownClient"), "client_id"),
    (lambda e: "not-a-jwt", "well-formed"),
])
def test_bad_assertions_are_invalid_client(emu: Emulator, raw, make, expected: str) -> None:
    r = raw.post(TOKEN, data=token_form(emu, READS, make(emu)))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert expected in r.json()["error_description"]


def test_replayed_jti_is_refused(emu: Emulator, raw) -> None:
    signed = assertion(emu)
    assert raw.post(TOKEN, data=token_form(emu, READS, signed)).status_code == 200
    again = raw.post(TOKEN, data=token_form(emu, READS, signed))
    assert again.status_code == 401 and "replay" in again.json()["error_description"]


def test_scope_not_granted_is_invalid_scope(emu: Emulator, raw) -> None:
    r = raw.post(TOKEN, data=token_form(emu, ["okta.brands.read", "okta.logs.read"]))
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    assert "okta.logs.read" in r.json()["error_description"]


def test_wrong_grant_and_content_type(emu: Emulator, raw) -> None:
    r = raw.post(TOKEN, data=token_form(emu, READS, grant_type="password"))
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = raw.post(TOKEN, json=token_form(emu, READS))
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_missing_scope_is_403_e0000006_with_challenge(emu: Emulator) -> None:
    with oauth_client(emu, ["okta.brands.read"]) as client:
        assert client.get("/api/v1/brands").status_code == 200
        r = client.get("/api/v1/eventHooks")
        token = client.headers["Authorization"].split()[1]
    assert r.status_code == 403
    assert r.json()["errorCode"] == "E0000006"
    challenge = r.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and "okta.eventHooks.read" in challenge
    assert token not in r.text and token not in challenge


def test_manage_scope_covers_reads_but_read_does_not_cover_writes(emu: Emulator) -> None:
    with oauth_client(emu, ["okta.roles.manage", "okta.threatInsights.read"]) as client:
        assert client.get("/api/v1/roles/SUPER_ADMIN/subscriptions").status_code == 200
        write = client.post("/api/v1/threats/configuration", json={"action": "none"})
    assert write.status_code == 403
    assert "okta.threatInsights.manage" in write.headers["WWW-Authenticate"]


def test_service_app_has_no_me(emu: Emulator) -> None:
    with oauth_client(emu, ["okta.users.read"]) as client:
        r = client.get("/api/v1/users/me")
    assert r.status_code == 404 and r.json()["errorCode"] == "E0000007"


def test_token_expires_by_the_clock(emu: Emulator, clock: FakeClock) -> None:
    with oauth_client(emu, READS) as client:
        assert client.get("/api/v1/brands").status_code == 200
        clock.advance(3601)
        r = client.get("/api/v1/brands")
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_unknown_bearer_token_is_401(emu: Emulator) -> None:
    with client_for(emu, auth="Bearer not-a-token") as client:
        r = client.get("/api/v1/brands")
    assert r.status_code == 401 and r.json()["errorCode"] == "E0000011"


# -- DPoP -----------------------------------------------------------------------------------


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


class Prover:
    """Signs DPoP proofs with its own P-256 key."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        numbers = self.key.public_key().public_numbers()
        self.jwk = {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x), "y": _b64(numbers.y)}

    def proof(self, method: str, url: str, now: float, **claims: Any) -> str:
        body = {"htm": method, "htu": url, "iat": int(now), "jti": str(uuid.uuid4()), **claims}
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, self.key, algorithm="ES256",
                          headers={"typ": "dpop+jwt", "jwk": self.jwk})


def _ath(token: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def dpop_raw(emu: Emulator) -> httpx.Client:
    emu.add_oauth_client(CLIENT_ID, public_pem(rsa_key()), READS, dpop=True)
    with client_for(emu, auth=None) as client:
        yield client


def _dpop_token(emu: Emulator, raw: httpx.Client, prover: Prover) -> str:
    url = emu.url + TOKEN
    missing = raw.post(TOKEN, data=token_form(emu, READS))
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_dpop_proof"
    first = raw.post(TOKEN, data=token_form(emu, READS),
                     headers={"DPoP": prover.proof("POST", url, emu.clock())})
    assert first.status_code == 400 and first.json()["error"] == "use_dpop_nonce"
    nonce = first.headers["DPoP-Nonce"]
    second = raw.post(TOKEN, data=token_form(emu, READS),
                      headers={"DPoP": prover.proof("POST", url, emu.clock(), nonce=nonce)})
    assert second.status_code == 200, second.text
    assert second.json()["token_type"] == "DPoP"
    return second.json()["access_token"]


def test_dpop_nonce_round_trip_and_bound_token(emu: Emulator, dpop_raw) -> None:
    prover = Prover()
    token = _dpop_token(emu, dpop_raw, prover)
    url = emu.url + "/api/v1/brands"
    proof = prover.proof("GET", url, emu.clock(), ath=_ath(token))
    ok = dpop_raw.get("/api/v1/brands", headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert ok.status_code == 200
    replay = dpop_raw.get("/api/v1/brands", headers={"Authorization": f"DPoP {token}",
                                                     "DPoP": proof})
    assert replay.status_code == 401


@pytest.mark.parametrize("case", ["no-proof", "bearer", "wrong-ath", "wrong-htm", "wrong-htu",
                                  "other-key", "stale"])
def test_dpop_bound_token_needs_a_matching_fresh_proof(emu: Emulator, dpop_raw, case) -> None:
    prover = Prover()
    token = _dpop_token(emu, dpop_raw, prover)
    url = emu.url + "/api/v1/brands"
    now = emu.clock()
    headers = {"Authorization": f"DPoP {token}",
               "DPoP": prover.proof("GET", url, now, ath=_ath(token))}
    if case == "no-proof":
        del headers["DPoP"]
    elif case == "bearer":
        headers["Authorization"] = f"Bearer {token}"
    elif case == "wrong-ath":
        headers["DPoP"] = prover.proof("GET", url, now, ath=_ath("another token"))
    elif case == "wrong-htm":
        headers["DPoP"] = prover.proof("POST", url, now, ath=_ath(token))
    elif case == "wrong-htu":
        headers["DPoP"] = prover.proof("GET", emu.url + "/api/v1/eventHooks", now, ath=_ath(token))
    elif case == "other-key":
        headers["DPoP"] = Prover().proof("GET", url, now, ath=_ath(token))
    elif case == "stale":
        headers["DPoP"] = prover.proof("GET", url, now - 3600, ath=_ath(token))
    r = dpop_raw.get("/api/v1/brands", headers=headers)
    assert r.status_code == 401
    assert r.json()["errorCode"] == "E0000011"
    assert token not in r.text


def test_dpop_proof_with_unknown_nonce_asks_again(emu: Emulator, dpop_raw) -> None:
    prover = Prover()
    r = dpop_raw.post(TOKEN, data=token_form(emu, READS), headers={
        "DPoP": prover.proof("POST", emu.url + TOKEN, emu.clock(), nonce="made-up")})
    assert r.status_code == 400 and r.json()["error"] == "use_dpop_nonce"
    assert r.headers["DPoP-Nonce"] != "made-up"
