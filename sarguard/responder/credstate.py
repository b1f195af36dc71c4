"""Whether Okta accepts the responder's credential, as the last answers said.

Why: with a wrong token every action waits (retried until ``giveUpAfter``) while deliveries keep
arriving; the SOC must hear at once, once per outage, and again when it recovers. The tracker is
only the state machine; the caller announces on the transitions ``refused()``/``ok()`` report.
(g20notify's minimal version: f20robust's ``/status`` may extend it — keep this small API.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sarguard.okta.errors import OktaApiError, OktaAuthError, OktaError

UNKNOWN, OK, REFUSED = "unknown", "ok", "refused"


@dataclass
class CredentialState:
    """``state`` is unknown (nothing asked yet), ok or refused (``reason`` says why)."""

    state: str = UNKNOWN
    reason: str | None = None
    since: datetime | None = None

    def refused(self, reason: str, now: datetime | None = None) -> bool:
        """Okta refused the credential; True when this starts an outage (announce it)."""
        started = self.state != REFUSED
        self.state, self.reason = REFUSED, reason
        if started:
            self.since = now
        return started

    def ok(self, now: datetime | None = None) -> bool:
        """Okta accepted the credential; True when this ends an outage (announce recovery)."""
        ended = self.state == REFUSED
        if self.state != OK:
            self.since = now
        self.state, self.reason = OK, None
        return ended

    @property
    def works(self) -> bool:
        return self.state != REFUSED


def refusal(exc: OktaError) -> str | None:
    """Why ``exc`` means the credential itself is refused (401, a 403 naming a scope, the token
    endpoint), else None — a 403 for one user's status or a 5xx is not an outage."""
    if isinstance(exc, OktaAuthError):
        return str(exc)
    if isinstance(exc, OktaApiError) and exc.status == 401:
        return f"HTTP 401{' ' + exc.error_code if exc.error_code else ''}: Okta rejected the credential"
    if isinstance(exc, OktaApiError) and exc.status == 403 and exc.scope:
        return f"HTTP 403: missing OAuth scope {exc.scope}"
    return None
