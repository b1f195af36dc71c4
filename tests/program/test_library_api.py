"""`from sarguard import SuspiciousActivityReporting` used in a team's own program, under mocks."""

from __future__ import annotations

import pulumi
import pulumi_okta as okta
import pytest

from sarguard import SettingsError, SuspiciousActivityReporting
from sarguard.errors import SarguardError
from sarguard.pulumi.mockengine import is_secret_wrapper, run_under_mocks
from sarguard.pulumi.program import DEFAULT_COMPONENT_NAME
from sarguard.pulumi.stack import load_stack_config
from tests.conftest import REPO_ROOT

SETTINGS = {
    "notifications": {"newSignOn": True, "factorEnrolled": True, "factorReset": True,
                      "passwordChanged": True, "reportSuspiciousActivity": True},
    "brands": [{"id": "default"}],
    "threatInsight": {"action": "audit"},
}


def run(declare, config=None):
    return run_under_mocks(declare, project="sarguard", stack="demo", config=config or {})


def test_settings_error_is_a_sarguard_error_naming_the_call():
    assert issubclass(SettingsError, SarguardError)

    def declare():
        SuspiciousActivityReporting("prod", {**SETTINGS, "threatInsigth": {}})

    with pytest.raises(SettingsError) as info:
        run(declare)
    text = str(info.value)
    assert "SuspiciousActivityReporting('prod')" in text and "test_library_api.py" in text
    assert "did you mean 'threatInsight'?" in text


def recorded_aliases(monkeypatch) -> dict[str, list]:
    """The aliases each ThreatInsightSettings is constructed with, by resource name."""
    aliases: dict[str, list] = {}
    real = okta.ThreatInsightSettings

    class Recording(real):  # type: ignore[misc, valid-type]
        def __init__(self, name, opts=None, **kwargs):
            aliases[name] = list(opts.aliases or []) if opts else []
            super().__init__(name, opts=opts, **kwargs)

    monkeypatch.setattr(okta, "ThreatInsightSettings", Recording)
    return aliases


def test_only_the_default_instance_carries_aliases_to_the_old_names(monkeypatch):
    """A stack deployed before names derived from the component keeps its URNs through aliases;
    Pulumi refuses two resources claiming one alias, so a second instance has none."""
    aliases = recorded_aliases(monkeypatch)

    def declare():
        SuspiciousActivityReporting(DEFAULT_COMPONENT_NAME, SETTINGS)
        SuspiciousActivityReporting("second", SETTINGS)

    mock = run(declare)
    urns = [r.urn for r in mock.resources]
    assert len(urns) == len(set(urns))
    [old] = aliases[f"{DEFAULT_COMPONENT_NAME}-threat-insight"]
    # The URN stacks deployed before hold in their state (what this test suite asserted then).
    assert old == ("urn:pulumi:demo::sarguard::sarguard:index:SuspiciousActivityReporting"
                   "$okta:index/threatInsightSettings:ThreatInsightSettings::threat-insight")
    assert aliases["second-threat-insight"] == []


def test_offline_runs_skip_the_aliases_no_state_needs(monkeypatch):
    """``check``, ``plan`` and drift's declared side run the program for its resources only:
    there is no state whose URNs an alias would keep, so none is computed."""
    from sarguard.pulumi.stacksettings import offline_run

    aliases = recorded_aliases(monkeypatch)
    def declare():
        SuspiciousActivityReporting(DEFAULT_COMPONENT_NAME, SETTINGS)

    with offline_run():
        mock = run(declare)
    assert aliases == {f"{DEFAULT_COMPONENT_NAME}-threat-insight": []}
    assert any(r.name == f"{DEFAULT_COMPONENT_NAME}-threat-insight" for r in mock.resources)


def test_under_a_parent_the_alias_is_a_spec_the_engine_resolves(monkeypatch):
    """Wrapped in a team's own component, the old URN depends on the parents' types: the alias
    names the old name only, and the engine computes the rest."""
    aliases = recorded_aliases(monkeypatch)

    def declare():
        team = pulumi.ComponentResource("team:index:Okta", "okta")
        SuspiciousActivityReporting(DEFAULT_COMPONENT_NAME, SETTINGS, opts=pulumi.ResourceOptions(parent=team))

    run(declare)
    [old] = aliases[f"{DEFAULT_COMPONENT_NAME}-threat-insight"]
    assert isinstance(old, pulumi.Alias) and old.name == "threat-insight"


def test_a_second_instance_without_settings_is_an_error():
    config = load_stack_config("demo", REPO_ROOT).values

    def declare():
        SuspiciousActivityReporting("one")
        SuspiciousActivityReporting("two")

    with pytest.raises(SettingsError, match="a second instance without settings"):
        run(declare, config)


def test_opts_reaches_every_child_and_invoke():
    def declare():
        provider = okta.Provider("emea", org_name="acme-emea", base_url="okta.com")
        SuspiciousActivityReporting("emea", SETTINGS, opts=pulumi.ResourceOptions(provider=provider))

    mock = run(declare)
    assert mock.resources and all("::emea::" in r.provider for r in mock.resources)


def test_url_secrets_fill_the_placeholders_as_a_secret():
    settings = {**SETTINGS, "eventHook": {
        "name": "soc", "url": "https://soc.example.com/hook?code={secret:code}",
        "authHeader": "Authorization", "events": ["user.account.report_suspicious_activity_by_enduser"]}}

    def declare():
        SuspiciousActivityReporting("p", settings, hook_secret="s3cr3t-value",
                                    url_secrets={"code": "a&b"})

    mock = run(declare)
    [hook] = [r for r in mock.resources if r.type == "okta:index/eventHook:EventHook"]
    channel = hook.inputs["channel"]
    assert is_secret_wrapper(channel)  # the filled URL carries a credential: kept a secret
    assert channel["value"]["uri"] == "https://soc.example.com/hook?code=a%26b"  # quoted


def test_importing_sarguard_loads_no_pulumi():
    """The component is a lazy attribute: the command line never pays for the Pulumi SDK."""
    import subprocess
    import sys

    code = ("import sys, sarguard; assert 'pulumi' not in sys.modules; "
            "from sarguard import SuspiciousActivityReporting, SettingsError; "
            "assert 'pulumi' in sys.modules; print(SuspiciousActivityReporting.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SuspiciousActivityReporting"
