"""Errors raised by the Okta client.

They carry what a report needs (HTTP status, Okta ``errorCode``, the missing scope) so the live
reader can turn a failure into a precise ``unread`` entry. Messages are built from request
paths and Okta's error summaries only: credentials never reach them (see ``redact``).
"""

from __future__ import annotations

import socket
import ssl

from sarguard.errors import SarguardError
from sarguard.util.redaction import redact

__all__ = [
    "OktaApiError", "OktaAuthError", "OktaConfigError", "OktaDeadlineError", "OktaError",
    "OktaPaginationError", "OktaRateLimitError", "OktaTransportError", "redact",
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
    """Timeouts, connection resets or malformed responses persisted after retries.

    ``origin`` (``https://host[:port]``) names the host that failed and ``reason`` what
    happened ("connection refused"), when the failure was a transport one.
    """

    def __init__(self, message: str, *, origin: str | None = None,
                 reason: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.origin = origin
        self.reason = reason
        self.detail = detail or message

    @classmethod
    def of(cls, exc: BaseException, method: str, origin: str, path: str,
           attempts: int, reason: str | None = None) -> OktaTransportError:
        """The error for a request that failed in transport on every attempt (``reason``
        overrides the one read off the exception, e.g. which timeout ran out)."""
        reason = reason or transport_reason(exc)
        detail = f"{method} {path}: {type(exc).__name__} after {attempts} attempts"
        return cls(f"{method} {path} on {origin}: {reason} ({type(exc).__name__} after "
                   f"{attempts} attempts)", origin=origin, reason=reason, detail=detail)


class OktaPaginationError(OktaError):
    """A ``next`` link repeated a page already fetched, pointed at another origin, kept a
    listing going past its family's page cap, or appeared where Okta does not page."""


class OktaDeadlineError(OktaError):
    """The run's ``--deadline`` passed (or a wait would have ended past it): what was being
    read is unread. ``seconds`` is the deadline the run was given."""

    def __init__(self, message: str, *, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


def deadline_reason(what: str, seconds: float) -> str:
    """The one wording of a deadline's ``unread`` reason (issue 19's contract)."""
    return f"the run's deadline passed while reading {what} (--deadline {seconds:g} s)"


def transport_reason(exc: BaseException) -> str:
    """What a person calls an httpx transport failure: connection refused, timed out, ...

    httpx wraps the socket error (anyio reports "All connection attempts failed" and chains the
    ``ConnectionRefusedError``), so the whole cause chain is read, most specific first.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10 and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in reversed(chain):
        for kind, reason in _TRANSPORT_TYPES:
            if isinstance(error, kind):
                return reason
    text = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    for needle, reason in _TRANSPORT_REASONS:
        if needle in text:
            return reason
    return type(exc).__name__


_TRANSPORT_TYPES: tuple[tuple[type[BaseException], str], ...] = (
    (ConnectionRefusedError, "connection refused"),
    (ConnectionResetError, "connection reset"),
    (ssl.SSLCertVerificationError, "TLS certificate verification failed"),
    (socket.gaierror, "host name not found"),
    (TimeoutError, "timed out"),
)


_TRANSPORT_REASONS: tuple[tuple[str, str], ...] = (
    ("refused", "connection refused"),
    ("certificate", "TLS certificate verification failed"),
    ("ssl", "TLS handshake failed"),
    ("name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("getaddrinfo", "host name not found"),
    ("temporary failure in name resolution", "host name not found"),
    ("timeout", "timed out"),
    ("timed out", "timed out"),
    ("reset", "connection reset"),
    ("remoteprotocolerror", "the server closed the connection"),
    ("readerror", "the connection broke while reading"),
    ("unreachable", "network unreachable"),
)
