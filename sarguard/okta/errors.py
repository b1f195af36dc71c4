"""Errors raised by the Okta client.

They carry what a report needs (HTTP status, Okta ``errorCode``, the missing scope) so the live
reader can turn a failure into a precise ``unread`` entry. Messages are built from request
paths and Okta's error summaries only: credentials never reach them (see ``redact``).
"""

from __future__ import annotations

from sarguard.errors import SarguardError
from sarguard.util.redaction import redact

__all__ = [
    "OktaApiError", "OktaAuthError", "OktaConfigError", "OktaError", "OktaPaginationError",
    "OktaRateLimitError", "OktaTransportError", "redact",
]


class OktaError(SarguardError):
    """Base class: anything that went wrong talking to Okta."""


class OktaConfigError(OktaError, ValueError):
    """The org, the credentials or a client option is missing or malformed."""


class OktaAuthError(OktaError):
    """The credential check failed: nothing can be read (fatal)."""


class OktaApiError(OktaError):
    """Okta answered with an error status that retrying will not fix."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        path: str,
        error_code: str | None = None,
        summary: str | None = None,
        scope: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.path = path
        self.error_code = error_code
        self.summary = summary
        # The OAuth scope Okta says (or the endpoint implies) is missing, for 403 E0000006.
        self.scope = scope


class OktaRateLimitError(OktaError):
    """Still rate limited after the allowed number of waits."""


class OktaTransportError(OktaError):
    """Timeouts, connection resets or malformed responses persisted after retries."""


class OktaPaginationError(OktaError):
    """A ``next`` link repeated a page already fetched, or pointed at another origin."""
