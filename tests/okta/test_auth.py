"""SSWS and OAuth (private_key_jwt, DPoP): header shapes, assertion and proof content."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm

from sarguard.okta.auth import OAuthAuth, SswsAuth, auth_from_env, parse_scopes
from sarguard.okta.dpop import access_token_hash
from sarguard.okta.errors import OktaAuthError, OktaConfigError
from tests.okta.fakeokta import ORG, FakeClock, FakeOkta, error, json_response, make_client, run
from tests.okta.keys import ec_key, rsa_key

TOKEN_URL = ORG + "/oauth2/v1/token"
ACCESS = "eyJ-access-token-SECRET-value"


def oauth(clock: FakeClock, pem: str | None = None) -> OAuthAuth:
    return OAuthAuth(client_id="0oa-client", private_key=pem or rsa_key()[0], key_id="kid-1",
                     scopes=("okta.brands.read", "okta.templates.read"), token_url=TOKEN_URL,
                     clock=clock)


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_ssws_header_and_users_me_check() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/users/me", {"id": "00u1"})
    client = make_client(fake)
    run(client.check_credentials())
    assert fake.requests[0].headers["Authorization"].startswith("SSWS ")
    assert fake.paths() == ["/api/v1/users/me"]


def test_env_precedence_and_missing_names() -> None:
    pem = rsa_key()[0]
    full = {"OKTA_API_CLIENT_ID": "c", "OKTA_API_PRIVATE_KEY": pem,
            "OKTA_API_PRIVATE_KEY_ID": "k", "OKTA_API_SCOPES": "okta.brands.read, okta.roles.read"}
    assert isinstance(auth_from_env({**full, "OKTA_API_TOKEN": "t0ken"}, ORG), SswsAuth)
    auth = auth_from_env(full, ORG)
    assert isinstance(auth, OAuthAuth)
    assert auth.scopes == ("okta.brands.read", "okta.roles.read")
    assert auth.token_url == TOKEN_URL
    with pytest.raises(OktaConfigError, match="OKTA_API_PRIVATE_KEY_ID, OKTA_API_SCOPES"):
        auth_from_env({"OKTA_API_CLIENT_ID": "c", "OKTA_API_PRIVATE_KEY": pem}, ORG)
    with pytest.raises(OktaConfigError, match="OKTA_API_TOKEN"):
        auth_from_env({}, ORG)


def test_scopes_split_on_commas_and_spaces() -> None:
    assert parse_scopes(" a.read,b.read  c.read ,\n") == ("a.read", "b.read", "c.read")


def test_private_key_from_a_file_path(tmp_path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(rsa_key()[0])
    auth = OAuthAuth(client_id="c", private_key=str(path), key_id="k", scopes=["s"],
                     token_url=TOKEN_URL)
    assert auth.kind == "oauth"


def test_unusable_private_key_error_never_echoes_the_value() -> None:
    garbage = "not-a-key-SECRETVALUE-1234567890"
    with pytest.raises(OktaConfigError) as info:
        OAuthAuth(client_id="c", private_key=garbage, key_id="k", scopes=["s"],
                  token_url=TOKEN_URL)
    assert "SECRETVALUE" not in str(info.value)
    broken = "-----BEGIN PRIVATE KEY-----\nBROKENSECRETBODY\n-----END PRIVATE KEY-----\n"
    with pytest.raises(OktaConfigError) as info:
        OAuthAuth(client_id="c", private_key=broken, key_id="k", scopes=["s"],
                  token_url=TOKEN_URL)
    assert "BROKENSECRETBODY" not in str(info.value)


@pytest.mark.parametrize(("key", "alg"), [(rsa_key, "RS256"), (ec_key, "ES256")])
def test_client_assertion_content_and_signature(key, alg) -> None:
    pem, public = key()
    clock = FakeClock()
    auth = oauth(clock, pem)
    first, second = auth.client_assertion(), auth.client_assertion()
    header = jwt.get_unverified_header(first)
    assert header["kid"] == "kid-1" and header["alg"] == alg
    claims = jwt.decode(first, public, algorithms=[alg], audience=TOKEN_URL,
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["iss"] == claims["sub"] == "0oa-client"
    assert claims["aud"] == TOKEN_URL
    assert claims["iat"] == int(clock.now)
    assert 0 < claims["exp"] - claims["iat"] <= 3600
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]
    other = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if alg == "RS256"
             else ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(first, other.public_key(), algorithms=[alg], audience=TOKEN_URL,
                   options={"verify_exp": False})


def test_token_request_is_the_credential_check_and_bearer_is_used() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/oauth2/v1/token", lambda r: json_response(
        {"token_type": "Bearer", "access_token": ACCESS, "expires_in": 3600,
         "scope": "okta.brands.read"}), method="POST")
    fake.route("/api/v1/brands", [])
    auth = oauth(fake.clock)
    client = make_client(fake, auth)
    run(client.check_credentials())
    body = form(fake.requests[0])
    assert body["grant_type"] == "client_credentials"
    assert body["scope"] == "okta.brands.read okta.templates.read"
    assert body["client_assertion_type"] == (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    assert "DPoP" not in fake.requests[0].headers
    assert run(client.get_all("/api/v1/brands")) == []
    assert fake.requests[1].headers["Authorization"] == f"Bearer {ACCESS}"
    assert fake.paths() == ["/oauth2/v1/token", "/api/v1/brands"]
    assert auth.granted_scopes == ("okta.brands.read",)


def _verify_proof(proof: str) -> dict:
    header = jwt.get_unverified_header(proof)
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert set(header["jwk"]) == {"kty", "crv", "x", "y"}  # public part only
    public = ECAlgorithm.from_jwk(json.dumps(header["jwk"]))
    return jwt.decode(proof, public, algorithms=["ES256"], options={"verify_iat": False})


class DPoPServer:
    """Token endpoint that demands DPoP and a nonce; resource server that rotates nonces."""

    def __init__(self) -> None:
        self.token_calls: list[httpx.Request] = []
        self.resource_nonce = "rs-nonce-1"

    def token(self, request: httpx.Request) -> httpx.Response:
        self.token_calls.append(request)
        proof = request.headers.get("DPoP")
        if proof is None:
            return json_response({"error": "invalid_dpop_proof",
                                  "error_description": "The DPoP proof JWT header is missing."},
                                 400)
        if _verify_proof(proof).get("nonce") != "as-nonce-1":
            return json_response({"error": "use_dpop_nonce",
                                  "error_description": "Authorization server requires nonce"},
                                 400, {"DPoP-Nonce": "as-nonce-1"})
        return json_response({"token_type": "DPoP", "access_token": ACCESS, "expires_in": 3600})

    def brands(self, request: httpx.Request) -> httpx.Response:
        claims = _verify_proof(request.headers["DPoP"])
        if claims.get("nonce") != self.resource_nonce:
            return json_response(
                {"errorCode": "E0000011"}, 401,
                {"WWW-Authenticate": 'DPoP error="use_dpop_nonce", error_description="nonce"',
                 "DPoP-Nonce": self.resource_nonce})
        return json_response([{"id": "bnd1"}])


def test_dpop_token_flow_proofs_and_resource_nonce_rotation() -> None:
    fake = FakeOkta(FakeClock())
    server = DPoPServer()
    fake.route("/oauth2/v1/token", server.token, method="POST")
    fake.route("/api/v1/brands", server.brands)
    auth = oauth(fake.clock)
    client = make_client(fake, auth)

    run(client.check_credentials())
    assert len(server.token_calls) == 3  # missing proof -> needs nonce -> accepted
    third = _verify_proof(server.token_calls[2].headers["DPoP"])
    assert third["htm"] == "POST" and third["htu"] == TOKEN_URL
    assert third["nonce"] == "as-nonce-1" and "ath" not in third
    assert auth.uses_dpop

    assert run(client.get_all("/api/v1/brands", params={"limit": 200})) == [{"id": "bnd1"}]
    resource = [r for r in fake.requests if r.url.path == "/api/v1/brands"]
    assert len(resource) == 2  # the first had no nonce: 401 use_dpop_nonce, then retried
    for request in resource:
        assert request.headers["Authorization"] == f"DPoP {ACCESS}"
        claims = _verify_proof(request.headers["DPoP"])
        assert claims["htm"] == "GET"
        assert claims["htu"] == ORG + "/api/v1/brands"  # no query string
        assert claims["ath"] == access_token_hash(ACCESS)
    jtis = {_verify_proof(r.headers["DPoP"])["jti"] for r in resource}
    assert len(jtis) == 2  # a fresh proof per request

    server.resource_nonce = "rs-nonce-2"  # the server rotates its nonce
    assert run(client.get_all("/api/v1/brands")) == [{"id": "bnd1"}]
    last = [r for r in fake.requests if r.url.path == "/api/v1/brands"][-1]
    assert _verify_proof(last.headers["DPoP"])["nonce"] == "rs-nonce-2"
    assert len(server.token_calls) == 3  # no new token needed


def test_access_token_is_refreshed_before_it_expires() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    issued = iter([f"token-{i}-SECRET" for i in range(5)])
    fake.route("/oauth2/v1/token", lambda r: json_response(
        {"token_type": "Bearer", "access_token": next(issued), "expires_in": 600}), method="POST")
    fake.route("/api/v1/eventHooks", [])
    client = make_client(fake, oauth(clock))
    run(client.get_all("/api/v1/eventHooks"))
    clock.now += 500  # well within its lifetime: reused
    run(client.get_all("/api/v1/eventHooks"))
    clock.now += 60  # still valid, but within the refresh margin of its expiry
    run(client.get_all("/api/v1/eventHooks"))
    hooks = [r for r in fake.requests if r.url.path == "/api/v1/eventHooks"]
    assert [h.headers["Authorization"] for h in hooks] == [
        "Bearer token-0-SECRET", "Bearer token-0-SECRET", "Bearer token-1-SECRET"]


def test_expired_token_rejected_by_resource_server_is_refetched_once() -> None:
    clock = FakeClock()
    fake = FakeOkta(clock)
    issued = iter(["old-SECRET-token", "new-SECRET-token"])
    fake.route("/oauth2/v1/token", lambda r: json_response(
        {"token_type": "Bearer", "access_token": next(issued), "expires_in": 3600}),
        method="POST")
    fake.route("/api/v1/eventHooks", lambda r: json_response([]) if "new" in
               r.headers["Authorization"] else error(
                   401, "E0000011", "Invalid token provided",
                   {"WWW-Authenticate": 'Bearer error="invalid_token"'}))
    client = make_client(fake, oauth(clock))
    assert run(client.get_all("/api/v1/eventHooks")) == []
    assert fake.paths().count("/oauth2/v1/token") == 2


def test_ssws_401_on_the_check_is_fatal_and_secret_free() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/api/v1/users/me", lambda r: error(401, "E0000011", "Invalid token provided"))
    client = make_client(fake)
    with pytest.raises(OktaAuthError) as info:
        run(client.check_credentials())
    assert "OKTA_API_TOKEN" in str(info.value)


def test_oauth_refusal_is_fatal_and_names_the_fix() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/oauth2/v1/token", lambda r: json_response(
        {"error": "invalid_client", "error_description": "The client_assertion signature is "
         "invalid."}, 401), method="POST")
    client = make_client(fake, oauth(fake.clock))
    with pytest.raises(OktaAuthError, match="invalid_client.*OKTA_API_PRIVATE_KEY_ID"):
        run(client.check_credentials())


def test_token_request_is_rebuilt_on_retry_so_the_assertion_is_never_replayed() -> None:
    fake = FakeOkta(FakeClock())
    fake.route("/oauth2/v1/token", iter_responses(
        error(503, "E0000009", "unavailable"),
        json_response({"token_type": "Bearer", "access_token": ACCESS, "expires_in": 60})),
        method="POST")
    run(make_client(fake, oauth(fake.clock)).check_credentials())
    jtis = [jwt.decode(form(r)["client_assertion"], options={"verify_signature": False})["jti"]
            for r in fake.requests]
    assert len(jtis) == 2 and jtis[0] != jtis[1]


def iter_responses(*responses: httpx.Response):
    queue = list(responses)
    return lambda request: queue.pop(0)
