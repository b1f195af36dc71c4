"""The one error ``sarguard import`` raises when it cannot write what the org holds."""

from __future__ import annotations

from sarguard.errors import SarguardError


class AdoptError(SarguardError):
    """Nothing was written; the message says why (exit 2)."""
