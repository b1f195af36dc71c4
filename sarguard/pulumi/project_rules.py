"""The rules the Pulumi CLI applies when it loads ``Pulumi.yaml`` and a stack file, re-expressed.

Why: the Pulumi CLI cannot be installed on our machines, and a project or stack file that the CLI
rejects passes every mock. These checks are what ``pulumi`` itself runs before any program starts
(pulumi/pulumi, ``sdk/go/common/workspace/loaders.go`` ``LoadProjectBytes`` and
``LoadProjectStackBytes``; ``sdk/go/common/workspace/project.go`` ``ValidateProject``,
``RewriteConfigPathIntoStackConfigDir``, ``RewriteShorthandConfigValues``, ``Project.Validate`` and
``ValidateConfigValue``; ``sdk/go/common/resource/config/key.go`` ``ParseKey``;
``sdk/go/common/resource/config/object.go`` ``isSecureValue``; ``pkg/workspace/config.go``
``mergeConfig`` and ``validateStackConfigValue``). The stack reader applies them so ``sarguard
check`` never passes a file ``pulumi up`` would refuse, and anything that writes these files
(e.g. an importer) can validate what it wrote.

Every function takes plain parsed YAML (``yaml.safe_load`` output; ``sarguard.pulumi.stack``'s
opaque secure values are accepted too) and returns every problem, not only the first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sarguard.util.keypath import format_key_path

# Key types of a project config declaration (the project JSON schema's configTypeDeclaration).
CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")
DECLARATION_KEYS = frozenset({"type", "description", "items", "default", "value", "secret"})

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigProblem:
    """One rule the CLI would enforce, broken at ``path`` (keys from the document's root)."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{format_key_path(self.path)}: {self.message}" if self.path else self.message


# ---- values ------------------------------------------------------------------------------

def _is_secure(value: Any) -> bool:
    """A ``{secure: <string>}`` map (or an already-opaque secure value): a Pulumi secret."""
    if getattr(value, "is_secret", False):
        return True
    return (isinstance(value, Mapping) and len(value) == 1 and "secure" in value
            and isinstance(value["secure"], str))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def config_value_matches(type_name: str | None, items: Any, value: Any) -> bool:
    """``ValidateConfigValue``: does ``value`` have the declared type?

    Integers accept whole floats and strings that parse as integers; booleans accept the
    strings ``"true"``/``"false"``; arrays need an ``items`` type and check every element.
    """
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if _is_int(value):
            return True
        if isinstance(value, float):
            return math.isfinite(value) and value == math.trunc(value)
        if isinstance(value, str):
            text = value[1:] if value[:1] in "+-" else value
            return text.isascii() and text.isdigit()
        return False
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, Mapping)
    if not isinstance(value, list) or not isinstance(items, Mapping):
        return False
    return all(config_value_matches(items.get("type"), items.get("items"), item) for item in value)


def full_type_name(type_name: str | None, items: Any) -> str:
    """``InferFullTypeName``: ``array<array<string>>`` and the like, for messages."""
    if isinstance(items, Mapping):
        return f"array<{full_type_name(items.get('type'), items.get('items'))}>"
    return str(type_name)


# ---- config keys ------------------------------------------------------------------------

def is_project_key(project_name: str, key: str) -> bool:
    """``configKeyIsNamespacedByProject``: a bare key, or one in the project's namespace."""
    return ":" not in key or key.startswith(project_name + ":")


def full_config_key(project_name: str, key: str) -> str:
    """A bare key gets the project's namespace, as both loaders do."""
    return key if ":" in key else f"{project_name}:{key}"


def config_key_problem(key: str) -> str | None:
    """``ParseKey``: ``<namespace>:<name>``, or the legacy ``<namespace>:config:<name>``."""
    parts = key.split(":")
    if len(parts) == 2 or (len(parts) == 3 and parts[1] == "config" and all(parts)):
        return None
    return (f"could not parse {key!r} as a configuration key (configuration keys should be of "
            "the form `<namespace>:<name>`)")


# ---- Pulumi.yaml ------------------------------------------------------------------------

def normalized_project(raw: Any) -> dict[str, Any]:
    """The project after the CLI's rewrites: a string ``config`` is the old spelling of
    ``stackConfigDir``, and shorthand config values become ``{default}`` (project keys) or
    ``{value}`` (other namespaces). Call it on a project without ``project_problems``."""
    project = dict(raw)
    config = project.get("config")
    if isinstance(config, str) and "stackConfigDir" not in project:
        project["stackConfigDir"] = config
        project["config"] = None
    config = project.get("config")
    if isinstance(config, Mapping):
        name = str(project.get("name"))
        rewritten: dict[str, Any] = {}
        for key, decl in config.items():
            if isinstance(decl, str | list) or _is_int(decl) or isinstance(decl, bool):
                rewritten[key] = {"default" if is_project_key(name, key) else "value": decl}
            else:
                rewritten[key] = decl
        project["config"] = rewritten
    return project


def project_problems(raw: Any) -> list[ConfigProblem]:
    """Every reason the Pulumi CLI would refuse to load this ``Pulumi.yaml`` document."""
    if not isinstance(raw, Mapping):
        return [ConfigProblem((), f"expected project to be an object, was {type(raw).__name__}")]
    problems: list[ConfigProblem] = []
    bad_keys = [k for k in raw if not isinstance(k, str)]
    for key in bad_keys:
        problems.append(ConfigProblem((), f"expected only string keys, got {key!r}"))
    name = raw.get("name")
    if "name" not in raw:
        problems.append(ConfigProblem((), "project is missing a 'name' attribute"))
    elif not isinstance(name, str) or not name:
        problems.append(ConfigProblem(("name",), "project is missing a non-empty string 'name' attribute"))
    problems += _runtime_problems(raw)
    config = raw.get("config")
    if isinstance(config, str) and "stackConfigDir" in raw:
        problems.append(ConfigProblem(("config",), "Should not use both config and stackConfigDir to "
                                                   "define the stack directory. Use only stackConfigDir instead."))
        return problems
    if config is not None and not isinstance(config, Mapping | str):
        problems.append(ConfigProblem(("config",), "expected a mapping of config keys"))
        return problems
    if isinstance(name, str) and name and isinstance(config, Mapping):
        for key, decl in normalized_project(raw)["config"].items():
            problems += _declaration_problems(name, str(key), decl)
    return problems


def _runtime_problems(raw: Mapping[str, Any]) -> list[ConfigProblem]:
    """``ProjectRuntimeInfo.UnmarshalYAML`` and the schema: a name, or ``{name, options}``."""
    runtime = raw.get("runtime")
    if "runtime" not in raw:
        return [ConfigProblem((), "project is missing a 'runtime' attribute")]
    if isinstance(runtime, str) and runtime:
        return []
    if isinstance(runtime, Mapping) and isinstance(runtime.get("name"), str) and runtime["name"]:
        options = runtime.get("options")
        if options is None or isinstance(options, Mapping):
            return []
        return [ConfigProblem(("runtime", "options"), "expected a mapping of runtime options")]
    return [ConfigProblem(("runtime",), "runtime section must be a string or an object with name "
                                         "and options attributes")]


def _declaration_problems(project_name: str, key: str, decl: Any) -> list[ConfigProblem]:
    at: Path = ("config", key)
    if decl is None:
        decl = {}
    if not isinstance(decl, Mapping):
        return [ConfigProblem(at, "expected a value (string, integer, boolean or array) or a "
                                  "declaration object {type, description, default, value, secret, items}")]
    problems = [ConfigProblem((*at, k), "unknown attribute of a config declaration (allowed: "
                                        f"{', '.join(sorted(DECLARATION_KEYS))})")
                for k in decl if k not in DECLARATION_KEYS]
    has_default, has_value = decl.get("default") is not None, decl.get("value") is not None
    type_name, items = decl.get("type"), decl.get("items")
    if has_default and has_value:
        problems.append(ConfigProblem(at, f"project config '{key}' cannot have both a 'default' and "
                                          "'value' attribute"))
    if type_name is not None and type_name not in CONFIG_TYPES:
        problems.append(ConfigProblem((*at, "type"), f"expected one of {', '.join(CONFIG_TYPES)}; "
                                                     f"got {type_name!r}"))
    if is_project_key(project_name, key):
        if type_name == "array" and items is None:
            problems.append(ConfigProblem(at, f"The configuration key '{key}' declares an array but "
                                              "does not specify the underlying type via the 'items' attribute"))
        elif type_name in CONFIG_TYPES and has_default and not config_value_matches(
                type_name, items, decl["default"]):
            problems.append(ConfigProblem((*at, "default"), "The default value specified for configuration "
                                                            f"key '{key}' is not of the expected type "
                                                            f"'{full_type_name(type_name, items)}'"))
        return problems
    if type_name is not None:
        problems.append(ConfigProblem(at, f"Configuration key '{key}' is not namespaced by the project "
                                          "and should not define a type"))
    if has_default:
        problems.append(ConfigProblem(at, f"Configuration key '{key}' is not namespaced by the project "
                                          "and should not define a default value. Did you mean to use "
                                          "the 'value' attribute instead of 'default'?"))
    elif not has_value:
        problems.append(ConfigProblem(at, f"Configuration key '{key}' is namespaced and must provide an "
                                          "attribute 'value'"))
    return problems


def policy_pack_problems(raw: Any) -> list[ConfigProblem]:
    """``LoadPolicyPack`` / ``PolicyPackProject.Validate`` (pulumi ``sdk/go/common/workspace``):
    ``PulumiPolicy.yaml`` needs a runtime; ``version``, when given, is a string."""
    if not isinstance(raw, Mapping):
        return [ConfigProblem((), f"expected a mapping, was {type(raw).__name__}")]
    problems = _runtime_problems(raw)
    if "version" in raw and not isinstance(raw["version"], str):
        problems.append(ConfigProblem(("version",), "expected a string (the pack's version)"))
    return problems


# ---- Pulumi.<stack>.yaml ----------------------------------------------------------------

def stack_problems(raw: Any, project: Mapping[str, Any], stack: str) -> list[ConfigProblem]:
    """Every reason the CLI would refuse this stack file for ``project`` (a sound project).

    Keys parse as ``<namespace>:<name>`` (bare keys join the project's namespace first); a
    ``secure:`` value is a string (any other ``{secure: ...}`` would silently be a plain object,
    not a secret); a project key declared ``secret: true`` is secure here; a typed project key
    has a value of its type (secure values cannot be checked without decrypting them); a project
    key with neither ``default`` nor ``value`` is set.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        return [ConfigProblem((), f"expected a mapping with a 'config' key, was {type(raw).__name__}")]
    config = raw.get("config")
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        return [ConfigProblem(("config",), "could not unmarshal map: expected a mapping of config keys")]
    name = str(project.get("name"))
    problems: list[ConfigProblem] = []
    values: dict[str, Any] = {}
    for key, value in config.items():
        key = str(key)
        full = full_config_key(name, key)
        bad = config_key_problem(full)
        if bad:
            problems.append(ConfigProblem(("config", key), bad))
        values[full] = value
        problems += [ConfigProblem(("config", key, *p), m) for p, m in _secure_problems(value, ())]
    declarations = normalized_project(project).get("config") or {}
    missing: list[str] = []
    for key in sorted(declarations):
        decl = declarations[key] if isinstance(declarations[key], Mapping) else {}
        full = full_config_key(name, key)
        if full not in values:
            if decl.get("default") is None and decl.get("value") is None and full.startswith(name + ":"):
                missing.append(key)
            continue
        value = values[full]
        if decl.get("secret") and not _is_secure(value):
            problems.append(ConfigProblem(("config", key), f"Stack '{stack}' with configuration key "
                                                           f"'{key}' must be encrypted as it's secret"))
        type_name = decl.get("type")
        if type_name is not None and not _contains_secure(value) and not config_value_matches(
                type_name, decl.get("items"), value):
            problems.append(ConfigProblem(("config", key), f"Stack '{stack}' with configuration key "
                                                           f"'{key}' must be of type "
                                                           f"'{full_type_name(type_name, decl.get('items'))}'"))
    if missing:
        listed = ", ".join(missing)
        plural = "values" if len(missing) > 1 else "value"
        problems.append(ConfigProblem(("config",), f"Stack '{stack}' is missing configuration {plural} {listed}"))
    return problems


def _secure_problems(value: Any, at: Path) -> list[tuple[Path, str]]:
    if getattr(value, "is_secret", False):
        return []
    if isinstance(value, Mapping):
        if len(value) == 1 and "secure" in value and not isinstance(value["secure"], str):
            return [(at, "a `secure:` value must be a string (the ciphertext `pulumi config set "
                         "--secret` writes); anything else is read as a plain object, not a secret")]
        out: list[tuple[Path, str]] = []
        for k, v in value.items():
            out += _secure_problems(v, (*at, str(k)))
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        out = []
        for i, v in enumerate(value):
            out += _secure_problems(v, (*at, i))
        return out
    return []


def _contains_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, Mapping):
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False
