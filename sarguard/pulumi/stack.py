"""Read a Pulumi project and one stack's config the way the Pulumi CLI would, without the CLI.

``sarguard plan/check/drift --stack NAME`` need the stack's config but no Pulumi backend and no
passphrase: ``secure:`` values (wherever they sit) stay opaque :class:`SecureValue` objects, and
every value keeps the line it came from so reports can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sarguard.errors import LocatedError, Problem, report_path
from sarguard.pulumi.project_rules import (
    ConfigProblem,
    full_config_key,
    normalized_project,
    project_problems,
    stack_problems,
)
from sarguard.util.yamlalias import first_alias_line, has_alias
from sarguard.util.yamldepth import too_deep_for_libyaml

PROJECT_FILE = "Pulumi.yaml"
# libyaml's composer when available: the same nodes and line marks, ~6x faster on big stacks.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StackFileError(LocatedError):
    """A project or stack file that cannot be read; the message names the file and what is wrong
    (and ``file``/``line`` say it again as data)."""


def _error(path: Path, message: str, line: int | None = None) -> StackFileError:
    """A StackFileError whose message starts with ``path`` (and ``:line``), as every one does."""
    where = f"{path}:{line}" if line else str(path)
    return StackFileError(f"{where}: {message}", file=report_path(path), line=line)


@dataclass(frozen=True)
class SecureValue:
    """An encrypted config value. It is never decrypted and never rendered."""

    ciphertext: str = field(repr=False)
    is_secret: bool = True

    def __repr__(self) -> str:
        return "[secret]"

    __str__ = __repr__


Path_ = tuple[str | int, ...]


@dataclass
class StackConfig:
    """A stack's effective config: project defaults overlaid by the stack file."""

    project: str
    stack: str
    project_dir: Path
    stack_file: Path
    values: dict[str, Any]
    # (config key, *path inside its value) -> (file, 1-based line)
    lines: dict[tuple[Any, ...], tuple[Path, int]] = field(default_factory=dict)
    # Pulumi.yaml as the CLI loads it (runtime, main, ...).
    project_doc: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(self.full_key(key), default)

    def full_key(self, key: str) -> str:
        return key if ":" in key else f"{self.project}:{key}"

    def line_of(self, key: str, path: Path_ = ()) -> int | None:
        """The line of ``key`` (and the deepest known part of ``path``) in the stack file."""
        full = self.full_key(key)
        for depth in range(len(path), -1, -1):
            hit = self.lines.get((full, *path[:depth]))
            if hit and hit[0] == self.stack_file:
                return hit[1]
        return None

    def relative_stack_file(self) -> str:
        try:
            return str(self.stack_file.relative_to(self.project_dir))
        except ValueError:
            return str(self.stack_file)


def _compose(text: str) -> yaml.Node | None:
    """Compose with the fast parser; on bad YAML re-parse with the pure-Python one, whose
    messages ("found character '\\t' that cannot start any token") are the ones users see.

    Deeply nested input always goes to the pure-Python one: libyaml's composer recurses in C
    and crashes the process (a segfault, no message) somewhere past 20,000 levels, where the
    Python one raises a RecursionError that becomes a clear error."""
    if too_deep_for_libyaml(text):
        return yaml.compose(text, Loader=yaml.SafeLoader)
    try:
        return yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError:
        if _COMPOSER is yaml.SafeLoader:
            raise
        return yaml.compose(text, Loader=yaml.SafeLoader)


_STR_TAG = "tag:yaml.org,2002:str"


def _load_yaml_with_lines(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML keeping each value's 1-based line, keyed by its path from the root."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _error(path, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise _error(path, f"expected UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        node = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise _error(path, f"not valid YAML: {problem}", mark.line + 1 if mark else None) from None
    except RecursionError:
        raise _error(path, "not valid YAML: nested too deeply") from None
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines
    if has_alias(node):  # never needed here; expanding one can cost 10^9 values (billion laughs)
        line = first_alias_line(text)
        raise _error(path, "YAML aliases (*name) are not allowed in project and stack files; "
                           "write the value out in full", line)
    constructor = yaml.SafeLoader(text)

    def walk(n: yaml.Node, at: Path_) -> Any:
        lines[at] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                key = constructor.construct_object(key_node, deep=True)
                if not isinstance(key, str | int | float | bool) and key is not None:
                    raise _error(path, "keys must be strings", key_node.start_mark.line + 1)
                key = str(key)
                out[key] = walk(value_node, (*at, key))
                lines[(*at, key)] = key_node.start_mark.line + 1
            if set(out) == {"secure"} and isinstance(out["secure"], str):
                return SecureValue(out["secure"])
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(item, (*at, i)) for i, item in enumerate(n.value)]
        return scalar(n)

    def scalar(n: yaml.Node) -> Any:
        if n.tag == _STR_TAG:  # what the constructor would return, without its machinery
            return n.value
        try:
            return constructor.construct_object(n, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, OverflowError):
            # e.g. the timestamp 2025-02-30 (no such day), !!timestamp 'x', !!int 'x'
            kind = str(n.tag).rsplit(":", 1)[-1]
            shown = repr(n.value) if len(repr(n.value)) <= 60 else repr(n.value)[:57] + "..."
            raise _error(path, f"invalid YAML value {shown} (not a valid {kind})",
                         n.start_mark.line + 1) from None

    try:
        return walk(node, ()), lines
    except yaml.YAMLError as exc:
        raise _error(path, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise _error(path, "not valid YAML: nested too deeply") from None


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` holding ``Pulumi.yaml``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / PROJECT_FILE).is_file():
            return candidate
    raise StackFileError(f"no {PROJECT_FILE} found in {here} or any parent directory")


class StackRulesError(StackFileError):
    """Every rule the Pulumi CLI would enforce on one file, each problem at its own line."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        first = problems[0] if problems else Problem(message)
        super().__init__(message, file=first.file, line=first.line)
        self.problems = problems

    def located_problems(self) -> list[Problem]:
        return list(self.problems)


def _rule_error(path: Path, what: str, problems: list[ConfigProblem], lines: dict[Path_, int]) -> StackFileError:
    """One error listing every rule the Pulumi CLI would enforce on this file, each at its line."""
    def line(at: Path_) -> int:
        for depth in range(len(at), -1, -1):
            if at[:depth] in lines:
                return lines[at[:depth]]
        return 1

    located = [Problem(f"{path}:{line(p.path)}: {p}", file=report_path(path), line=line(p.path),
                       key_path=".".join(str(part) for part in p.path) or None) for p in problems]
    listed = "\n".join(f"  - {problem}" for problem in located)
    count = len(problems)
    return StackRulesError(f"{path}: the Pulumi CLI would refuse this {what} "
                           f"({count} problem{'s' if count != 1 else ''}):\n{listed}", located)


def load_project(project_dir: Path) -> tuple[dict[str, Any], dict[Path_, int]]:
    """``Pulumi.yaml`` as the CLI loads it: checked by its rules, then rewritten the way it
    rewrites it (``config`` shorthands become declarations)."""
    path = project_dir / PROJECT_FILE
    data, lines = _load_yaml_with_lines(path)
    problems = project_problems(data)
    if problems:
        raise _rule_error(path, "project file", problems, lines)
    return normalized_project(data), lines


def stack_file_path(project_dir: Path, project: dict[str, Any], stack: str) -> Path:
    config_dir = project.get("stackConfigDir") or "."
    return (project_dir / str(config_dir) / f"Pulumi.{stack}.yaml").resolve()


def available_stacks(project_dir: Path) -> list[str]:
    try:
        project, _ = load_project(project_dir)
    except StackFileError:
        return []
    folder = stack_file_path(project_dir, project, "x").parent
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))


def load_stack_config(stack: str, project_dir: Path | None = None) -> StackConfig:
    """Load ``<stackConfigDir>/Pulumi.<stack>.yaml`` overlaid on ``Pulumi.yaml``'s ``config:``."""
    if not stack or "/" in stack or "\\" in stack:
        raise StackFileError(f"invalid stack name {stack!r}: expected a plain name like 'demo'")
    project_dir = (project_dir or find_project_dir()).resolve()
    project, project_lines = load_project(project_dir)
    name = project["name"]
    project_path = project_dir / PROJECT_FILE
    values: dict[str, Any] = {}
    lines: dict[tuple[Any, ...], tuple[Path, int]] = {}

    for key, decl in (project.get("config") or {}).items():
        full = full_config_key(name, key)
        decl = decl or {}
        if decl.get("value") is not None:
            values[full] = decl["value"]
        elif decl.get("default") is not None:
            values[full] = decl["default"]
        else:
            continue
        lines[(full,)] = (project_path, project_lines.get(("config", key), 1))

    stack_path = stack_file_path(project_dir, project, stack)
    if not stack_path.is_file():
        known = ", ".join(available_stacks(project_dir)) or "none"
        raise _error(stack_path, f"stack file not found for stack {stack!r} (stacks found: {known})")
    data, stack_lines = _load_yaml_with_lines(stack_path)
    data = data or {}
    if not isinstance(data, dict):
        raise _error(stack_path, "expected a mapping with a 'config' key")
    problems = stack_problems(data, project, stack)
    if problems:
        raise _rule_error(stack_path, "stack file", problems, stack_lines)
    config = data.get("config") or {}
    for key, value in config.items():
        full = full_config_key(name, key)
        values[full] = value
        for path, line in stack_lines.items():
            if len(path) >= 2 and path[0] == "config" and path[1] == key:
                lines[(full, *path[2:])] = (stack_path, line)
    return StackConfig(name, stack, project_dir, stack_path, values, lines, project)
