"""Find, parse and validate a seed; every problem names the file, the key path and the expectation.

A seed is given as None (the bundled ``demo``), a bundled name (``demo``, ``in-sync``), a path to
a YAML file, or an already-parsed dict. Validation is the JSON Schema in
:mod:`sarguard.emulator.seed_schema` plus the rules a schema cannot express (exactly one default
brand, one customization per language, known roles, parseable times, loadable keys).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sarguard.emulator.errors import EmulatorError
from sarguard.emulator.keys import BadKeyError, load_public_key
from sarguard.emulator.seed_schema import SEED_SCHEMA
from sarguard.emulator.state import (
    LANGUAGES,
    REPORT_NOTIFICATION_ROLES,
    STANDARD_ROLES,
)
from sarguard.emulator.timeutil import parse_iso, relative_seconds
from sarguard.util.keypath import format_key_path
from sarguard.util.netutil import is_loopback_host as is_loopback
from sarguard.util.yamldepth import too_deep_for_libyaml

BUNDLED_DIR = Path(__file__).resolve().parent / "seeds"
DEFAULT_SEED = "demo"
MAX_BODY_BYTES = 64 * 1024
MAX_SUBJECT = 128
_MAX_ERRORS = 5
_VALIDATOR = Draft202012Validator(SEED_SCHEMA)
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _SeedLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """A safe loader that keeps unquoted timestamps as text: seed times are strings."""


class _DeepSeedLoader(yaml.SafeLoader):
    """The pure-Python twin of ``_SeedLoader`` for deeply nested input (see sarguard.util.yamldepth)."""


for _loader in (_SeedLoader, _DeepSeedLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
    }

PathItem = str | int


def bundled_names() -> list[str]:
    """Names of the seeds shipped with sarguard."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def key_path(parts: Iterable[PathItem]) -> str:
    """``["brands", 0, "name"]`` -> ``brands[0].name`` (``(top level)`` for the root)."""
    return format_key_path(parts)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
             int: "an integer", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def resolve_source(seed: str | Path | None) -> Path:
    """The YAML file a seed name or path refers to."""
    if seed is None:
        seed = DEFAULT_SEED
    if isinstance(seed, str) and seed in bundled_names():
        return BUNDLED_DIR / f"{seed}.yaml"
    path = Path(seed).expanduser()
    if not path.is_file():
        raise EmulatorError(
            f"{seed}: no such seed file (expected a YAML file or one of the bundled seeds: "
            f"{', '.join(bundled_names())})"
        )
    return path


def parse_file(path: Path) -> Any:
    """Read and parse a YAML seed; syntax errors name the line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EmulatorError(f"{path}: cannot read the seed file ({type(exc).__name__})") from None
    try:
        loader = _DeepSeedLoader if too_deep_for_libyaml(text) else _SeedLoader
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except RecursionError:
        raise EmulatorError(f"{path}: invalid YAML: nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise EmulatorError(f"{path}: {where}invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise EmulatorError(f"{path}: invalid YAML: {exc}") from None


def load_seed(seed: dict | str | Path | None) -> tuple[dict[str, Any], str]:
    """Return (validated seed data, source name for messages)."""
    if isinstance(seed, dict):
        data, source = seed, "<seed dict>"
    else:
        path = resolve_source(seed)
        data, source = parse_file(path), str(path)
    validate_seed(data, source)
    return data, source


# -- validation ------------------------------------------------------------------------------


# Keys whose values are credentials: errors about them never show the value.
_SECRET_KEYS = frozenset({"tokens", "authScheme", "publicKey"})


def _describe(error: ValidationError) -> str:
    """One schema error as 'expected ..., got ...' (credentials shown only by type)."""
    schema, value = error.schema, error.instance
    kind = error.validator
    if _SECRET_KEYS & {str(p) for p in error.absolute_path}:
        return _describe_secret(error)
    if kind == "type":
        return f"expected {schema['type']}, got {_type_name(value)}"
    if kind == "required":
        missing = [k for k in schema["required"] if isinstance(value, dict) and k not in value]
        return f"missing required key {missing[0]!r}" if missing else error.message
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in value if k not in allowed)
        return f"unknown key {extra[0]!r} (expected one of: {', '.join(allowed)})"
    if kind == "enum":
        listed = ", ".join(map(str, schema["enum"]))
        if "propertyNames" in error.schema_path:
            return f"unknown key {_shown(value)} (expected one of: {listed})"
        return f"expected one of {listed}; got {_shown(value)}"
    if kind == "pattern":
        return f"expected a string matching {schema['pattern']}, got {_shown(value)}"
    if kind == "oneOf" and "description" in schema:
        return f"expected {schema['description']}, got {_type_name(value)}"
    if kind in ("minItems", "maxItems", "minLength"):
        return f"expected {kind} {error.validator_value}, got {_shown(value)}"
    return error.message


def _describe_secret(error: ValidationError) -> str:
    schema = error.schema
    if error.validator == "required":
        missing = [k for k in schema["required"]
                   if isinstance(error.instance, dict) and k not in error.instance]
        return f"missing required key {missing[0]!r}" if missing else "missing a required key"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = sorted(k for k in error.instance if k not in schema.get("properties", {}))
        return f"unknown key {extra[0]!r}"
    if error.validator == "oneOf" and "description" in schema:
        return f"expected {schema['description']}, got {_type_name(error.instance)}"
    if "type" in schema and error.validator != "type":
        return f"expected a valid {schema['type']} ({error.validator} {error.validator_value!r})"
    return f"expected {schema.get('type', 'a valid value')}, got {_type_name(error.instance)}"


def _fail(source: str, problems: list[str]) -> None:
    if problems:
        more = len(problems) - _MAX_ERRORS
        lines = problems[:_MAX_ERRORS] + ([f"... and {more} more"] if more > 0 else [])
        raise EmulatorError(f"{source}: invalid seed:\n  " + "\n  ".join(lines))


def validate_seed(data: Any, source: str) -> None:
    """Schema first, then cross-field rules; raise EmulatorError listing the problems."""
    if not isinstance(data, dict):
        raise EmulatorError(f"{source}: (top level): expected a mapping, got {_type_name(data)}")
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: (list(map(str, e.path)),))
    _fail(source, [f"{key_path(e.absolute_path)}: {_describe(e)}" for e in errors])
    _fail(source, list(_semantic_problems(data)))


def _unique(items: list[dict], key: str, where: str) -> Iterable[str]:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        value = item.get(key)
        if value in seen:
            yield f"{where}[{i}].{key}: duplicate value {_shown(value)} (must be unique)"
        seen.add(value)


def _check_time(value: Any, where: str) -> Iterable[str]:
    if not isinstance(value, str):
        return
    if relative_seconds(value) is not None:
        return
    try:
        parse_iso(value)
    except ValueError:
        yield (f"{where}: expected an ISO 8601 time or a relative time like -3d4h, "
               f"got {_shown(value)}")


def _semantic_problems(data: dict[str, Any]) -> Iterable[str]:
    users = data.get("users", [])
    yield from _unique(users, "id", "users")
    user_ids = {u["id"] for u in users}
    for i, token in enumerate(data.get("tokens", [])):
        if token["user"] not in user_ids:
            yield (f"tokens[{i}].user: expected the id of a user in users, "
                   f"got {_shown(token['user'])}")
    for i, user in enumerate(users):
        for when in ("created", "lastLogin", "passwordChanged"):
            yield from _check_time(user.get(when), f"users[{i}].{when}")
    yield from _brand_problems(data.get("brands", []))
    yield from _hook_problems(data.get("eventHooks", []))
    yield from _role_problems(data)
    ti = data.get("threatInsight", {})
    for when in ("created", "lastUpdated"):
        yield from _check_time(ti.get(when), f"threatInsight.{when}")
    events = data.get("systemLog", [])
    yield from _unique(events, "uuid", "systemLog")
    for i, event in enumerate(events):
        yield from _check_time(event.get("published"), f"systemLog[{i}].published")
    clients = data.get("oauthClients", [])
    yield from _unique(clients, "clientId", "oauthClients")
    for i, client in enumerate(clients):
        try:
            load_public_key(client["publicKey"])
        except BadKeyError as exc:
            yield f"oauthClients[{i}].publicKey: {exc}"


def _brand_problems(brands: list[dict]) -> Iterable[str]:
    yield from _unique(brands, "id", "brands")
    defaults = [b["id"] for b in brands if b.get("isDefault")]
    if brands and len(defaults) != 1:
        yield (f"brands: expected exactly one brand with isDefault: true, got {len(defaults)}"
               + (f" ({', '.join(defaults)})" if defaults else ""))
    for bi, brand in enumerate(brands):
        for name, template in (brand.get("templates") or {}).items():
            where = f"brands[{bi}].templates.{name}.customizations"
            items = template.get("customizations", [])
            yield from _unique(items, "language", where)
            yield from _unique([c for c in items if "id" in c], "id", where)
            marked = [c for c in items if c.get("isDefault")]
            if len(marked) > 1:
                yield (f"{where}: expected at most one customization with isDefault: true, "
                       f"got {len(marked)}")
            for ci, item in enumerate(items):
                at = f"{where}[{ci}]"
                if item["language"] not in LANGUAGES:
                    yield (f"{at}.language: expected a language Okta supports "
                           f"({', '.join(sorted(LANGUAGES))}), got {_shown(item['language'])}")
                if len(item["subject"]) > MAX_SUBJECT:
                    yield (f"{at}.subject: expected at most {MAX_SUBJECT} characters, "
                           f"got {len(item['subject'])}")
                if len(item["body"].encode("utf-8")) >= MAX_BODY_BYTES:
                    size = len(item["body"].encode("utf-8"))
                    yield f"{at}.body: expected less than 64 KB, got {size} bytes"
                for when in ("created", "lastUpdated"):
                    yield from _check_time(item.get(when), f"{at}.{when}")


def _hook_problems(hooks: list[dict]) -> Iterable[str]:
    yield from _unique([h for h in hooks if "id" in h], "id", "eventHooks")
    for i, hook in enumerate(hooks):
        uri = hook["channel"]["uri"]
        parts = urlsplit(uri)
        if not parts.hostname:
            yield f"eventHooks[{i}].channel.uri: expected an absolute URL, got {_shown(uri)}"
        elif parts.scheme != "https" and not is_loopback(parts.hostname):
            yield (f"eventHooks[{i}].channel.uri: expected https (plain http only for loopback "
                   f"hosts), got {_shown(uri)}")
        for when in ("created", "lastUpdated"):
            yield from _check_time(hook.get(when), f"eventHooks[{i}].{when}")


def _role_problems(data: dict[str, Any]) -> Iterable[str]:
    custom = {r["id"] for r in data.get("customRoles", [])}
    for role, subs in (data.get("roleSubscriptions") or {}).items():
        if role not in STANDARD_ROLES and role not in custom:
            yield (f"roleSubscriptions.{role}: expected a standard role "
                   f"({', '.join(STANDARD_ROLES)}) or the id of one of customRoles")
        if "REPORT_SUSPICIOUS_ACTIVITY" in subs and role not in REPORT_NOTIFICATION_ROLES:
            yield (f"roleSubscriptions.{role}.REPORT_SUSPICIOUS_ACTIVITY: Okta offers this "
                   "notification only to SUPER_ADMIN and ORG_ADMIN")
