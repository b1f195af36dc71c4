"""What ``__main__.py`` runs: read this stack's config, validate it, declare the component."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.config import is_config_secret

from sarguard.pulumi.credentials import (
    PROVIDER_KEYS,
    require_no_provider_conflicts,
    require_notification_credentials,
)
from sarguard.pulumi.program import SuspiciousActivityReporting
from sarguard.pulumi.stack import StackFileError, find_project_dir, load_project, stack_file_path
from sarguard.settings import SettingsError, load_settings
from sarguard.settings.loader import (
    HEADER_SECRETS_KEY,
    PROVIDER_SECRET_KEYS,
    SECRET_KEY,
    SETTINGS_KEY,
    URL_SECRETS_KEY,
)

COMPONENT_NAME = "suspicious-activity-reporting"


@dataclass(frozen=True)
class _SecretFlag:
    """Stands in for the hook secret during validation: only *whether* it is secret matters."""

    is_secret: bool


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


def _flag(key: str) -> _SecretFlag | None:
    """Whether the engine passed ``key`` as a secret (None when the key is not set)."""
    if pulumi.runtime.get_config(key) is None:
        return None
    return _SecretFlag(is_config_secret(key))


def _provider_config() -> dict[str, Any]:
    """The Okta provider's credential keys as the engine passed them to this program."""
    keys = PROVIDER_KEYS
    return {key: value for key in keys if (value := pulumi.runtime.get_config(key)) is not None}


def _header_secret_flags(key: str = HEADER_SECRETS_KEY) -> Any:
    """``sarguard:eventHookHeaderSecrets`` (or ``key``: ``sarguard:eventHookUrlSecrets``) as the
    loader checks it: name -> whether the engine passed the value as a secret. The engine marks
    the whole key secret when any value in it is (``pulumi config set --secret --path``); the
    offline reader sees each value."""
    raw = pulumi.runtime.get_config(key)
    if raw is None:
        return None
    try:
        values = json.loads(raw)
    except json.JSONDecodeError:
        return _SecretFlag(is_config_secret(key))
    if not isinstance(values, dict):
        return _SecretFlag(is_config_secret(key))
    secret = is_config_secret(key)
    return {str(name): _SecretFlag(secret) for name in values}


def declare_stack() -> SuspiciousActivityReporting:
    """Declare the stack's resources; bad settings stop the run with every problem listed."""
    stack = pulumi.get_stack()
    project_dir, where, line_of = _stack_context(stack)
    config = pulumi.Config("sarguard")
    raw = config.get("settings")
    try:
        raw_settings = json.loads(raw) if raw is not None else None
    except json.JSONDecodeError:
        raw_settings = raw
    secret_value = config.get_secret("eventHookSecret")
    try:
        require_no_provider_conflicts(_provider_config(), where=where, line_of=line_of)
        settings = load_settings(raw_settings, hook_secret=_flag(SECRET_KEY), where=where,
                                 project_dir=project_dir, line_of=line_of,
                                 provider_secrets={key: _flag(key) for key in PROVIDER_SECRET_KEYS},
                                 header_secrets=_header_secret_flags(),
                                 url_secrets=_header_secret_flags(URL_SECRETS_KEY))
        # Before any resource: pulumi up would otherwise apply the rest and fail on the switches.
        require_notification_credentials(_provider_config(), os.environ,
                                         manage=settings.manage_notifications, where=where,
                                         line_of=line_of)
    except SettingsError as exc:
        raise pulumi.RunError(f"{SETTINGS_KEY}: {exc}") from None
    header_secrets = config.get_secret_object("eventHookHeaderSecrets")
    url_secrets = config.get_secret_object("eventHookUrlSecrets")
    component = SuspiciousActivityReporting(COMPONENT_NAME, settings, hook_secret=secret_value,
                                            header_secrets=header_secrets, url_secrets=url_secrets)
    for key, value in component.outputs.items():
        pulumi.export(key, value)
    return component
