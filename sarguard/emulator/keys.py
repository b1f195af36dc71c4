"""Public keys for OAuth clients and DPoP proofs: PEM or JWK in, key objects out.

Why its own module: the seed loader (client keys) and the DPoP verifier (the proof's ``jwk``
header) read keys the same way, and both must refuse private keys — a public JWK carrying ``d``
means someone pasted a secret where it does not belong.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
# Members that define a JWK for its RFC 7638 thumbprint.
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}


class BadKeyError(ValueError):
    """A key that cannot be used (message says why, never the key material)."""


def load_public_key(value: Any) -> PublicKey:
    """Load a PEM public key or a public JWK (RSA or EC)."""
    if isinstance(value, str):
        try:
            key = serialization.load_pem_public_key(value.strip().encode("utf-8"))
        except (ValueError, TypeError):
            raise BadKeyError("expected a PEM public key ('-----BEGIN PUBLIC KEY-----')") from None
    elif isinstance(value, dict):
        key = jwk_public_key(value)
    else:
        raise BadKeyError("expected PEM text or a JWK object")
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise BadKeyError("expected an RSA or EC public key")
    return key


def jwk_public_key(jwk: dict[str, Any]) -> PublicKey:
    """The public key of a JWK; refuses private JWKs and other key types."""
    if "d" in jwk:
        raise BadKeyError("the JWK holds a private key; only public keys are accepted")
    if jwk.get("kty") not in _THUMBPRINT_MEMBERS:
        raise BadKeyError("expected a JWK with kty RSA or EC")
    try:
        key = jwt.PyJWK(jwk).key
    except (jwt.exceptions.PyJWKError, jwt.exceptions.InvalidKeyError, ValueError, TypeError):
        raise BadKeyError("the JWK is not a valid RSA or EC public key") from None
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise BadKeyError("expected an RSA or EC public key")
    return key


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint (what a DPoP-bound token's ``cnf.jkt`` holds)."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None or any(m not in jwk for m in members):
        raise BadKeyError("the JWK lacks the members needed for its thumbprint")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def algorithms_for(key: PublicKey) -> list[str]:
    """Signature algorithms a key may verify (RS256 for RSA; ES256/384/512 by curve)."""
    if isinstance(key, rsa.RSAPublicKey):
        return ["RS256"]
    curves = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
    alg = curves.get(key.curve.name)
    return [alg] if alg else []
