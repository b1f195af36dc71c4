"""Policy config: enforcement levels and options per control, in Pulumi's own file format.

The same JSON file drives ``pulumi preview --policy-pack-config`` and sarguard's offline and live
runs, so a team configures its policies once. Format::

    {"all": "advisory" | {"enforcementLevel": "advisory"},
     "<policy-name or control id>": "mandatory" | "advisory" | "disabled"
                                    | {"enforcementLevel": "...", "<option>": ...}}

Control ids as keys (``"SAR-02"``) are a sarguard convenience; the Pulumi CLI itself only accepts
policy names, so a file shared with ``pulumi preview`` should use those.

Errors raise :class:`PolicyConfigError` naming the file, the key path and what was expected;
callers map it to exit code 2.
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
from sarguard.errors import SarguardError
from sarguard.util.jsonfile import read_json_file
from sarguard.util.keypath import format_key_path

LEVELS: tuple[str, ...] = ("mandatory", "advisory", "disabled")
ALL = "all"
_LEVEL_KEY = "enforcementLevel"


class PolicyConfigError(SarguardError, ValueError):
    """A policy config that cannot be used; the message says where and what was expected."""


def _path(*parts: Any) -> str:
    """``a.b[0].c`` from key path parts."""
    return format_key_path(parts, root="")


def _level(value: Any, source: str, where: str) -> str:
    if value not in LEVELS:
        raise PolicyConfigError(f"{source}: {where}: expected one of {', '.join(LEVELS)}, "
                                f"got {json.dumps(value) if _jsonable(value) else type(value).__name__}")
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
                     controls: list[Control] | None = None) -> PolicyConfig:
        """Validate ``data`` (parsed JSON) against the catalog; raise on the first problem."""
        catalog = CATALOG if controls is None else controls
        if not isinstance(data, Mapping):
            raise PolicyConfigError(f"{source}: expected a JSON object mapping policy names to "
                                    f"levels or settings, got {type(data).__name__}")
        config = cls(source=source)
        seen: dict[str, str] = {}
        for key, value in data.items():
            if key == ALL:
                config.all_level = _parse_all(value, source)
                continue
            control = find_control(str(key), catalog)
            if control is None:
                known = ", ".join(c.policy_name for c in catalog)
                raise PolicyConfigError(f"{source}: {key}: unknown policy; expected '{ALL}', a "
                                        f"control id (SAR-01) or one of: {known}")
            if control.policy_name in seen:
                raise PolicyConfigError(f"{source}: {key}: {control.id} is already configured as "
                                        f"{seen[control.policy_name]!r}; configure it once")
            seen[control.policy_name] = str(key)
            level, options = _parse_policy(control, str(key), value, source)
            if level:
                config.levels[control.policy_name] = level
            if options:
                config.options[control.policy_name] = options
        return config


def _parse_all(value: Any, source: str) -> str | None:
    if isinstance(value, Mapping):
        extra = sorted(set(value) - {_LEVEL_KEY})
        if extra:
            raise PolicyConfigError(f"{source}: {_path(ALL, extra[0])}: unexpected key; '{ALL}' "
                                    f"takes only {_LEVEL_KEY}")
        return _level(value[_LEVEL_KEY], source, _path(ALL, _LEVEL_KEY)) if _LEVEL_KEY in value else None
    return _level(value, source, ALL)


def _parse_policy(control: Control, key: str, value: Any,
                  source: str) -> tuple[str | None, dict[str, Any]]:
    if not isinstance(value, Mapping):
        if isinstance(value, str):
            return _level(value, source, key), {}
        raise PolicyConfigError(f"{source}: {key}: expected a level ({', '.join(LEVELS)}) or an "
                                f"object with {_LEVEL_KEY} and options, got {type(value).__name__}")
    level = _level(value[_LEVEL_KEY], source, _path(key, _LEVEL_KEY)) if _LEVEL_KEY in value else None
    options = {k: v for k, v in value.items() if k != _LEVEL_KEY}
    validator = jsonschema.Draft202012Validator(_options_schema(control))
    errors = sorted(validator.iter_errors(options), key=lambda e: list(e.absolute_path))
    if errors:
        raise PolicyConfigError(_describe_error(errors[0], control, key, source))
    return level, copy.deepcopy(options)


def _describe_error(error: jsonschema.ValidationError, control: Control, key: str,
                    source: str) -> str:
    where = _path(key, *error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = ", ".join([_LEVEL_KEY, *control.options_schema]) or _LEVEL_KEY
        extra = sorted(set(error.instance) - set(control.options_schema))
        return (f"{source}: {_path(key, *error.absolute_path, extra[0] if extra else '?')}: unknown "
                f"option for {control.policy_name}; expected one of: {allowed}")
    expected = _expected(error)
    got = json.dumps(error.instance) if _jsonable(error.instance) else type(error.instance).__name__
    return f"{source}: {where}: expected {expected}, got {got}"


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
    data = read_json_file(path, PolicyConfigError)
    return PolicyConfig.from_mapping(data, source=str(path))
