"""The declared side of every check: a stack's settings, run through the program under mocks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sarguard.errors import Problem, SarguardError
from sarguard.evidence.pulumi_resources import (
    DEFAULT_PROVIDER,
    group_by_provider,
    normalize,
    provider_label,
    state_from_resources,
)
from sarguard.model import ORG, Location, OrgState
from sarguard.pulumi.credentials import provider_conflicts, require_notification_credentials
from sarguard.pulumi.mockengine import OFFLINE_DEFAULT_BRAND_ID, MockRun
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
from sarguard.util.collector import paused_gc
from sarguard.util.suggest import did_you_mean


@dataclass
class OrgGroup:
    """The resources one Okta provider manages: one org, judged on its own."""

    provider: str              # the provider resource's name; "" for the default provider
    provider_urn: str | None
    inputs: dict[str, Any]     # the provider's inputs as config keys (okta:orgName, okta:apiToken...)
    resources: list[Any]       # list[DeclaredResource]
    state: OrgState

    @property
    def label(self) -> str:
        return self.provider or DEFAULT_PROVIDER


@dataclass
class DeclaredRun:
    stack: str
    config: StackConfig
    settings: Settings | None  # the stack's sarguard:settings, when it has them
    mock: MockRun
    resources: list[Any]  # list[DeclaredResource]
    state: OrgState | None
    stack_file: Path
    groups: list[OrgGroup] = field(default_factory=list)
    program: str | None = None  # the program file that ran, relative to the project

    @property
    def outputs(self) -> dict[str, Any]:
        return self.mock.outputs

    def group(self, provider: str | None) -> OrgGroup:
        """The group of the provider named ``provider`` (None: the only one)."""
        if provider is None:
            if len(self.groups) == 1:
                return self.groups[0]
            names = ", ".join(g.label for g in self.groups)
            raise ProviderChoiceError(f"the program manages {len(self.groups)} orgs through "
                                      f"different providers ({names}): pick one with --provider NAME")
        for group in self.groups:
            if provider in (group.provider, group.label):
                return group
        names = ", ".join(g.label for g in self.groups) or "none"
        raise ProviderChoiceError(f"--provider {provider}: no Okta resource of the program uses "
                                  f"that provider (providers: {names})")

    @staticmethod
    def manages_notifications(group: OrgGroup) -> bool:
        """Whether the program declares the group's notification switches (the OAuth-only
        rule applies to them)."""
        return group.state.notifications is not None


class ProviderChoiceError(SarguardError):
    """--provider names no group, or is needed to pick one."""


def stack_settings_if_any(config: StackConfig) -> Settings | None:
    """:func:`load_stack_settings`, or None when the stack has no ``sarguard:settings`` (a
    program that declares pulumi-okta resources itself, or passes settings in code)."""
    if SETTINGS_KEY not in config.values:
        unknown = _config_problems(config)
        if unknown:
            raise SettingsError(unknown)
        return None
    return load_stack_settings(config)


def load_stack_settings(config: StackConfig) -> Settings:
    """Validate a stack's settings (raises SettingsError listing every problem).

    A ``sarguard:*`` key sarguard does not read (``sarguard:setting``) is a problem too, with a
    "did you mean": left alone it would be ignored in silence while the settings it was meant to
    hold are reported missing. The rest of the project's namespace is the program's business.
    """
    unknown = _config_problems(config)
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


_SARGUARD_KEYS = (SETTINGS_KEY, SECRET_KEY, HEADER_SECRETS_KEY, URL_SECRETS_KEY)


def _config_problems(config: StackConfig) -> list[Problem]:
    """Misspelt ``sarguard:*`` keys, and provider credentials the provider itself would refuse
    together (``okta:apiToken`` beside OAuth keys: terraform-provider-okta's ConflictsWith)."""
    return [*_unknown_sarguard_keys(config),
            *provider_conflicts(config.values, where=config.relative_stack_file(),
                                line_of=config.line_of)]


def _unknown_sarguard_keys(config: StackConfig) -> list[Problem]:
    known = _SARGUARD_KEYS
    where = config.relative_stack_file()
    out: list[Problem] = []
    for key in sorted(k for k in config.values if k.startswith("sarguard:") and k not in known):
        line = config.line_of(key)
        if line is None:  # a project-level default, not this stack file's doing
            continue
        did = did_you_mean(key, known)
        out.append(Problem(f"{where}:{line}: {key}: unknown config key{did} (sarguard reads "
                           f"{', '.join(known[:-1])} and {known[-1]})", file=where, line=line, key_path=key))
    return out


def run_program(stack: str, project_dir: Path | None = None, *,
                environ: Mapping[str, str] | None = None, command: str = "check",
                settle_gc: bool = True) -> DeclaredRun:
    """Load, validate and run a stack's program offline; raises StackFileError / SettingsError /
    ProgramError.

    The project's own program runs (``main`` from Pulumi.yaml, else ``__main__.py``) with the
    stack's whole config. With ``environ`` the run also meets what the program meets under
    ``pulumi up`` in that environment (credentials the provider would take from it); without, it
    depends on the stack file alone.

    The collector stays paused throughout (see ``paused_gc``): everything built here lives
    until the run ends, so scanning it over and over finds nothing to free. ``settle_gc`` False
    skips the full collection after a big run, for callers that do little afterwards.
    """
    from sarguard.pulumi.stacksettings import offline_run, preloaded
    from sarguard.pulumi.userprogram import program_file, require_python, run_project_program

    with paused_gc(collect=settle_gc):
        config = load_stack_config(stack, project_dir)
        require_python(config, command)
        settings = stack_settings_if_any(config)
        if environ is not None and settings is not None:
            require_notification_credentials(config.values, environ,
                                             manage=settings.manage_notifications,
                                             where=config.relative_stack_file(), line_of=config.line_of)
        with preloaded(settings) as handed, offline_run():
            mock = run_project_program(config, program_required=settings is None)
        found = program_file(config, required=False)
        program = found.relative_to(config.project_dir).as_posix() if found else \
            config.relative_stack_file()
        resources = _declared_resources(mock)
        groups = _groups(mock, resources, config, settings, handed.taken_by, program)
    state = groups[0].state if len(groups) == 1 else None
    return DeclaredRun(stack, config, settings, mock, resources, state, config.stack_file, groups,
                       program)


def _declared_resources(mock: MockRun) -> list[Any]:
    from sarguard.evidence.pulumi_resources import DeclaredResource

    return [DeclaredResource(type=r.type, name=r.name, inputs=r.inputs, urn=r.urn, id=r.id or None,
                             outputs=r.outputs, property_dependencies=None,
                             location=Location(*r.location) if r.location else None,
                             provider=getattr(r, "provider", ""))
            for r in (*mock.components, *mock.resources)]


def _groups(mock: MockRun, resources: list[Any], config: StackConfig, settings: Settings | None,
            taken_by: list[str], program: str) -> list[OrgGroup]:
    """One group per provider the program's Okta resources use (see ``group_by_provider``);
    a program with no Okta resource is one empty default group."""
    groups: list[OrgGroup] = []
    for _subject, items in group_by_provider(resources):
        ref = next((r.provider for r in items if r.type.startswith("okta:")), "")
        urn = ref.rsplit("::", 1)[0] if ref else None
        name = provider_label(ref) if ref else ""
        inputs = config.values if urn is None else {
            f"okta:{k}": v for k, v in normalize(mock.providers.get(urn, {})).items()}
        state = state_from_resources(items, "declared", brand_keys={OFFLINE_DEFAULT_BRAND_ID: "default"})
        if taken_by and settings is not None and any(r.name == taken_by[0] for r in items):
            # What the component built from the stack's settings points at those settings.
            from sarguard.pulumi.locations import settings_locations

            state.locations.update(settings_locations(config, settings))
        state.locations.setdefault(ORG, Location(program))
        state.meta.update({"stack": config.stack, "stackFile": config.relative_stack_file()})
        if name:
            state.meta["provider"] = name
        if mock.unanswered:
            state.meta["warnings"] = [*state.meta.get("warnings", ()), *_unanswered(mock.unanswered)]
        groups.append(OrgGroup(name, urn, dict(inputs), items, state))
    return groups


def _unanswered(tokens: list[str]) -> list[str]:
    return [f"the program calls {token}, which the offline mock engine cannot answer: what "
            "depends on its result is unknown offline (check it with --preview, --state or the "
            "policy pack)" for token in dict.fromkeys(tokens)]
