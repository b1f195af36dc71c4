"""The one base of every "could not run" error, and the usage error the commands raise.

``cli.main`` catches :class:`SarguardError` and nothing narrower: any error a module defines for
"this input or this org cannot be used" derives from it, so a renamed or moved class can never
turn a clear message back into a traceback.
"""


class SarguardError(Exception):
    """The command could not run as asked; the message says why (exit 2, never a traceback)."""


class UsageError(SarguardError):
    """A bad combination of flags or an unreadable input named by the user."""
