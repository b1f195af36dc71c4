"""The declared side of every check: a stack's settings, run through the program under mocks."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sarguard.errors import Problem
from sarguard.model import OrgState
from sarguard.pulumi.credentials import provider_conflicts, require_notification_credentials
from sarguard.pulumi.entrypoint import COMPONENT_NAME
from sarguard.pulumi.mockengine import OFFLINE_DEFAULT_BRAND_ID, MockRun, paused_gc, run_under_mocks
from sarguard.pulumi.program import COMPONENT_TYPE, SuspiciousActivityReporting
from sarguard.pulumi.stack import StackConfig, load_stack_config
from sarguard.settings import Settings, load_settings
from sarguard.settings.errors import SettingsError
from sarguard.settings.loader import (
    HEADER_SECRETS_KEY,
    PROVIDER_SECRET_KEYS,
    SECRET_KEY,
    SETTINGS_KEY,
    URL_SECRETS_KEY,
)


@dataclass
class DeclaredRun:
    stack: str
    config: StackConfig
    settings: Settings
    mock: MockRun
    resources: list[Any]  # list[DeclaredResource]
    state: OrgState | None
    stack_file: Path

    @property
    def outputs(self) -> dict[str, Any]:
        return self.mock.outputs


def load_stack_settings(config: StackConfig) -> Settings:
    """Validate a stack's settings (raises SettingsError listing every problem).

    A key in the project's namespace that the program does not read (``sarguard:setting``) is
    a problem too, with a "did you mean": left alone it would be ignored in silence while the
    settings it was meant to hold are reported missing.
    """
    unknown = [*_unknown_project_keys(config),
               *provider_conflicts(config.values, where=config.relative_stack_file(),
                                   line_of=config.line_of)]
    try:
        settings = load_settings(
            config.values.get(SETTINGS_KEY),
            hook_secret=config.values.get(SECRET_KEY),
            where=config.relative_stack_file(),
            project_dir=config.project_dir,
            line_of=config.line_of,
            provider_secrets={key: config.values.get(key) for key in PROVIDER_SECRET_KEYS},
            header_secrets=config.values.get(HEADER_SECRETS_KEY),
            url_secrets=config.values.get(URL_SECRETS_KEY),
        )
    except SettingsError as exc:
        raise SettingsError([*unknown, *exc.located]) from None
    if unknown:
        raise SettingsError(unknown)
    return settings


def _unknown_project_keys(config: StackConfig) -> list[Problem]:
    known = (SETTINGS_KEY, SECRET_KEY, HEADER_SECRETS_KEY, URL_SECRETS_KEY)
    namespace = f"{config.project}:"
    where = config.relative_stack_file()
    out: list[Problem] = []
    for key in sorted(k for k in config.values if k.startswith(namespace) and k not in known):
        line = config.line_of(key)
        if line is None:  # a project-level default, not this stack file's doing
            continue
        close = difflib.get_close_matches(key, known, n=1)
        did = f"; did you mean '{close[0]}'?" if close else ""
        out.append(Problem(f"{where}:{line}: {key}: unknown config key{did} (the program reads "
                           f"{', '.join(known[:-1])} and {known[-1]})", file=where, line=line, key_path=key))
    return out


def mock_program(config: StackConfig, settings: Settings, *, preview: bool = False) -> MockRun:
    """Declare the component under mocks with the stack's (opaque-secret) config."""
    import pulumi

    def declare() -> dict[str, Any]:
        config_ = pulumi.Config("sarguard")
        component = SuspiciousActivityReporting(
            COMPONENT_NAME, settings, hook_secret=config_.get_secret("eventHookSecret"),
            header_secrets=config_.get_secret_object("eventHookHeaderSecrets"))
        return component.outputs

    return run_under_mocks(declare, project=config.project, stack=config.stack, config=config.values,
                           parent_type=COMPONENT_TYPE, preview=preview)


def run_program(stack: str, project_dir: Path | None = None, *,
                environ: Mapping[str, str] | None = None) -> DeclaredRun:
    """Load, validate and run a stack offline; raises StackFileError / SettingsError.

    With ``environ`` the run also meets what the program meets under ``pulumi up`` in that
    environment (credentials the provider would take from it); without, it depends on the stack
    file alone.

    The collector stays paused throughout (see ``paused_gc``): everything built here lives
    until the run ends, so scanning it over and over finds nothing to free.
    """
    with paused_gc():
        config = load_stack_config(stack, project_dir)
        settings = load_stack_settings(config)
        if environ is not None:
            require_notification_credentials(config.values, environ,
                                             manage=settings.manage_notifications,
                                             where=config.relative_stack_file(), line_of=config.line_of)
        mock = mock_program(config, settings)
        resources = _declared_resources(mock)
        state = _state(resources, config, settings)
    return DeclaredRun(stack, config, settings, mock, resources, state, config.stack_file)


def _declared_resources(mock: MockRun) -> list[Any]:
    try:
        from sarguard.evidence.pulumi_resources import DeclaredResource
    except ImportError:  # pragma: no cover - during bootstrap only
        return list(mock.resources)
    return [DeclaredResource(type=r.type, name=r.name, inputs=r.inputs, urn=r.urn, id=r.id or None,
                             outputs=r.outputs, property_dependencies=None)
            for r in (*mock.components, *mock.resources)]


def _state(resources: list[Any], config: StackConfig, settings: Settings) -> OrgState | None:
    try:
        from sarguard.evidence.pulumi_resources import state_from_resources
    except ImportError:  # pragma: no cover - during bootstrap only
        return None
    state = state_from_resources(resources, "declared", brand_keys={OFFLINE_DEFAULT_BRAND_ID: "default"})
    from sarguard.pulumi.locations import settings_locations

    state.locations.update(settings_locations(config, settings))
    state.meta.update({"stack": config.stack, "stackFile": config.relative_stack_file()})
    return state
