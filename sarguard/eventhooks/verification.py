"""Okta's one-time verification of an event hook endpoint.

Okta sends ``GET`` with ``X-Okta-Verification-Challenge: <v>`` (plus the hook's headers and auth
header); the endpoint answers ``{"verification": "<v>"}`` (okta/okta-developer-docs
``docs/concepts/event-hooks/index.md``, "One-Time Verification Request").
"""

from __future__ import annotations

import json
import secrets
from typing import Any


def new_challenge() -> str:
    """A fresh, unguessable challenge value."""
    return secrets.token_urlsafe(24)


def verification_answer(challenge: str) -> dict[str, str]:
    """The body an endpoint answers the challenge with."""
    return {"verification": challenge}


def check_verification_answer(status: int, body: bytes, challenge: str) -> str | None:
    """None when ``status``/``body`` correctly answer ``challenge``, else why not (no secrets)."""
    if status != 200:
        return f"the endpoint answered HTTP {status}"
    try:
        answer: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "the endpoint's answer is not JSON"
    if not isinstance(answer, dict) or "verification" not in answer:
        return 'the endpoint\'s answer has no "verification" key'
    if answer["verification"] != challenge:
        return "the endpoint did not echo the verification challenge"
    return None
