"""The one-time event hook verification call Okta makes to the hook's endpoint.

Okta sends ``GET`` with ``x-okta-verification-challenge: <v>`` (plus the hook's headers and auth
header) and expects ``{"verification": "<v>"}`` within 3 s, retrying once. The emulator only
really calls loopback endpoints (a test's or a local SOAR stub's); any other host is judged
without a network call (verified, unless the hook is flagged to fail).
"""

from __future__ import annotations

import http.client
import json
import secrets
import ssl
from urllib.parse import urlsplit

from sarguard.emulator.state import EventHook

ATTEMPTS = 2  # Okta retries once after a timeout or an error response


def challenge_once(hook: EventHook, timeout: float) -> str | None:
    """Call the endpoint once; None on success, else why it failed (no secrets in it)."""
    parts = urlsplit(hook.uri)
    challenge = secrets.token_urlsafe(24)
    headers = {h["key"]: h["value"] for h in hook.headers}
    if hook.auth_key and hook.auth_value is not None:
        headers[hook.auth_key] = hook.auth_value
    headers["x-okta-verification-challenge"] = challenge
    headers["Accept"] = "application/json"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False  # loopback test endpoints use self-signed certificates
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout,
                                           context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        raw = response.read(65536)
    except TimeoutError:
        return "the endpoint did not answer within the timeout"
    except (OSError, http.client.HTTPException) as exc:
        return f"the endpoint could not be reached ({type(exc).__name__})"
    finally:
        conn.close()
    if response.status != 200:
        return f"the endpoint answered HTTP {response.status}"
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "the endpoint's answer is not JSON"
    if not isinstance(answer, dict) or answer.get("verification") != challenge:
        return "the endpoint did not echo the verification challenge"
    return None


def verify_loopback(hook: EventHook, timeout: float) -> str | None:
    """Up to two attempts; None when verified, else the last failure reason."""
    reason = None
    for _ in range(ATTEMPTS):
        reason = challenge_once(hook, timeout)
        if reason is None:
            return None
    return reason
