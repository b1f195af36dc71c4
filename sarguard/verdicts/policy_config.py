"""Policy config: enforcement levels and options per control, in Pulumi's own file format.

The same JSON file drives ``pulumi preview --policy-pack-config`` and sarguard's offline and live
runs, so a team configures its policies once. Format::

    {"all": "advisory" | {"enforcementLevel": "advisory"},
     "<policy-name or control id>": "mandatory" | "advisory" | "disabled"
                                    | {"enforcementLevel": "...", "<option>": ...}}

Control ids as keys (``"SAR-02"``) are a sarguard convenience; the Pulumi CLI itself only accepts
policy names, so a file shared with ``pulumi preview`` should use those.

Errors raise one :class:`PolicyConfigError` listing every problem, each naming the file, the line,
the key path and what was expected; callers map it to exit code 2.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from sarguard.controls.base import Control
from sarguard.controls.catalog import CATALOG, find_control
from sarguard.errors import Problem, ProblemsError
from sarguard.util.jsonfile import read_json_file_with_lines
from sarguard.util.keypath import format_key_path

LEVELS: tuple[str, ...] = ("mandatory", "advisory", "disabled")
ALL = "all"
_LEVEL_KEY = "enforcementLevel"


class PolicyConfigError(ProblemsError, ValueError):
    """A policy config that cannot be used; each problem says where (file, line, key path) and
    what was expected. Every problem of a file is reported at once."""

    def __init__(self, problems: str | list[Problem], source: str | None = None) -> None:
        super().__init__(problems)
        self.source = source

    def heading(self, count: int) -> str:
        return f"{count} problems in the policy config {self.source or ''}".rstrip() + ":"


class _Problems:
    """Collects problems of one config, each prefixed with the source, line and key path."""

    def __init__(self, source: str, lines: Mapping[tuple[Any, ...], int] | None) -> None:
        self.source = source
        self.lines = lines or {}
        self.items: list[Problem] = []

    def add(self, path: tuple[Any, ...], message: str) -> None:
        line = self.lines.get(tuple(path))
        where = f"{self.source}:{line}" if line else self.source
        dotted = _path(*path)
        text = f"{where}: {dotted}: {message}" if path else f"{where}: {message}"
        file = self.source if self.lines else None
        self.items.append(Problem(text, file=file, line=line, key_path=dotted or None))


def _path(*parts: Any) -> str:
    """``a.b[0].c`` from key path parts."""
    return format_key_path(parts, root="")


def _level(value: Any, problems: _Problems, path: tuple[Any, ...]) -> str | None:
    if value not in LEVELS:
        got = json.dumps(value) if _jsonable(value) else type(value).__name__
        problems.add(path, f"expected one of {', '.join(LEVELS)}, got {got}")
        return None
    return value


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _options_schema(control: Control) -> dict[str, Any]:
    return {"type": "object", "properties": dict(control.options_schema),
            "additionalProperties": False}


@dataclass
class PolicyConfig:
    """Levels and options per policy name; empty means every control's defaults."""

    levels: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    all_level: str | None = None
    source: str = "<defaults>"

    def level_for(self, control: Control) -> str:
        """The policy's own level, else ``all``, else the control's default level."""
        return self.levels.get(control.policy_name) or self.all_level or control.default_level

    def options_for(self, control: Control) -> dict[str, Any]:
        """The control's option defaults overlaid by this config's options (a fresh copy)."""
        merged = copy.deepcopy(control.default_options())
        merged.update(copy.deepcopy(self.options.get(control.policy_name, {})))
        return merged

    @classmethod
    def from_mapping(cls, data: Any, source: str = "<file>",
                     controls: list[Control] | None = None,
                     lines: Mapping[tuple[Any, ...], int] | None = None) -> PolicyConfig:
        """Validate ``data`` (parsed JSON) against the catalog; raise one error listing every
        problem. ``lines`` (key path -> line) lets each problem name its line."""
        catalog = CATALOG if controls is None else controls
        problems = _Problems(source, lines)
        if not isinstance(data, Mapping):
            problems.add((), f"expected a JSON object mapping policy names to levels or "
                             f"settings, got {type(data).__name__}")
            raise PolicyConfigError(problems.items, source)
        config = cls(source=source)
        seen: dict[str, str] = {}
        for key, value in data.items():
            if key == ALL:
                config.all_level = _parse_all(value, problems)
                continue
            control = find_control(str(key), catalog)
            if control is None:
                known = ", ".join(c.policy_name for c in catalog)
                problems.add((key,), f"unknown policy; expected '{ALL}', a control id (SAR-01) "
                                     f"or one of: {known}")
                continue
            if control.policy_name in seen:
                problems.add((key,), f"{control.id} is already configured as "
                                     f"{seen[control.policy_name]!r}; configure it once")
                continue
            seen[control.policy_name] = str(key)
            level, options = _parse_policy(control, str(key), value, problems)
            if level:
                config.levels[control.policy_name] = level
            if options:
                config.options[control.policy_name] = options
        if problems.items:
            raise PolicyConfigError(problems.items, source)
        return config


def _parse_all(value: Any, problems: _Problems) -> str | None:
    if isinstance(value, Mapping):
        for extra in sorted(set(value) - {_LEVEL_KEY}):
            problems.add((ALL, extra), f"unexpected key; '{ALL}' takes only {_LEVEL_KEY}")
        return _level(value[_LEVEL_KEY], problems, (ALL, _LEVEL_KEY)) if _LEVEL_KEY in value else None
    return _level(value, problems, (ALL,))


def _parse_policy(control: Control, key: str, value: Any,
                  problems: _Problems) -> tuple[str | None, dict[str, Any]]:
    if not isinstance(value, Mapping):
        if isinstance(value, str):
            return _level(value, problems, (key,)), {}
        problems.add((key,), f"expected a level ({', '.join(LEVELS)}) or an object with "
                             f"{_LEVEL_KEY} and options, got {type(value).__name__}")
        return None, {}
    level = _level(value[_LEVEL_KEY], problems, (key, _LEVEL_KEY)) if _LEVEL_KEY in value else None
    options = {k: v for k, v in value.items() if k != _LEVEL_KEY}
    validator = jsonschema.Draft202012Validator(_options_schema(control))
    errors = sorted(validator.iter_errors(options), key=lambda e: [str(p) for p in e.absolute_path])
    described: dict[tuple[Any, ...], str] = {}
    for error in errors:  # one problem per key path (a 3 in an enum list is not also a type error)
        path, message = _describe_error(error, control, key)
        described.setdefault(path, message)
    for path, message in described.items():
        problems.add(path, message)
    return level, ({} if errors else copy.deepcopy(options))


def _describe_error(error: jsonschema.ValidationError, control: Control,
                    key: str) -> tuple[tuple[Any, ...], str]:
    path = (key, *error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = ", ".join([_LEVEL_KEY, *control.options_schema]) or _LEVEL_KEY
        extra = sorted(set(error.instance) - set(control.options_schema))
        return ((*path, extra[0] if extra else "?"),
                f"unknown option for {control.policy_name}; expected one of: {allowed}")
    expected = _expected(error)
    got = json.dumps(error.instance) if _jsonable(error.instance) else type(error.instance).__name__
    return path, f"expected {expected}, got {got}"


def _expected(error: jsonschema.ValidationError) -> str:
    if error.validator == "type":
        return f"a value of type {error.validator_value}"
    if error.validator == "enum":
        return "one of " + ", ".join(json.dumps(v) for v in error.validator_value)
    if error.validator == "uniqueItems":
        return "items without duplicates"
    if error.validator == "minLength":
        return f"a string of at least {error.validator_value} character(s)"
    return f"a value satisfying {error.validator}={json.dumps(error.validator_value)}"


def load_policy_config(path: str | Path | None) -> PolicyConfig:
    """Read and validate a policy config file; None gives the defaults."""
    if path is None:
        return PolicyConfig()
    data, lines = read_json_file_with_lines(path, PolicyConfigError)
    return PolicyConfig.from_mapping(data, source=str(path), lines=lines)
