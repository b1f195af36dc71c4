"""sarguard: declare, check and audit Okta suspicious activity reporting.

The Pulumi component is importable from here (``from sarguard import
SuspiciousActivityReporting``) but loaded only when asked for: the Pulumi SDK costs most of a
second, which the command line would otherwise pay at every start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sarguard.errors import SarguardError
    from sarguard.pulumi.program import SuspiciousActivityReporting
    from sarguard.settings.errors import SettingsError

__version__ = "0.1.0"
__all__ = ["SarguardError", "SettingsError", "SuspiciousActivityReporting", "__version__"]

_LAZY = {
    "SuspiciousActivityReporting": "sarguard.pulumi.program",
    "SettingsError": "sarguard.settings.errors",
    "SarguardError": "sarguard.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sarguard' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
