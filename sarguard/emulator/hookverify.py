"""The one-time event hook verification call Okta makes to the hook's endpoint.

Okta sends ``GET`` with ``x-okta-verification-challenge: <v>`` (plus the hook's headers and auth
header) and expects ``{"verification": "<v>"}`` within 3 s, retrying once. The emulator only
really calls loopback endpoints (a test's or a local SOAR stub's); any other host is judged
without a network call (verified, unless the hook is flagged to fail).
"""

from __future__ import annotations

from sarguard.emulator.hookhttp import call
from sarguard.emulator.state import EventHook
from sarguard.eventhooks import (
    MAX_ATTEMPTS,
    VERIFICATION_HEADER,
    check_verification_answer,
    delivery_headers,
    new_challenge,
)


def challenge_once(hook: EventHook, timeout: float) -> str | None:
    """Call the endpoint once; None on success, else why it failed (no secrets in it)."""
    challenge = new_challenge()
    headers = delivery_headers(hook.headers, hook.auth_key, hook.auth_value)
    headers.pop("Content-Type")  # a GET without a body
    headers[VERIFICATION_HEADER] = challenge
    result = call("GET", hook.uri, headers, None, timeout)
    if result.status is None:
        return result.reason
    return check_verification_answer(result.status, result.body, challenge)


def verify_loopback(hook: EventHook, timeout: float) -> str | None:
    """Up to two attempts; None when verified, else the last failure reason."""
    reason = None
    for _ in range(MAX_ATTEMPTS):
        reason = challenge_once(hook, timeout)
        if reason is None:
            return None
    return reason
