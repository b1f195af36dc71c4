"""DPoP proofs (RFC 9449) signed with an ephemeral EC P-256 key.

Okta may demand that a service app's access token be bound to a key: every token and resource
request then carries a fresh proof JWT naming the method and URL (and, for resource calls, the
hash of the access token), plus the server's latest nonce.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from urllib.parse import urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def access_token_hash(access_token: str) -> str:
    """The ``ath`` claim: base64url(SHA-256(token))."""
    return b64url(hashlib.sha256(access_token.encode("ascii")).digest())


def htu(url: str) -> str:
    """The ``htu`` claim: the request URL without query and fragment."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class DPoPKey:
    """An ephemeral P-256 key pair: generated per run, never written anywhere."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        numbers = self._key.public_key().public_numbers()
        self.jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._key.public_key()

    def proof(
        self,
        method: str,
        url: str,
        *,
        now: float,
        nonce: str | None = None,
        access_token: str | None = None,
    ) -> str:
        """A fresh proof JWT for one request."""
        claims: dict[str, object] = {
            "htm": method.upper(),
            "htu": htu(url),
            "iat": int(now),
            "jti": str(uuid.uuid4()),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["ath"] = access_token_hash(access_token)
        headers = {"typ": "dpop+jwt", "jwk": self.jwk}
        return jwt.encode(claims, self._key, algorithm="ES256", headers=headers)

    def __repr__(self) -> str:
        return "DPoPKey(P-256, ephemeral)"
