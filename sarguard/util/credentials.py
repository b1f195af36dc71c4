"""Which hook header values are credentials, and how to tell two of them apart without showing them.

Okta returns a hook's custom header values in clear, and teams put API keys there
(``X-Api-Key: …``). A header whose *name* matches :data:`CREDENTIAL_HEADER` is treated like the
auth value: its value is never printed, declared or live, in any format. Where two values must be
compared (drift), each side is shown as a :func:`fingerprint` — the first 8 hex digits of its
SHA-256, stable across runs so that daily reports can be compared — never as the value.

One place for the pattern: SAR-06 (plaintext credential headers), drift, ``sarguard plan`` and
the stack importer all use it.
"""

from __future__ import annotations

import hashlib
import re

# Names that say a header carries a credential. Matched anywhere in the name, any case:
# ``Authorization``, ``X-Auth-Token``, ``X-Api-Key``, ``api_key``, ``X-Hub-Signature``…
CREDENTIAL_HEADER = re.compile(r"auth|token|secret|password|api[-_]?key|signature", re.IGNORECASE)
FINGERPRINT_PREFIX = "sha256:"


def is_credential_header(name: object) -> bool:
    """True when a header name looks like it carries a credential."""
    return isinstance(name, str) and CREDENTIAL_HEADER.search(name) is not None


def fingerprint(value: str) -> str:
    """``sha256:`` + the first 8 hex digits of the UTF-8 value's SHA-256 (same on every run)."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return FINGERPRINT_PREFIX + digest[:8]


def masked_value(value: object) -> str:
    """What a credential-like header value is shown as: its fingerprint, never the value."""
    if isinstance(value, str):
        return f"[credential {fingerprint(value)}]"
    return "[credential]"
