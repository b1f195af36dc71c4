"""Read a small YAML rule file (waivers, ignores) with errors a user can act on.

Both rule files are a YAML list of mappings. Every problem is reported as one
:class:`RuleFileError` naming the file, the key path (``[2].expires``) and what was expected,
never as a traceback: these files are hand-edited and CI output is the only feedback.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml

from sarguard.errors import LocatedError
from sarguard.util.suggest import did_you_mean
from sarguard.util.yamlalias import NoAliasSafeLoader

T = TypeVar("T")
_MAX_BYTES = 5 * 1024 * 1024  # a rule file is hand-written; anything bigger is a mistake


class RuleFileError(LocatedError, ValueError):
    """A rule file could not be used. ``str()`` is the complete, user-facing message; ``file``,
    ``line`` (when known) and ``key_path`` (``[2].expires``) say where as data."""

    def __init__(self, file: str, key_path: str, expected: str, line: int | None = None) -> None:
        self.expected = expected
        where = f"{file}:{line}" if line else file
        message = f"{where}: {key_path}: {expected}" if key_path else f"{where}: {expected}"
        super().__init__(message, file=file, line=line, key_path=key_path or None)
        self.key_path = key_path

    def at_line_in(self, text: str) -> RuleFileError:
        """This error with the line of its entry's key in ``text`` (the file's YAML), when the
        key path can be found there and no line is known yet."""
        if self.line is not None or not self.key_path:
            return self
        line = entry_line(text, self.key_path)
        if line is None:
            return self
        located = type(self)(self.file, self.key_path, self.expected, line=line)
        located.__cause__ = self.__cause__
        return located


_ENTRY_PATH = re.compile(r"^\[(\d+)\](?:\.(.+))?$")


def entry_line(text: str, key_path: str) -> int | None:
    """The 1-based line of ``[index]`` or ``[index].key`` in a YAML list of mappings."""
    match = _ENTRY_PATH.match(key_path)
    if not match:
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    index = int(match.group(1))
    if not isinstance(node, yaml.SequenceNode) or index >= len(node.value):
        return None
    entry = node.value[index]
    key = match.group(2)
    if key and isinstance(entry, yaml.MappingNode):
        for key_node, _value in entry.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node.start_mark.line + 1
    return entry.start_mark.line + 1


class _RuleLoader(NoAliasSafeLoader):
    """A SafeLoader that refuses aliases (see NoAliasSafeLoader) and whose date-like scalars that are no real date (``2027-02-30``) stay text, so
    the key that holds one is named in the error instead of a bare "day is out of range"."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, TypeError, OverflowError, AttributeError):
        return loader.construct_scalar(node)


_RuleLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


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


@contextmanager
def located_errors(path: str | Path) -> Iterator[None]:
    """Re-raise a :class:`RuleFileError` raised inside with the line of the entry it names."""
    try:
        yield
    except RuleFileError as exc:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError, ValueError):
            raise exc from None
        raise exc.at_line_in(text) from None


def locates_errors(load: Callable[..., T]) -> Callable[..., T]:
    """Decorate a loader whose first argument is the file: its errors name the entry's line."""

    @functools.wraps(load)
    def wrapper(path: str | Path, *args: Any, **kwargs: Any) -> T:
        with located_errors(path):
            return load(path, *args, **kwargs)

    return wrapper


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
        return yaml.load(text, Loader=_RuleLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = exc.problem or exc.context or "invalid YAML"
        hint = ""
        context = f"{exc.context or ''} {problem}"
        if "alias" in context or "anchor" in context:
            hint = " (quote values that start with '*' or '&', e.g. resource: \"**\")"
        parse_error = error(name, "", f"invalid YAML at {where}: {problem}{hint}")
        parse_error.line = mark.line + 1 if mark else None  # the message already says where
        raise parse_error from None
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
    """Reject unknown keys: a typo (``expiry:``) must not silently drop a constraint; the key it
    most likely meant is named."""
    allowed_list = list(allowed)
    for key in entry:
        if key not in allowed_list:
            did = did_you_mean(key, allowed_list) if isinstance(key, str) else ""
            expected = f"expected one of {', '.join(allowed_list)}"
            raise error(name, f"[{index}].{key}",
                        f"unknown key{did} ({expected})" if did else f"unknown key; {expected}")


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
        except ValueError as exc:
            if _DATE_SHAPE.match(value.strip()):  # 2027-02-30: the shape is right, the day is not
                raise error(name, path, f"expected a real date (YYYY-MM-DD); {value.strip()} is "
                                        f"not one ({exc})") from None
    raise error(name, path, f"expected a date (YYYY-MM-DD), got {describe(value)}")


_DATE_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
