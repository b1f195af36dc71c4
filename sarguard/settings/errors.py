"""Errors for bad stack settings: every one names the file, the key path and what was expected."""

from __future__ import annotations

from sarguard.errors import ProblemsError


class SettingsError(ProblemsError):
    """All problems found in one settings document (reported together, never just the first).

    ``problems`` holds each message as the terminal shows it (``file:line: key.path: what``);
    ``located`` holds the same problems as :class:`~sarguard.errors.Problem` objects with
    ``file``, ``line`` and ``key_path`` as data, for reports.
    """

    always_list = True
    document = "the stack settings"  # what the problems are in, for the headline

    def heading(self, count: int) -> str:
        return f"{count} problem{'s' if count != 1 else ''} in {self.document}:"
