"""Where the component's settings come from: the stack's ``sarguard:settings`` or a mapping in code.

Both go through the one loader, so a mapping written in ``__main__.py`` is checked exactly like
the stack value (every problem at once, key paths, did-you-mean). Reading the stack's value is
done once per run: ``sarguard check`` validates it before running the program (with the stack
file's lines) and hands the result over (:func:`preloaded`), so the program does not pay twice.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.config import is_config_secret

from sarguard.pulumi.stack import StackFileError, find_project_dir, load_project, stack_file_path
from sarguard.settings import Settings, SettingsError, load_settings
from sarguard.settings.loader import (
    HEADER_SECRETS_KEY,
    PROVIDER_SECRET_KEYS,
    SECRET_KEY,
    SETTINGS_KEY,
    URL_SECRETS_KEY,
)


@dataclass(frozen=True)
class SecretFlag:
    """Stands in for a secret during validation: only *whether* it is secret matters."""

    is_secret: bool


@dataclass(frozen=True)
class Preloaded:
    """Stack settings already validated by sarguard for the run in progress, and the name of
    the component instance that took them (its resources are the settings-built ones)."""

    settings: Settings | None
    taken_by: list[str] = field(default_factory=list)


_preloaded: Preloaded | None = None
_offline = False  # inside sarguard's own offline run (check, plan, drift's declared side)
_claimed_by: Any = None  # the engine connection whose sarguard:settings an instance has read


@contextmanager
def preloaded(settings: Settings | None) -> Iterator[Preloaded]:
    """During the block, a component reading the stack's settings takes ``settings`` as read
    (None: the stack has none, and such a component reports them missing as usual)."""
    global _preloaded
    previous, _preloaded = _preloaded, Preloaded(settings)
    try:
        yield _preloaded
    finally:
        _preloaded = previous


@contextmanager
def offline_run() -> Iterator[None]:
    """During the block the program runs for sarguard's offline checks, not for ``pulumi up``:
    the component keeps the hook URL's ``{secret:NAME}`` placeholders (reports show the scheme,
    host and path, never a credential)."""
    global _offline
    previous, _offline = _offline, True
    try:
        yield
    finally:
        _offline = previous


def is_offline() -> bool:
    return _offline


def claim_stack_settings(name: str) -> None:
    """One instance per program may read ``sarguard:settings``: two would declare the same
    settings twice (and collide in the org)."""
    global _claimed_by
    monitor = pulumi.runtime.settings.SETTINGS.monitor  # one per run (a new one per mock run)
    if monitor is not None and _claimed_by is monitor:
        raise SettingsError([
            f"SuspiciousActivityReporting({name!r}): a second instance without settings: only one "
            f"instance per program can read {SETTINGS_KEY} from the stack; pass settings= (a "
            "mapping with the same shape) to every other instance"])
    _claimed_by = monitor
    if _preloaded is not None:
        _preloaded.taken_by.append(name)


def is_preloaded() -> bool:
    return _preloaded is not None and _preloaded.settings is not None


def _stack_context(stack: str) -> tuple[Path, str, Any]:
    """Project dir, the stack file name for messages, and a line lookup (best effort)."""
    try:
        project_dir = find_project_dir(Path.cwd())
        project, _ = load_project(project_dir)
        stack_path = stack_file_path(project_dir, project, stack)
        where = str(stack_path.relative_to(project_dir))
    except (StackFileError, ValueError):
        return Path.cwd(), f"Pulumi.{stack}.yaml", None
    try:
        from sarguard.pulumi.stack import load_stack_config

        config = load_stack_config(stack, project_dir)
        return project_dir, where, config.line_of
    except StackFileError:
        return project_dir, where, None


def _flag(key: str) -> SecretFlag | None:
    """Whether the engine passed ``key`` as a secret (None when the key is not set)."""
    if pulumi.runtime.get_config(key) is None:
        return None
    return SecretFlag(is_config_secret(key))


def _secret_map_flags(key: str = HEADER_SECRETS_KEY) -> Any:
    """``sarguard:eventHookHeaderSecrets`` (or ``sarguard:eventHookUrlSecrets``) as the loader
    checks it: name -> whether the engine passed the value as a secret. The engine marks the
    whole key secret when any value in it is (``pulumi config set --secret --path``); the
    offline reader sees each value."""
    raw = pulumi.runtime.get_config(key)
    if raw is None:
        return None
    try:
        values = json.loads(raw)
    except json.JSONDecodeError:
        return SecretFlag(is_config_secret(key))
    if not isinstance(values, dict):
        return SecretFlag(is_config_secret(key))
    secret = is_config_secret(key)
    return {str(name): SecretFlag(secret) for name in values}


def settings_from_stack() -> tuple[Settings, str, Any, Path]:
    """The stack's ``sarguard:settings`` validated (``where``, ``line_of`` and the project dir
    returned for the credential check), or the preloaded ones."""
    if _preloaded is not None and _preloaded.settings is not None:
        return _preloaded.settings, "", None, Path.cwd()
    stack = pulumi.get_stack()
    project_dir, where, line_of = _stack_context(stack)
    raw = pulumi.Config("sarguard").get("settings")
    try:
        raw_settings = json.loads(raw) if raw is not None else None
    except json.JSONDecodeError:
        raw_settings = raw
    settings = load_settings(raw_settings, hook_secret=_flag(SECRET_KEY), where=where,
                             project_dir=project_dir, line_of=line_of,
                             provider_secrets={key: _flag(key) for key in PROVIDER_SECRET_KEYS},
                             header_secrets=_secret_map_flags(),
                             url_secrets=_secret_map_flags(URL_SECRETS_KEY))
    return settings, where, line_of, project_dir


def caller_site(depth: int = 2) -> tuple[str, int]:
    """``(file, line)`` of the code that called the caller (for messages about a call)."""
    frame = sys._getframe(depth)
    here = Path(__file__).resolve().parent.parent
    while frame is not None and Path(frame.f_code.co_filename).resolve().is_relative_to(here):
        frame = frame.f_back
    if frame is None:
        return "<program>", 0
    try:
        shown = Path(frame.f_code.co_filename).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = frame.f_code.co_filename
    return shown, frame.f_lineno


def settings_from_mapping(name: str, raw: Mapping[str, Any], *, hook_secret: Any,
                          header_secrets: Any, url_secrets: Any = None) -> Settings:
    """A mapping given in code, validated as the stack value would be; problems name the call.

    ``bodyFile`` paths are relative to the Pulumi project (the nearest ``Pulumi.yaml``)."""
    if not isinstance(raw, Mapping):
        raise SettingsError([f"SuspiciousActivityReporting({name!r}): settings: expected a "
                             f"mapping with the shape of {SETTINGS_KEY}; got {type(raw).__name__}"])
    file, line = caller_site(3)
    try:
        project_dir = find_project_dir(Path.cwd())
    except StackFileError:
        project_dir = Path.cwd()
    names = header_secrets.keys() if isinstance(header_secrets, Mapping) else ()
    url_names = url_secrets.keys() if isinstance(url_secrets, Mapping) else ()
    try:
        return load_settings(
            json.loads(json.dumps(dict(raw))) if _plain(raw) else dict(raw),
            hook_secret=SecretFlag(True) if hook_secret is not None else None,
            where=file, project_dir=project_dir, line_of=lambda key, path=(): line or None,
            header_secrets={str(n): SecretFlag(True) for n in names} if names else None,
            url_secrets={str(n): SecretFlag(True) for n in url_names} if url_names else None)
    except SettingsError as exc:
        exc.document = f"the settings of SuspiciousActivityReporting({name!r}) at {file}:{line}"
        raise


def _plain(raw: Mapping[str, Any]) -> bool:
    """A JSON-shaped mapping (tuples become lists, as the stack value would have them)."""
    try:
        json.dumps(dict(raw))
    except (TypeError, ValueError):
        return False
    return True
