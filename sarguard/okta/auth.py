"""Credentials: an SSWS API token, or OAuth 2.0 client credentials with ``private_key_jwt``.

Names follow the Okta Pulumi/Terraform provider (``OKTA_API_TOKEN``, ``OKTA_API_CLIENT_ID``,
``OKTA_API_PRIVATE_KEY``, ``OKTA_API_PRIVATE_KEY_ID``, ``OKTA_API_SCOPES``) so one set of
environment variables drives both ``pulumi up`` and sarguard. For OAuth the token request is the
credential check; DPoP is used when the token endpoint asks for it. No credential value ever
goes into a message, a log line or a repr.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sarguard.okta.dpop import DPoPKey
from sarguard.okta.errors import OktaAuthError, OktaConfigError, redact
from sarguard.okta.looplocal import LoopLocal
from sarguard.okta.secret import Secret
from sarguard.util.redaction import register as register_secrets

Clock = Callable[[], float]
# Sends a request built by the factory (a fresh one per attempt: new assertion ``jti`` and
# DPoP proof), with stats and transport retries, and returns the response.
Send = Callable[[Callable[[], httpx.Request]], Awaitable[httpx.Response]]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_S = 300
REFRESH_MARGIN_S = 60.0
RECENT_CREDENTIALS = 64  # assertions, proofs and tokens kept for redaction
_PEM_RE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


class Auth(Protocol):
    """What the client needs from a credential."""

    kind: str  # "ssws" | "oauth"

    async def prepare(self, send: Send) -> None:
        """Make sure a usable credential is at hand (fetch or refresh a token)."""

    def sign(self, request: httpx.Request) -> None:
        """Set the request's auth headers just before it is sent (fresh DPoP proof)."""

    def should_retry(self, response: httpx.Response) -> bool:
        """Learn from a response; True when the same request should be re-sent (new nonce,
        expired token)."""

    def secrets(self) -> tuple[str, ...]:
        """Every credential value currently held, for last-resort redaction."""


class SswsAuth:
    """``Authorization: SSWS <token>``; checked with ``GET /api/v1/users/me`` by the client."""

    kind = "ssws"

    def __init__(self, token: str) -> None:
        if not token or not token.strip():
            raise OktaConfigError("OKTA_API_TOKEN: expected an API token, got an empty value")
        self._token = Secret(token.strip())
        register_secrets(self.secrets)

    async def prepare(self, send: Send) -> None:
        return None

    def sign(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"SSWS {self._token.reveal()}"

    def should_retry(self, response: httpx.Response) -> bool:
        return False

    def secrets(self) -> tuple[str, ...]:
        return (self._token.reveal(),)

    def __repr__(self) -> str:
        return "SswsAuth(token=***)"


def parse_scopes(text: str) -> tuple[str, ...]:
    """``OKTA_API_SCOPES`` is comma and/or space separated."""
    return tuple(s for s in re.split(r"[,\s]+", text.strip()) if s)


def load_private_key(value: str, *, source: str = "OKTA_API_PRIVATE_KEY") -> Any:
    """Load PEM text or a path to a PEM file; the error never echoes the value."""
    text = value.strip()
    if not _PEM_RE.search(text):
        path = Path(text).expanduser()
        try:
            is_file = path.is_file()
        except (OSError, ValueError):
            is_file = False
        if not is_file:
            raise OktaConfigError(
                f"{source}: expected PEM text (starting with '-----BEGIN ... PRIVATE KEY-----') "
                "or the path of a PEM file; the value is neither"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OktaConfigError(
                f"{source}: cannot read the private key file {path}: {type(exc).__name__}"
            ) from None
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except (ValueError, TypeError):
        raise OktaConfigError(
            f"{source}: could not load the private key (expected an unencrypted PEM RSA or "
            "EC P-256/P-384/P-521 key)"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise OktaConfigError(f"{source}: expected an RSA or EC private key")
    return key


def signing_algorithm(key: Any) -> str:
    """RS256 for RSA keys, ES256/384/512 by curve for EC keys."""
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    curves = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
    alg = curves.get(key.curve.name)
    if alg is None:
        raise OktaConfigError(f"OKTA_API_PRIVATE_KEY: unsupported EC curve {key.curve.name}")
    return alg


class _Issued(deque):
    """Recently issued credential values; never shown by ``repr`` (or ``vars()`` of the auth)."""

    def __repr__(self) -> str:
        return f"<{len(self)} recent credentials>"


class OAuthAuth:
    """Client credentials with a signed ``private_key_jwt`` assertion; DPoP on demand."""

    kind = "oauth"

    def __init__(
        self,
        *,
        client_id: str,
        private_key: str,
        key_id: str,
        scopes: tuple[str, ...] | list[str],
        token_url: str,
        clock: Clock = time.time,
    ) -> None:
        self.client_id = client_id
        self.key_id = key_id
        self.scopes = tuple(scopes)
        self.token_url = token_url
        self._clock = clock
        self._pem = Secret(private_key)
        self._key = load_private_key(private_key)
        self._alg = signing_algorithm(self._key)
        self._dpop_key: DPoPKey | None = None
        self._token: Secret | None = None
        self._token_type = "Bearer"
        self._expires_at = 0.0
        self._lifetime = 0.0
        self._token_nonce: str | None = None
        self._resource_nonce: str | None = None
        self.granted_scopes: tuple[str, ...] | None = None
        self.token_requests = 0
        self._lock: LoopLocal[asyncio.Lock] = LoopLocal(asyncio.Lock)
        # Recent signed values (assertions, DPoP proofs, access tokens): a server that reflects
        # one into an error must not get it printed. Bounded: old proofs are long expired.
        self._issued = _Issued(maxlen=RECENT_CREDENTIALS)
        register_secrets(self.secrets)

    # -- public -------------------------------------------------------------------------

    @property
    def uses_dpop(self) -> bool:
        return self._dpop_key is not None

    async def ensure_token(self, send: Send) -> None:
        """Fetch a token if there is none or it expires soon (this is the credential check)."""
        async with self._lock.get():
            if self._token is not None and not self._expiring():
                return
            await self._fetch_token(send)

    async def prepare(self, send: Send) -> None:
        await self.ensure_token(send)

    def sign(self, request: httpx.Request) -> None:
        if self._token is None:
            raise OktaAuthError("no OAuth access token: prepare() must run before sign()")
        token = self._token.reveal()
        request.headers["Authorization"] = f"{self._token_type} {token}"
        if self._dpop_key is not None:
            request.headers["DPoP"] = self._remember(self._dpop_key.proof(
                request.method,
                str(request.url),
                now=self._clock(),
                nonce=self._resource_nonce,
                access_token=token,
            ))

    def should_retry(self, response: httpx.Response) -> bool:
        nonce = response.headers.get("DPoP-Nonce")
        if nonce and self._dpop_key is not None:
            self._resource_nonce = nonce
        if response.status_code != 401:
            return False
        challenge = response.headers.get("WWW-Authenticate", "")
        if "use_dpop_nonce" in challenge and nonce:
            return True
        if "invalid_token" in challenge:
            # Expired or revoked: the next prepare() fetches a new one. The old value stays
            # until then so that requests already past prepare() can still be signed.
            self._expires_at = 0.0
            return True
        return False

    def secrets(self) -> tuple[str, ...]:
        pem = self._pem.reveal()
        lines = tuple(line for line in pem.splitlines() if len(line.strip()) >= 16)
        token = (self._token.reveal(),) if self._token is not None else ()
        return (pem, *lines, *token, *self._issued)

    def __repr__(self) -> str:
        return (
            f"OAuthAuth(client_id={self.client_id!r}, key_id={self.key_id!r}, "
            f"scopes={list(self.scopes)!r}, private_key=***)"
        )

    # -- internals ----------------------------------------------------------------------

    def _expiring(self) -> bool:
        margin = min(REFRESH_MARGIN_S, self._lifetime / 2)
        return self._clock() >= self._expires_at - margin

    def client_assertion(self) -> str:
        """A fresh signed assertion: iss = sub = client id, aud = the token URL."""
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_S,
            "jti": str(uuid.uuid4()),
        }
        return self._remember(
            jwt.encode(claims, self._key, algorithm=self._alg, headers={"kid": self.key_id}))

    def _remember(self, value: str) -> str:
        self._issued.append(value)
        return value

    def _token_request(self) -> httpx.Request:
        headers = {"Accept": "application/json"}
        if self._dpop_key is not None:
            headers["DPoP"] = self._remember(self._dpop_key.proof(
                "POST", self.token_url, now=self._clock(), nonce=self._token_nonce
            ))
        data = {
            "grant_type": "client_credentials",
            "scope": " ".join(self.scopes),
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.client_assertion(),
        }
        return httpx.Request("POST", self.token_url, headers=headers, data=data)

    async def _fetch_token(self, send: Send) -> None:
        for _ in range(4):
            response = await send(self._token_request)
            self.token_requests += 1
            body = _json_object(response)
            if response.status_code == 200:
                self._accept_token(body)
                return
            error = str(body.get("error", ""))
            nonce = response.headers.get("DPoP-Nonce")
            if response.status_code == 400 and error in ("invalid_dpop_proof", "use_dpop_nonce"):
                if nonce:
                    self._token_nonce = nonce
                if self._dpop_key is None:
                    self._dpop_key = DPoPKey()  # the server wants DPoP: start proving
                    continue
                if error == "use_dpop_nonce" and nonce:
                    continue
            raise OktaAuthError(self._refusal(response.status_code, body))
        raise OktaAuthError(
            f"the OAuth token request for client {self.client_id} kept being refused with "
            "DPoP errors (check the app's DPoP setting)"
        )

    def _accept_token(self, body: Mapping[str, Any]) -> None:
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise OktaAuthError(
                f"the OAuth token response for client {self.client_id} has no access_token"
            )
        token_type = str(body.get("token_type", "Bearer"))
        if token_type.lower() == "dpop" and self._dpop_key is None:
            raise OktaAuthError("the token endpoint issued a DPoP token without asking for DPoP")
        self._token_type = "DPoP" if token_type.lower() == "dpop" else "Bearer"
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0
        self._lifetime = max(lifetime, 1.0)
        self._expires_at = self._clock() + self._lifetime
        scope = body.get("scope")
        if isinstance(scope, str):
            self.granted_scopes = parse_scopes(scope)
        self._token = Secret(token)
        self._remember(token)  # stays redacted after a refresh replaces it

    def _refusal(self, status: int, body: Mapping[str, Any]) -> str:
        error = body.get("error") or body.get("errorCode") or "unknown error"
        description = body.get("error_description") or body.get("errorSummary") or ""
        hint = {
            "invalid_client": "check OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY_ID and that the "
            "app's public key matches OKTA_API_PRIVATE_KEY",
            "invalid_scope": "grant the scopes in OKTA_API_SCOPES to the service app",
            "unauthorized_client": "the app must allow the client credentials grant",
        }.get(str(error), "check the service app's configuration")
        text = (
            f"Okta refused the OAuth token request for client {self.client_id} "
            f"(HTTP {status} {error}: {description}); {hint}"
        )
        return redact(text, self.secrets())


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def auth_from_env(
    env: Mapping[str, str], org_url: str, *, clock: Clock = time.time
) -> SswsAuth | OAuthAuth:
    """SSWS when ``OKTA_API_TOKEN`` is set, else OAuth from the ``OKTA_API_*`` variables."""
    token = env.get("OKTA_API_TOKEN", "").strip()
    if token:
        return SswsAuth(token)
    names = ("OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "OKTA_API_PRIVATE_KEY_ID",
             "OKTA_API_SCOPES")
    values = {name: env.get(name, "").strip() for name in names}
    if not any(values.values()):
        raise OktaConfigError(
            "no Okta credentials: set OKTA_API_TOKEN (SSWS), or OKTA_API_CLIENT_ID, "
            "OKTA_API_PRIVATE_KEY, OKTA_API_PRIVATE_KEY_ID and OKTA_API_SCOPES (OAuth service app)"
        )
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise OktaConfigError(
            "incomplete OAuth credentials: missing " + ", ".join(missing)
        )
    scopes = parse_scopes(values["OKTA_API_SCOPES"])
    return OAuthAuth(
        client_id=values["OKTA_API_CLIENT_ID"],
        private_key=values["OKTA_API_PRIVATE_KEY"],
        key_id=values["OKTA_API_PRIVATE_KEY_ID"],
        scopes=scopes,
        token_url=org_url.rstrip("/") + "/oauth2/v1/token",
        clock=clock,
    )
