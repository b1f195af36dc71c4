"""Errors for bad stack settings: every one names the file, the key path and what was expected."""

from __future__ import annotations

from sarguard.errors import SarguardError


class SettingsError(SarguardError):
    """All problems found in one settings document (reported together, never just the first)."""

    document = "the stack settings"  # what the problems are in, for the headline

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in {self.document}:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
