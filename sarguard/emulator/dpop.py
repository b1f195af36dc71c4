"""Verify DPoP proofs (RFC 9449): the JWT a client signs per request to show it holds a key.

Checked: ``typ`` is ``dpop+jwt``; the header's ``jwk`` is a public key that verifies the
signature; ``htm``/``htu`` name this request; ``iat`` is recent by the emulator's clock; ``jti``
was not seen before; ``nonce`` (when demanded) is one the server issued; ``ath`` (on resource
requests) is the hash of the presented access token. The result is the key's thumbprint, which a
DPoP-bound token must match.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt

from sarguard.emulator.keys import BadKeyError, b64url, jwk_public_key, jwk_thumbprint

IAT_WINDOW_S = 300
NONCE_LIFETIME_S = 600
ALGORITHMS = ("RS256", "ES256", "ES384", "ES512", "PS256")


class ProofError(ValueError):
    """The proof is missing or invalid; ``nonce_needed`` asks the client to retry with a nonce."""

    def __init__(self, message: str, *, nonce_needed: bool = False) -> None:
        super().__init__(message)
        self.nonce_needed = nonce_needed


def normalize_htu(url: str) -> str:
    """Scheme and host lower-cased, default ports dropped, no query or fragment."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", "", ""))


def access_token_hash(token: str) -> str:
    return b64url(hashlib.sha256(token.encode("ascii", "replace")).digest())


class ReplayCache:
    """Seen ``jti`` values with their expiry, by the injectable clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def seen(self, jti: str) -> bool:
        with self._lock:
            return jti in self._seen and self._seen[jti] > self._clock()

    def add(self, jti: str, until: float) -> bool:
        """Record ``jti``; False when it was already recorded (a replay)."""
        now = self._clock()
        with self._lock:
            for old in [k for k, exp in self._seen.items() if exp <= now]:
                del self._seen[old]
            if jti in self._seen:
                return False
            self._seen[jti] = until
            return True


class NonceStore:
    """Server-issued DPoP nonces, valid for a while by the injectable clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._nonces: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(24)
        with self._lock:
            self._nonces[nonce] = self._clock() + NONCE_LIFETIME_S
        return nonce

    def valid(self, nonce: Any) -> bool:
        if not isinstance(nonce, str):
            return False
        with self._lock:
            expiry = self._nonces.get(nonce)
            return expiry is not None and expiry > self._clock()


def verify_proof(
    proof: str | None,
    *,
    method: str,
    urls: Iterable[str],
    clock: Callable[[], float],
    replay: ReplayCache,
    nonces: NonceStore | None = None,
    access_token: str | None = None,
) -> str:
    """Check one proof for this request; return the proof key's JWK thumbprint."""
    if not proof:
        raise ProofError("The DPoP proof JWT header is missing.")
    try:
        header = jwt.get_unverified_header(proof)
    except jwt.exceptions.DecodeError:
        raise ProofError("The DPoP proof is not a well-formed JWT.") from None
    if header.get("typ") != "dpop+jwt":
        raise ProofError("The DPoP proof 'typ' header must be 'dpop+jwt'.")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise ProofError("The DPoP proof uses an unsupported 'alg'.")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict):
        raise ProofError("The DPoP proof has no 'jwk' header.")
    try:
        key = jwk_public_key(jwk)
        thumbprint = jwk_thumbprint(jwk)
    except BadKeyError as exc:
        raise ProofError(f"The DPoP proof 'jwk' is not usable: {exc}.") from None
    try:
        claims = jwt.decode(proof, key=key, algorithms=[alg],
                            options={"verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False, "verify_aud": False})
    except jwt.exceptions.InvalidTokenError:
        raise ProofError("The DPoP proof signature is invalid.") from None
    _check_claims(claims, method, urls, clock, access_token)
    if nonces is not None and not nonces.valid(claims.get("nonce")):
        raise ProofError("Authorization server requires nonce in DPoP proof.", nonce_needed=True)
    if not replay.add(str(claims["jti"]), clock() + 2 * IAT_WINDOW_S):
        raise ProofError("The DPoP proof 'jti' was already used.")
    return thumbprint


def _check_claims(
    claims: dict[str, Any],
    method: str,
    urls: Iterable[str],
    clock: Callable[[], float],
    access_token: str | None,
) -> None:
    if str(claims.get("htm", "")).upper() != method.upper():
        raise ProofError("The DPoP proof 'htm' does not match the request method.")
    htu = claims.get("htu")
    if not isinstance(htu, str) or normalize_htu(htu) not in {normalize_htu(u) for u in urls}:
        raise ProofError("The DPoP proof 'htu' does not match the request URL.")
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool) \
            or abs(clock() - float(iat)) > IAT_WINDOW_S:
        raise ProofError("The DPoP proof 'iat' is missing or not recent.")
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise ProofError("The DPoP proof has no 'jti'.")
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise ProofError("The DPoP proof 'ath' does not match the access token.")
