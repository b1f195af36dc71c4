"""A stateful Okta Management API emulator (``from sarguard.emulator import Emulator``).

The heavy parts (HTTP server, JWT, seeds) load on first use so that merely building the
``sarguard`` command line stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sarguard.emulator.errors import EmulatorError

if TYPE_CHECKING:
    from sarguard.emulator.app import Emulator
    from sarguard.emulator.server import RequestRecord

__all__ = ["Emulator", "EmulatorError", "RequestRecord"]


def __getattr__(name: str) -> Any:
    if name == "Emulator":
        from sarguard.emulator.app import Emulator

        return Emulator
    if name == "RequestRecord":
        from sarguard.emulator.server import RequestRecord

        return RequestRecord
    raise AttributeError(f"module 'sarguard.emulator' has no attribute {name!r}")
