"""Errors: the emulator's own configuration error, and Okta's JSON error bodies.

Why two kinds: :class:`EmulatorError` is for whoever *configures* the emulator (a bad seed, a bad
fault spec) and always names the file, key path and what was expected. :class:`ApiError` is what
an API *client* sees: Okta's ``{errorCode, errorSummary, errorLink, errorId, errorCauses}`` body,
never a traceback and never a credential.
"""

from __future__ import annotations

import secrets
from typing import Any

from sarguard.errors import SarguardError


class EmulatorError(SarguardError):
    """Bad emulator configuration (seed, faults, rate limits, port)."""


# errorCode -> Okta's standard summary for it.
SUMMARIES: dict[str, str] = {
    "E0000001": "Api validation failed",
    "E0000003": "The request body was not well-formed.",
    "E0000006": "You do not have permission to perform the requested action",
    "E0000007": "Not found",
    "E0000009": "Internal Server Error",
    "E0000011": "Invalid token provided",
    "E0000022": "The endpoint does not support the provided HTTP method",
    "E0000031": "Invalid search criteria.",
    "E0000047": "API call exceeded rate limit due to too many requests.",
    "E0000182": "A default email template customization already exists.",
    "E0000183": "An email template customization for that language already exists.",
    "E0000184": "A default email template customization can't be deleted.",
    "E0000185": "The isDefault parameter of the default email template customization can't be set "
    "to false.",
    "E0000189": "This template does not support the recipients value.",
}


def error_id() -> str:
    """A fresh errorId shaped like Okta's (``oae`` + 22 characters)."""
    return "oae" + secrets.token_urlsafe(16)[:22]


def error_body(code: str, summary: str | None = None, causes: list[str] | None = None) -> dict:
    """Okta's error JSON for ``code`` (summary defaults to Okta's standard text)."""
    return {
        "errorCode": code,
        "errorSummary": summary if summary is not None else SUMMARIES.get(code, code),
        "errorLink": code,
        "errorId": error_id(),
        "errorCauses": [{"errorSummary": c} for c in (causes or [])],
    }


class ApiError(Exception):
    """Raised by a handler to answer with Okta's error body (and optional extra headers)."""

    def __init__(
        self,
        status: int,
        code: str,
        summary: str | None = None,
        causes: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code
        self.summary = summary
        self.causes = causes or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.summary, self.causes)


class OAuthError(Exception):
    """An OAuth 2.0 error (RFC 6749 §5.2 shape) from the token endpoint."""

    def __init__(
        self,
        status: int,
        error: str,
        description: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error}")
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def not_found(what: str) -> ApiError:
    """404 E0000007 the way Okta words it: ``Not found: Resource not found: <what>``."""
    return ApiError(404, "E0000007", f"Not found: Resource not found: {what}")


def validation_failed(field: str, cause: str, status: int = 400) -> ApiError:
    """400 E0000001 ``Api validation failed: <field>`` with one cause."""
    return ApiError(status, "E0000001", f"Api validation failed: {field}", [cause])
