"""The one base of every "could not run" error, the usage error the commands raise, and the
structured form every such error takes in a report.

``cli.main`` catches :class:`SarguardError` and nothing narrower: any error a module defines for
"this input or this org cannot be used" derives from it, so a renamed or moved class can never
turn a clear message back into a traceback.

Reports (SARIF results, ``::error`` annotations, JUnit cases, the JSON ``errors`` list) need to
know *where* a problem is, not only what it says: :meth:`SarguardError.located_problems` gives each
problem as a :class:`Problem` with the file, line and key path it names (``None`` where it has no
place in a file). Subclasses that know more (settings, rule files, policy config) override it;
their ``str()`` stays the message the terminal shows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a run could not go on, with its place in the user's files when it has one.

    ``message`` is the complete line the terminal shows (it already names the file, line and
    key path); ``file``/``line``/``key_path`` repeat them as data for machine formats.
    """

    message: str
    file: str | None = None
    line: int | None = None
    key_path: str | None = None

    def __str__(self) -> str:
        return self.message


class SarguardError(Exception):
    """The command could not run as asked; the message says why (exit 2, never a traceback)."""

    def located_problems(self) -> list[Problem]:
        """Every problem this error stands for (one, unless a subclass collected several)."""
        return [Problem(message=str(self))]


class UsageError(SarguardError):
    """A bad combination of flags or an unreadable input named by the user."""


class LocatedError(SarguardError):
    """An error about one place in one file: the message plus that place as data."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 key_path: str | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.key_path = key_path

    def located_problems(self) -> list[Problem]:
        return [Problem(str(self), self.file, self.line, self.key_path)]


class ProblemsError(SarguardError):
    """Several problems found in one input, reported together (never just the first).

    ``problems`` may be plain strings (no structured place) or :class:`Problem` objects;
    ``self.problems`` keeps their messages, ``str()`` lists them under :meth:`heading` (a single
    problem is printed alone unless ``always_list``).
    """

    always_list = False

    def __init__(self, problems: str | list[str] | list[Problem] | list[str | Problem]) -> None:
        if isinstance(problems, str):  # one problem given as its message
            problems = [problems]
        self.located = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems]
        self.problems = [p.message for p in self.located]
        super().__init__("\n".join(self.problems))

    def heading(self, count: int) -> str:
        return f"{count} problem{'s' if count != 1 else ''}:"

    def located_problems(self) -> list[Problem]:
        return list(self.located)

    def __str__(self) -> str:
        if len(self.problems) == 1 and not self.always_list:
            return self.problems[0]
        return "\n".join([self.heading(len(self.problems)), *(f"  - {p}" for p in self.problems)])


def report_path(path: object) -> str:
    """``path`` as reports should name it: relative to the working directory when it lies
    inside it (code scanning matches repository-relative paths), else as given."""
    from pathlib import Path

    text = str(path)
    try:
        return Path(text).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return text
