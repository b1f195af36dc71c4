"""Who is calling an API route, and may they: SSWS tokens, OAuth bearer/DPoP tokens, scopes.

Why here and not in handlers: Okta answers every auth problem the same way whatever the
endpoint (401 E0000011, 403 E0000006 with an ``insufficient_scope`` challenge), and the
internal endpoint refuses OAuth outright. Error texts name scopes and paths, never a token.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable

from sarguard.emulator.dpop import ProofError, verify_proof
from sarguard.emulator.errors import ApiError
from sarguard.emulator.oauth import TokenService
from sarguard.emulator.routing import Principal, Request, Route
from sarguard.emulator.state import OrgStore

# Okta's SDK sends "SSWS<token>" with no space: accept optional whitespace.
_SSWS = re.compile(r"^SSWS\s*(\S+)\s*$", re.IGNORECASE)
_OAUTH = re.compile(r"^(Bearer|DPoP)\s+(\S+)\s*$", re.IGNORECASE)


def _invalid_token(challenge: str | None = None) -> ApiError:
    headers = {"WWW-Authenticate": challenge} if challenge else {}
    return ApiError(401, "E0000011", None, None, headers)


def _challenge(scheme: str, error: str, description: str, req: Request, scope: str = "") -> str:
    parts = [f'{scheme} authorization_uri="{req.base_url}/oauth2/v1/authorize"',
             'realm="IdpRealm"']
    if scope:
        parts.append(f'scope="{scope}"')
    parts += [f'error="{error}"', f'error_description="{description}"',
              f'resource="{req.path}"']
    return ", ".join(parts)


def scope_satisfied(required: str, granted: frozenset[str]) -> bool:
    """``okta.x.read`` is satisfied by ``okta.x.read`` or ``okta.x.manage``."""
    if required in granted:
        return True
    return required.endswith(".read") and required[: -len(".read")] + ".manage" in granted


class Authenticator:
    def __init__(self, store: OrgStore, tokens: TokenService, clock: Callable[[], float],
                 base_url: Callable[[], str], emulator_token: str = "") -> None:
        self._store = store
        self._tokens = tokens
        self._clock = clock
        self._base_url = base_url
        self._emulator_token = emulator_token

    def authenticate(self, req: Request, route: Route) -> Principal | None:
        """The caller of ``route`` (None for unauthenticated routes); raises ApiError."""
        if route.auth == "none":
            return None
        header = req.header("authorization") or ""
        ssws = _SSWS.match(header)
        if route.auth == "emulator":
            # The control endpoints take the emulator's own token only: no seed token, no OAuth.
            if ssws is None or not self._emulator_token or not hmac.compare_digest(
                    ssws.group(1).encode(), self._emulator_token.encode()):
                raise _invalid_token()
            return self._ssws(ssws.group(1))
        if ssws:
            return self._ssws(ssws.group(1))
        oauth = _OAUTH.match(header)
        if oauth is None:
            raise _invalid_token()
        if route.auth == "ssws":
            raise _invalid_token()  # the internal endpoint takes SSWS only
        principal = self._oauth(oauth.group(1), oauth.group(2), req)
        if route.scope and not scope_satisfied(route.scope, principal.scopes):
            scheme = "DPoP" if oauth.group(1).lower() == "dpop" else "Bearer"
            raise ApiError(403, "E0000006", None, None, {"WWW-Authenticate": _challenge(
                scheme, "insufficient_scope",
                "The access token provided does not contain the required scopes.",
                req, route.scope)})
        return principal

    def _ssws(self, token: str) -> Principal:
        with self._store.lock:
            known = list(self._store.tokens.items())
        for candidate, user_id in known:
            if hmac.compare_digest(candidate.encode(), token.encode()):
                return Principal("ssws", user_id=user_id)
        raise _invalid_token()

    def _oauth(self, scheme: str, token: str, req: Request) -> Principal:
        issued = self._tokens.lookup(token)
        bearer_challenge = _challenge("Bearer", "invalid_token", "The access token is invalid.",
                                      req)
        if issued is None:
            raise _invalid_token(bearer_challenge)
        if issued.jkt is None:
            if scheme.lower() != "bearer":
                raise _invalid_token(bearer_challenge)
        else:
            if scheme.lower() != "dpop":
                raise _invalid_token(_challenge("DPoP", "invalid_token",
                                                "The access token is bound to a DPoP key.", req))
            self._check_resource_proof(req, token, issued.jkt)
        return Principal("oauth", client_id=issued.client_id, scopes=issued.scopes)

    def _check_resource_proof(self, req: Request, token: str, jkt: str) -> None:
        try:
            thumbprint = verify_proof(
                req.header("dpop"), method=req.method,
                urls=[req.url, self._base_url() + req.path], clock=self._clock,
                replay=self._tokens.proof_jtis, access_token=token,
            )
        except ProofError as exc:
            raise _invalid_token(_challenge("DPoP", "invalid_dpop_proof", str(exc), req)) \
                from None
        if thumbprint != jkt:
            raise _invalid_token(_challenge("DPoP", "invalid_dpop_proof",
                                            "The DPoP proof key does not match the token.", req))
