"""Helpers shared by the emulator tests: a tiny seed, a fake clock, clients, paging."""

from __future__ import annotations

import functools
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sarguard.emulator import Emulator

ADMIN_ID = "00u1testAdmin0000001"
BRAND_ID = "bnd1testDefault00001"
OTHER_BRAND_ID = "bnd2testOther000002"
HOOK_ID = "who1testHook00000001"
REPORT = "user.account.report_suspicious_activity_by_enduser"
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"

NEW_SIGN_ON_BODY = (
    "<p>${request.browser} ${request.date} ${request.time} ${request.location} "
    "${request.ipAddress}</p><a href=\"x?t=${request.reportSuspiciousActivityToken}\">Report</a>"
)


class FakeClock:
    """A clock tests move by hand, so rate-limit windows and token expiry need no waiting."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def small_seed() -> dict[str, Any]:
    """A tiny org: two brands, one customized template, one hook, a few log events."""
    return {
        "org": {"name": "test"},
        "users": [{"id": ADMIN_ID, "login": "admin@example.com", "firstName": "Ada",
                   "lastName": "Admin"}],
        "brands": [
            {"id": BRAND_ID, "name": "Test", "isDefault": True, "templates": {
                "NewSignOnNotification": {"customizations": [
                    {"language": "en", "subject": "New sign-on", "body": NEW_SIGN_ON_BODY,
                     "isDefault": True},
                ]},
            }},
            {"id": OTHER_BRAND_ID, "name": "Other"},
        ],
        "eventHooks": [{
            "id": HOOK_ID, "name": "reports", "status": "ACTIVE", "verificationStatus": "VERIFIED",
            "channel": {"uri": "https://soar.example.com/hook",
                        "headers": [{"key": "X-Source", "value": "okta"}],
                        "authScheme": {"type": "HEADER", "key": "Authorization",
                                       "value": "Bearer hook-secret-value-123"}},
            "events": [REPORT],
        }],
        "roleSubscriptions": {"SUPER_ADMIN": {"REPORT_SUSPICIOUS_ACTIVITY": "subscribed"}},
        "customRoles": [{"id": "cr0customRole000001", "label": "Auditors"}],
        "threatInsight": {"action": "audit"},
        "systemLog": [
            {"uuid": f"evt-{i:02d}", "published": f"-{10 - i}h", "eventType": etype,
             "severity": "INFO", "displayMessage": etype,
             "actor": {"id": actor, "type": "User", "alternateId": f"{actor}@example.com"},
             "client": {"ipAddress": ip},
             "authenticationContext": {"externalSessionId": session},
             "outcome": {"result": "SUCCESS"},
             "target": [{"id": target, "type": "User"}, {"id": "0oaApp", "type": "AppInstance"}],
             "debugContext": {"debugData": {"requestUri": f"/api/v1/{etype}"}}}
            for i, (etype, actor, target, ip, session) in enumerate([
                ("user.session.start", "00uAlice", "00uAlice", "203.0.113.5", "sessA"),
                ("policy.evaluate_sign_on", "00uAlice", "00uAlice", "203.0.113.5", "sessA"),
                ("user.authentication.verify", "00uAlice", "00uAlice", "203.0.113.5", "sessA"),
                ("user.session.start", "00uBob", "00uBob", "198.51.100.9", "sessB"),
                (REPORT, "00uAlice", "00uAlice", "198.51.100.7", "sessC"),
                ("user.account.update_password", "00uAdmin", "00uBob", "192.0.2.1", "sessD"),
            ])
        ],
    }


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every test client (building one per client is slow; none is used)."""
    return ssl.create_default_context()


def client_for(emulator: Emulator, auth: str | None = "ssws", **kwargs: Any) -> httpx.Client:
    """An httpx client for the emulator (proxies from the environment ignored)."""
    headers = {}
    if auth == "ssws":
        headers["Authorization"] = f"SSWS {emulator.token}"
    elif auth is not None:
        headers["Authorization"] = auth
    kwargs.setdefault("timeout", 10)
    return httpx.Client(base_url=emulator.url, headers=headers, trust_env=False, verify=_tls(),
                        **kwargs)


def follow(client: httpx.Client, url: str, **params: Any) -> list[Any]:
    """Every item of a paged list, following ``rel="next"`` links until there are none."""
    items: list[Any] = []
    response = client.get(url, params=params)
    for _ in range(100):
        assert response.status_code == 200, response.text
        items.extend(response.json())
        nxt = response.links.get("next")
        if not nxt:
            return items
        response = client.get(nxt["url"])
    raise AssertionError("pagination did not end")


# -- OAuth ------------------------------------------------------------------------------------

CLIENT_ID = "0oa1testService00001"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key: Any) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def assertion(emulator: Emulator, key: Any | None = None, *, clock: Any = None,
              **overrides: Any) -> str:
    """A private_key_jwt client assertion; ``overrides`` replace claims (None removes one)."""
    key = key or rsa_key()
    now = int((clock or emulator.clock)())
    claims: dict[str, Any] = {"iss": CLIENT_ID, "sub": CLIENT_ID,
                              "aud": emulator.url + "/oauth2/v1/token",
                              "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    alg = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": "test-kid"})


def token_form(emulator: Emulator, scopes: list[str], signed: str | None = None,
               **extra: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "scope": " ".join(scopes),
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": signed or assertion(emulator), **extra}


@contextmanager
def oauth_client(emulator: Emulator, scopes: list[str],
                 granted: list[str] | None = None) -> Iterator[httpx.Client]:
    """Register a service app, fetch a Bearer token, and yield a client that sends it."""
    emulator.add_oauth_client(CLIENT_ID, public_pem(rsa_key()), granted or scopes)
    with client_for(emulator, auth=None) as raw:
        response = raw.post("/oauth2/v1/token", data=token_form(emulator, scopes))
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
    with client_for(emulator, auth=f"Bearer {token}") as authed:
        yield authed
