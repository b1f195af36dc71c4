"""Read a small YAML rule file (waivers, ignores) with errors a user can act on.

Both rule files are a YAML list of mappings. Every problem is reported as one
:class:`RuleFileError` naming the file, the key path (``[2].expires``) and what was expected,
never as a traceback: these files are hand-edited and CI output is the only feedback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from sarguard.errors import SarguardError
from sarguard.util.yamlalias import NoAliasSafeLoader

_MAX_BYTES = 5 * 1024 * 1024  # a rule file is hand-written; anything bigger is a mistake


class RuleFileError(SarguardError, ValueError):
    """A rule file could not be used. ``str()`` is the complete, user-facing message."""

    def __init__(self, file: str, key_path: str, expected: str) -> None:
        self.file = file
        self.key_path = key_path
        self.expected = expected
        where = f"{file}: {key_path}: " if key_path else f"{file}: "
        super().__init__(where + expected)


def describe(value: Any) -> str:
    """A short, safe description of a bad value for an error message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def read_entries(
    path: str | Path, error: type[RuleFileError], entry_keys: Iterable[str]
) -> list[dict[Any, Any]]:
    """Parse ``path`` as a YAML list of mappings; an empty file is an empty list."""
    name = str(path)
    keys_hint = ", ".join(entry_keys)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise error(name, "", "file not found") from None
    except OSError as exc:
        raise error(name, "", f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > _MAX_BYTES:
        raise error(name, "", f"file is larger than {_MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(name, "", f"expected UTF-8 text (bad byte at offset {exc.start})") from None
    data = _parse_yaml(text, name, error)
    if data is None:
        return []
    if not isinstance(data, list):
        raise error(
            name, "", f"expected a YAML list of entries ({keys_hint}), got {describe(data)}"
        )
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise error(
                name,
                f"[{index}]",
                f"expected a mapping with keys {keys_hint}, got {describe(entry)}",
            )
    return data


def _parse_yaml(text: str, name: str, error: type[RuleFileError]) -> Any:
    try:
        return yaml.load(text, Loader=NoAliasSafeLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = exc.problem or exc.context or "invalid YAML"
        hint = ""
        context = f"{exc.context or ''} {problem}"
        if "alias" in context or "anchor" in context:
            hint = " (quote values that start with '*' or '&', e.g. resource: \"**\")"
        raise error(name, "", f"invalid YAML at {where}: {problem}{hint}") from None
    except yaml.YAMLError as exc:
        raise error(name, "", f"invalid YAML: {exc}") from None
    except RecursionError:
        raise error(name, "", "invalid YAML: nested too deeply") from None
    except (ValueError, TypeError, OverflowError, AttributeError) as exc:
        # PyYAML raises these for scalars that look like timestamps but are not real dates,
        # and (AttributeError) for an explicit ``!!timestamp`` tag on a non-date.
        raise error(name, "", f"invalid YAML value: {exc}") from None


def check_keys(
    entry: Mapping[Any, Any],
    index: int,
    name: str,
    error: type[RuleFileError],
    allowed: Iterable[str],
) -> None:
    """Reject unknown keys: a typo (``expiry:``) must not silently drop a constraint."""
    allowed_list = list(allowed)
    for key in entry:
        if key not in allowed_list:
            raise error(
                name,
                f"[{index}].{key}",
                f"unknown key; expected one of {', '.join(allowed_list)}",
            )


def require_text(
    entry: Mapping[Any, Any], index: int, key: str, name: str, error: type[RuleFileError]
) -> str:
    """The value of a required, non-empty string key."""
    if key not in entry:
        raise error(
            name, f"[{index}].{key}", "required key is missing; expected a non-empty string"
        )
    return text_value(entry[key], index, key, name, error)


def text_value(value: Any, index: int, key: str, name: str, error: type[RuleFileError]) -> str:
    """``value`` as a non-empty, stripped string."""
    if not isinstance(value, str) or not value.strip():
        raise error(name, f"[{index}].{key}", f"expected a non-empty string, got {describe(value)}")
    return value.strip()


def require_date(
    entry: Mapping[Any, Any], index: int, key: str, name: str, error: type[RuleFileError]
) -> dt.date:
    """A required date: a YAML date (``2025-06-30``) or an ISO date string."""
    path = f"[{index}].{key}"
    if key not in entry:
        raise error(name, path, "required key is missing; expected a date (YYYY-MM-DD)")
    value = entry[key]
    if isinstance(value, dt.datetime):
        raise error(name, path, f"expected a date (YYYY-MM-DD) without a time, got {value}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise error(name, path, f"expected a date (YYYY-MM-DD), got {describe(value)}")
