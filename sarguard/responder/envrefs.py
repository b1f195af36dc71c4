"""``${NAME}`` references in responder.yaml: secrets stay in the environment, never the file.

Only ``${NAME}`` (a shell-style variable name) is a reference; any other ``$`` is literal
text. Expansion reports every problem at once, naming the variable and never its value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

REFERENCE = re.compile(r"\$\{([^}]*)\}")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def references(text: str) -> list[str]:
    """The names ``text`` refers to, in order (malformed ones included, for the error)."""
    return [m.group(1) for m in REFERENCE.finditer(text)]


def reference_problems(text: str, env: Mapping[str, str]) -> list[str]:
    """What stops ``text`` from expanding: malformed names, unset or empty variables."""
    problems: list[str] = []
    if "${" in REFERENCE.sub("", text):
        problems.append("has an unterminated ${...} reference")
    for name in references(text):
        if not NAME.fullmatch(name):
            problems.append(f"${{{name}}} is not an environment variable name "
                            "(letters, digits and _, not starting with a digit)")
        elif name not in env:
            problems.append(f"refers to ${{{name}}}, which is not set in the environment")
        elif not env[name]:
            problems.append(f"refers to ${{{name}}}, which is set but empty")
    return problems


def expand(text: str, env: Mapping[str, str]) -> str:
    """``text`` with each ``${NAME}`` replaced by its value (call after ``reference_problems``)."""
    return REFERENCE.sub(lambda m: env[m.group(1)], text)


def with_placeholders(text: str, placeholder: str = "sarguardref") -> str:
    """``text`` with every reference replaced by a harmless word, to check its literal parts."""
    return REFERENCE.sub(lambda m: f"{placeholder}{m.start()}x", text)
