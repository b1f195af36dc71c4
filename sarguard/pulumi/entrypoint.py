"""What ``__main__.py`` runs: read this stack's config, validate it, declare the component."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.config import is_config_secret

from sarguard.pulumi.program import SuspiciousActivityReporting
from sarguard.pulumi.stack import StackFileError, find_project_dir, load_project, stack_file_path
from sarguard.settings import SettingsError, load_settings
from sarguard.settings.loader import SECRET_KEY, SETTINGS_KEY

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
    flag = None
    if pulumi.runtime.get_config(SECRET_KEY) is not None:
        flag = _SecretFlag(is_config_secret(SECRET_KEY))
    try:
        settings = load_settings(raw_settings, hook_secret=flag, where=where,
                                 project_dir=project_dir, line_of=line_of)
    except SettingsError as exc:
        raise pulumi.RunError(f"{SETTINGS_KEY}: {exc}") from None
    component = SuspiciousActivityReporting(COMPONENT_NAME, settings, hook_secret=secret_value)
    for key, value in component.outputs.items():
        pulumi.export(key, value)
    return component
