"""``POST /oauth2/v1/token``: client credentials with ``private_key_jwt``, DPoP on demand.

Why this order of checks: the client assertion's signature and claims are checked first, then
the DPoP proof (a missing nonce answers ``use_dpop_nonce`` without burning the assertion's
``jti``, so a client may resend it), and only then is the ``jti`` recorded against replay and
the scopes compared with the grant. Issued tokens are opaque, expire by the injectable clock,
and DPoP-bound ones remember their key's thumbprint.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

import jwt

from sarguard.emulator.dpop import NonceStore, ProofError, ReplayCache, verify_proof
from sarguard.emulator.errors import OAuthError
from sarguard.emulator.keys import algorithms_for
from sarguard.emulator.routing import Request, Response
from sarguard.emulator.state import OAuthClient, OrgStore

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_PATH = "/oauth2/v1/token"
TOKEN_LIFETIME_S = 3600
MAX_ASSERTION_LIFETIME_S = 3600


@dataclass(frozen=True)
class IssuedToken:
    client_id: str
    scopes: frozenset[str]
    expires_at: float
    jkt: str | None = None  # DPoP key thumbprint when the token is bound


class TokenService:
    """Issues and looks up access tokens; keeps the replay caches and DPoP nonces."""

    def __init__(self, store: OrgStore, clock: Callable[[], float], base_url: Callable[[], str]):
        self._store = store
        self._clock = clock
        self._base_url = base_url
        self._tokens: dict[str, IssuedToken] = {}
        self._lock = threading.Lock()
        self.assertion_jtis = ReplayCache(clock)
        self.proof_jtis = ReplayCache(clock)
        self.nonces = NonceStore(clock)

    def lookup(self, token: str) -> IssuedToken | None:
        """The live token (None when unknown or expired)."""
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None or issued.expires_at <= self._clock():
            return None
        return issued

    # -- token endpoint --------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        """The token endpoint; errors are OAuth JSON (``error``, ``error_description``)."""
        try:
            return self._issue(req)
        except OAuthError as exc:
            return Response(exc.status, exc.body(), dict(exc.headers))

    def _issue(self, req: Request) -> Response:
        form = self._form(req)
        grant = form.get("grant_type")
        if grant != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type",
                             "The authorization grant type is not supported by the "
                             "authorization server. Configured grant types: [client_credentials].")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
            raise OAuthError(401, "invalid_client",
                             "A client_assertion of type " + ASSERTION_TYPE + " is required.")
        client, claims = self._check_assertion(form["client_assertion"], form.get("client_id"), req)
        jkt = self._check_dpop(client, req)
        if not self.assertion_jtis.add(str(claims["jti"]), float(claims["exp"])):
            raise OAuthError(401, "invalid_client",
                             "The client_assertion token has already been used (jti replay).")
        scopes = self._granted(client, form.get("scope", ""))
        token = secrets.token_urlsafe(32)
        issued = IssuedToken(client.client_id, scopes, self._clock() + TOKEN_LIFETIME_S, jkt)
        with self._lock:
            self._tokens[token] = issued
        body = {
            "token_type": "DPoP" if jkt else "Bearer",
            "expires_in": TOKEN_LIFETIME_S,
            "access_token": token,
            "scope": " ".join(sorted(scopes)),
        }
        return Response(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    @staticmethod
    def _form(req: Request) -> dict[str, str]:
        content_type = (req.header("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            raise OAuthError(400, "invalid_request",
                             "The token request must be application/x-www-form-urlencoded.")
        try:
            parsed = parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise OAuthError(400, "invalid_request", "The request body is not UTF-8.") from None
        return {k: v[-1] for k, v in parsed.items()}

    def _audiences(self, req: Request) -> list[str]:
        return sorted({req.base_url + TOKEN_PATH, self._base_url() + TOKEN_PATH})

    def _check_assertion(
        self, assertion: str, client_id: str | None, req: Request
    ) -> tuple[OAuthClient, dict]:
        bad = "The client_assertion is invalid"
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.exceptions.InvalidTokenError:
            raise OAuthError(401, "invalid_client", f"{bad}: not a well-formed JWT.") from None
        issuer = unverified.get("iss")
        with self._store.lock:
            client = self._store.oauth_clients.get(str(issuer))
        if client is None or (client_id and client_id != issuer):
            raise OAuthError(401, "invalid_client", "The client_id is not registered or does "
                             "not match the client_assertion issuer.")
        claims = self._verified_claims(assertion, client, req)
        if claims.get("sub") != client.client_id:
            raise OAuthError(401, "invalid_client", f"{bad}: 'sub' must equal the client_id.")
        if not isinstance(claims.get("jti"), str) or not claims["jti"]:
            raise OAuthError(401, "invalid_client", f"{bad}: 'jti' is required.")
        now = self._clock()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now:
            raise OAuthError(401, "invalid_client", f"{bad}: 'exp' is missing or in the past.")
        if exp > now + MAX_ASSERTION_LIFETIME_S + 60:
            raise OAuthError(401, "invalid_client", f"{bad}: 'exp' is too far in the future.")
        return client, claims

    def _verified_claims(self, assertion: str, client: OAuthClient, req: Request) -> dict:
        bad = "The client_assertion is invalid"
        header_alg = jwt.get_unverified_header(assertion).get("alg")
        for key in client.public_keys:
            if header_alg not in algorithms_for(key):
                continue
            try:
                return jwt.decode(
                    assertion, key=key, algorithms=algorithms_for(key),
                    audience=self._audiences(req),
                    options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                             "require": ["iss", "sub", "aud", "exp", "jti"]},
                )
            except jwt.exceptions.InvalidAudienceError:
                raise OAuthError(401, "invalid_client", f"{bad}: 'aud' must be the token "
                                 "endpoint URL.") from None
            except jwt.exceptions.MissingRequiredClaimError as exc:
                raise OAuthError(401, "invalid_client",
                                 f"{bad}: the '{exc.claim}' claim is required.") from None
            except jwt.exceptions.InvalidSignatureError:
                continue
            except jwt.exceptions.InvalidTokenError:
                break
        raise OAuthError(401, "invalid_client",
                         f"{bad}: the signature does not verify with the client's key.")

    def _check_dpop(self, client: OAuthClient, req: Request) -> str | None:
        if not client.dpop:
            return None
        try:
            return verify_proof(
                req.header("dpop"), method=req.method, urls=self._audiences(req),
                clock=self._clock, replay=self.proof_jtis, nonces=self.nonces,
            )
        except ProofError as exc:
            if exc.nonce_needed:
                raise OAuthError(400, "use_dpop_nonce", str(exc),
                                 {"DPoP-Nonce": self.nonces.issue()}) from None
            raise OAuthError(400, "invalid_dpop_proof", str(exc)) from None

    @staticmethod
    def _granted(client: OAuthClient, requested: str) -> frozenset[str]:
        scopes = frozenset(s for s in requested.split() if s)
        if not scopes:
            raise OAuthError(400, "invalid_scope", "The 'scope' parameter is required for the "
                             "client_credentials grant.")
        missing = sorted(scopes - client.scopes)
        if missing:
            raise OAuthError(400, "invalid_scope", "The following scopes are not granted to "
                             "this client: " + " ".join(missing))
        return scopes
