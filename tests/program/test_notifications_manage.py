"""OAuth-only orgs: ``notifications.manage``, the credential check, and plaintext provider secrets.

Provider facts (okta/terraform-provider-okta, bridged by pulumi-okta):
``okta/services/idaas/resource_okta_security_notification_emails.go`` +
``sdk/security_notification_emails.go`` call the ``-admin`` host's internal endpoint with
``Authorization: SSWS <api token>`` whatever else is configured (the resource's docs: "available
only when using a SSWS API token ... incompatible with OAuth 2.0 authentication");
``okta/config/config.go`` ``NewConfig`` takes ``api_token`` from the provider config, else
``OKTA_API_TOKEN`` (and the OAuth credentials likewise from ``OKTA_API_CLIENT_ID`` etc.);
``okta/api/idaas.go`` picks Bearer (access token), else SSWS (API token), else PrivateKey (OAuth).
"""

from __future__ import annotations

import json
import runpy

import pulumi
import pytest

from sarguard.cli import main
from sarguard.controls.runner import evaluate_catalog
from sarguard.drift import compare_states
from sarguard.evidence.pulumi_resources import DeclaredResource, state_from_resources
from sarguard.model import NOTIFICATION_FIELDS, NotificationSettings, OrgState
from sarguard.pulumi import entrypoint
from sarguard.pulumi.credentials import notifications_credentials_problem, stack_credentials_warning
from sarguard.pulumi.declared import load_stack_settings, run_program
from sarguard.pulumi.mockengine import run_under_mocks
from sarguard.pulumi.program import COMPONENT_TYPE
from sarguard.pulumi.stack import SecureValue, load_stack_config
from sarguard.settings import SettingsError
from tests.conftest import REPO_ROOT

HEAD = """\
config:
  okta:orgName: acme
{extra}  sarguard:eventHookSecret:
    secure: AAABAGNpcGhlcnRleHQ=
  sarguard:settings:
    notifications:
{notifications}    brands: [{{id: default, templates: {{NewSignOnNotification: {{}}}}}}]
    eventHook:
      name: reports
      url: https://soar.example.com/okta
      authHeader: Authorization
      events: [user.account.report_suspicious_activity_by_enduser]
    adminNotifications: {{roles: [SUPER_ADMIN]}}
"""
OAUTH = "  okta:clientId: 0oa1serviceapp\n"
UNMANAGED = "      manage: false\n"
CREDENTIAL_ENV = ("OKTA_API_TOKEN", "OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "OKTA_ACCESS_TOKEN")


def stack_text(notifications: str = "      newSignOn: true\n", extra: str = "") -> str:
    return HEAD.format(notifications=notifications, extra=extra)


@pytest.fixture
def no_credentials(monkeypatch):
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


def finding(findings, control):
    [found] = [f for f in findings if f.control == control]
    return found


# ---- settings ----------------------------------------------------------------------------

def test_manage_false_declares_no_switches(make_project):
    project = make_project(stack_text(UNMANAGED))
    run = run_program("test", project)
    assert run.settings.manage_notifications is False and run.settings.notifications == {}
    assert not any("SecurityNotificationEmails" in r.type for r in run.mock.resources)
    [component] = run.mock.components
    assert component.type == COMPONENT_TYPE and component.inputs == {"manageNotifications": False}


def test_manage_defaults_to_true(make_project):
    run = run_program("test", make_project(stack_text()))
    assert run.settings.manage_notifications is True
    assert [c.inputs for c in run.mock.components] == [{"manageNotifications": True}]
    assert any("SecurityNotificationEmails" in r.type for r in run.mock.resources)


def test_switches_with_manage_false_are_errors(make_project):
    """They would be silently ignored: every one is named, with its line."""
    project = make_project(stack_text(UNMANAGED + "      newSignOn: true\n      factorReset: false\n"))
    with pytest.raises(SettingsError) as info:
        load_stack_settings(load_stack_config("test", project))
    assert [p.split(": ", 2)[:2] for p in info.value.problems] == [
        ["stacks/Pulumi.test.yaml:8", "sarguard:settings.notifications.newSignOn"],
        ["stacks/Pulumi.test.yaml:9", "sarguard:settings.notifications.factorReset"]]
    assert all("would be ignored" in p for p in info.value.problems)


@pytest.mark.parametrize("key", ["okta:apiToken", "okta:privateKey"])
def test_plaintext_provider_credentials_are_settings_errors(make_project, key):
    """Like sarguard:eventHookSecret: the message says how to set it, never shows the value."""
    project = make_project(stack_text(extra=f"  {key}: plain-credential-value\n"))
    with pytest.raises(SettingsError) as info:
        load_stack_settings(load_stack_config("test", project))
    [problem] = info.value.problems
    assert problem.startswith(f"stacks/Pulumi.test.yaml:3: {key}: is plaintext in the stack file")
    assert f"`pulumi config set --secret {key} <value>`" in problem
    assert "plain-credential-value" not in str(info.value)


@pytest.mark.parametrize("key", ["okta:apiToken", "okta:privateKey"])
def test_secret_provider_credentials_are_fine(make_project, key):
    project = make_project(stack_text(extra=f"  {key}:\n    secure: AAABAHRva2Vu\n"))
    assert load_stack_settings(load_stack_config("test", project)).brands


# ---- check offline: not_applicable, and a machine-independent warning ----------------------

def test_check_judges_unmanaged_switches_not_applicable(make_project):
    run = run_program("test", make_project(stack_text(UNMANAGED)))
    findings = evaluate_catalog(run.state)
    for control in ("SAR-01", "SAR-02"):
        found = finding(findings, control)
        assert found.status == "not_applicable", found
        assert "does not manage" in found.message and "notifications.manage: false" in found.message
        assert "`sarguard drift` and `sarguard audit` judge the switches on the live org" in found.message


def test_a_program_that_declares_no_switches_is_not_judged_on_them():
    """No SecurityNotificationEmails means the stack does not manage the switches: SAR-01/02 are
    not_applicable (no subject is not missing evidence; drift and audit judge them live). Only
    the component's explicit manageNotifications: false names the setting that chose it."""
    for resources in ([], [DeclaredResource(type=COMPONENT_TYPE, name="c", inputs={"manageNotifications": True})]):
        state = state_from_resources(resources, "stack-export")
        found = finding(evaluate_catalog(state), "SAR-01")
        assert found.status == "not_applicable"
        assert "declares no SecurityNotificationEmails" in found.message
    state = state_from_resources([DeclaredResource(type=COMPONENT_TYPE, name="c",
                                                   inputs={"manageNotifications": False})], "stack-export")
    found = finding(evaluate_catalog(state), "SAR-01")
    assert found.status == "not_applicable" and "notifications.manage: false" in found.message


def test_check_warns_when_the_stack_has_oauth_and_no_api_token(make_project, monkeypatch, capsys):
    monkeypatch.setenv("OKTA_API_TOKEN", "ignored-by-check")  # check never depends on the machine
    project = make_project(stack_text(extra=OAUTH))
    code = main(["check", "--stack", "test", "--project-dir", str(project), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    [warning] = [w for w in report["warnings"] if "okta:apiToken" in w]
    assert "OAuth 2.0 credentials (okta:clientId)" in warning
    assert "`pulumi config set --secret okta:apiToken <token>`" in warning
    assert "`notifications.manage: false`" in warning


def test_check_does_not_warn_otherwise(make_project, capsys):
    project = make_project(stack_text(extra=""))
    assert main(["check", "--stack", "test", "--project-dir", str(project), "--format", "json"]) == 0
    assert not any("okta:apiToken" in w for w in json.loads(capsys.readouterr().out)["warnings"])
    assert stack_credentials_warning({"okta:clientId": "x"}, manage=False) is None


def test_the_advice_never_says_to_add_the_token_beside_oauth_keys():
    """Adding okta:apiToken to an OAuth stack is what the provider refuses (see the test
    below): the advice replaces the OAuth keys, or takes the token from OKTA_API_TOKEN."""
    warning = stack_credentials_warning({"okta:clientId": "x"}, manage=True)
    problem = notifications_credentials_problem({"okta:clientId": "x"}, {}, manage=True)
    for text in (warning, problem):
        assert "replace the OAuth keys with an SSWS API token" in text
        assert "export OKTA_API_TOKEN" in text and "refuses okta:apiToken beside them" in text


# terraform-provider-okta okta/provider/provider.go (SDKv2 schema) and
# okta/fwprovider/framework_provider.go (the framework provider pulumi-okta muxes in): api_token
# ConflictsWith access_token, client_id, scopes, private_key; private_key_id ConflictsWith
# api_token; access_token ConflictsWith client_id, scopes, private_key. okta/config/config.go
# NewConfig reads OKTA_API_TOKEN only after the schema, and pulumi-okta provider/resources.go gives
# api_token no environment default, so the environment variable is not part of the conflict.
@pytest.mark.parametrize("oauth_key, line", [
    ("okta:clientId", "  okta:clientId: 0oa1serviceapp\n"),
    ("okta:scopes", "  okta:scopes: [okta.brands.manage]\n"),
    ("okta:privateKey", "  okta:privateKey:\n    secure: AAABAGtleQ==\n"),
    ("okta:privateKeyId", "  okta:privateKeyId: kid1\n"),
    ("okta:accessToken", "  okta:accessToken:\n    secure: AAABAGFjY2Vzcw==\n"),
])
@pytest.mark.parametrize("command", ["check", "plan"])
def test_an_api_token_beside_oauth_keys_is_a_settings_error(make_project, capsys, oauth_key, line,
                                                             command):
    project = make_project(stack_text(extra="  okta:apiToken:\n    secure: AAABAHRva2Vu\n" + line))
    code = main([command, "--stack", "test", "--project-dir", str(project)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"okta:apiToken: conflicts with {oauth_key}" in err and "Conflicting configuration" in err
    assert "export OKTA_API_TOKEN" in err


def test_an_api_token_in_the_environment_beside_oauth_keys_is_not_refused(make_project, capsys,
                                                                           monkeypatch):
    monkeypatch.setenv("OKTA_API_TOKEN", "00token")
    project = make_project(stack_text(extra=OAUTH))
    assert main(["plan", "--stack", "test", "--project-dir", str(project)]) == 0, capsys.readouterr().err


def test_the_program_refuses_conflicting_provider_keys(monkeypatch, no_credentials):
    config = {**load_stack_config("demo", REPO_ROOT).values, "okta:clientId": "0oa1serviceapp",
              "okta:apiToken": SecureValue("AAABAHRva2Vu")}
    declared: list[str] = []
    with pytest.raises(pulumi.RunError) as info:
        _run_main(monkeypatch, config, declared)
    assert "okta:apiToken: conflicts with okta:clientId" in str(info.value)
    assert declared == []


# ---- the program and plan: stop before any resource -----------------------------------------

def test_credential_rule():
    """The provider reads the token from config, else OKTA_API_TOKEN; OAuth likewise."""
    assert notifications_credentials_problem({"okta:clientId": "x"}, {}, manage=True)
    assert notifications_credentials_problem({}, {"OKTA_API_CLIENT_ID": "x"}, manage=True)
    assert notifications_credentials_problem({"okta:privateKey": SecureValue("c")}, {}, manage=True)
    assert notifications_credentials_problem({}, {"OKTA_API_CLIENT_ID": "x", "OKTA_API_TOKEN": "t"},
                                             manage=True) is None
    assert notifications_credentials_problem({"okta:clientId": "x"}, {"OKTA_API_TOKEN": "t"},
                                             manage=True) is None
    assert notifications_credentials_problem({"okta:clientId": "x"}, {}, manage=False) is None
    assert notifications_credentials_problem({}, {}, manage=True) is None  # no credentials at all


def _run_main(monkeypatch, config, declared: list[str]):
    """Run __main__.py under mocks, recording each component the entry point constructs."""
    monkeypatch.chdir(REPO_ROOT)
    real = entrypoint.SuspiciousActivityReporting

    def recording(*args, **kwargs):
        declared.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(entrypoint, "SuspiciousActivityReporting", recording)

    def declare():
        runpy.run_path(str(REPO_ROOT / "__main__.py"))
        return {}

    return run_under_mocks(declare, project="sarguard", stack="demo", config=config, parent_type=COMPONENT_TYPE)


def test_the_program_stops_before_any_resource_with_oauth_only(monkeypatch, no_credentials):
    config = {**load_stack_config("demo", REPO_ROOT).values, "okta:clientId": "0oa1serviceapp"}
    declared: list[str] = []
    with pytest.raises(pulumi.RunError) as info:
        _run_main(monkeypatch, config, declared)
    message = str(info.value)
    assert "sarguard:settings.notifications.manage:" in message and "stacks/Pulumi.demo.yaml" in message
    assert "`pulumi config set --secret okta:apiToken <token>`" in message
    assert "`notifications.manage: false`" in message
    assert declared == []


def test_the_program_runs_with_an_api_token_in_the_environment(monkeypatch, no_credentials):
    monkeypatch.setenv("OKTA_API_TOKEN", "00token")
    config = {**load_stack_config("demo", REPO_ROOT).values, "okta:clientId": "0oa1serviceapp"}
    declared: list[str] = []
    run = _run_main(monkeypatch, config, declared)
    assert declared == ["suspicious-activity-reporting"] and any("SecurityNotificationEmails" in r.type for r in run.resources)


def test_the_program_rejects_a_plaintext_api_token(monkeypatch, no_credentials):
    config = {**load_stack_config("demo", REPO_ROOT).values, "okta:apiToken": "00plain-token"}
    with pytest.raises(pulumi.RunError) as info:
        _run_main(monkeypatch, config, [])
    assert "okta:apiToken: is plaintext" in str(info.value) and "00plain-token" not in str(info.value)


def test_plan_shows_the_programs_error(make_project, monkeypatch, capsys, no_credentials):
    monkeypatch.setenv("OKTA_API_CLIENT_ID", "0oa1serviceapp")
    project = make_project(stack_text())
    assert main(["plan", "--stack", "test", "--project-dir", str(project)]) == 2
    err = capsys.readouterr().err
    assert "notifications.manage" in err and "OKTA_API_CLIENT_ID" in err and "Traceback" not in err
    # the CI gate does not depend on this machine
    assert main(["check", "--stack", "test", "--project-dir", str(project)]) == 0


def test_plan_runs_with_manage_false_and_oauth_only(make_project, monkeypatch, capsys, no_credentials):
    monkeypatch.setenv("OKTA_API_CLIENT_ID", "0oa1serviceapp")
    assert main(["plan", "--stack", "test", "--project-dir", str(make_project(stack_text(UNMANAGED)))]) == 0
    assert "SecurityNotificationEmails" not in capsys.readouterr().out


# ---- drift: not compared, a note; live controls still judge ---------------------------------

def test_drift_does_not_compare_unmanaged_switches(make_project):
    declared = run_program("test", make_project(stack_text(UNMANAGED))).state
    live = OrgState(source="live", notifications=NotificationSettings(
        values={f: False for f in NOTIFICATION_FIELDS.values()}))
    result = compare_states(declared, live)
    assert not [i for i in result.items if i.resource == "securityNotificationEmails"]
    assert [n for n in result.notes if n.startswith("securityNotificationEmails: not compared")]
    assert finding(evaluate_catalog(live), "SAR-01").status == "fail"


def test_a_stack_export_of_an_unmanaged_stack(tmp_path):
    """A real export records the component's inputs: check --state judges like check --stack."""
    from sarguard.evidence.stack_export import state_from_stack_export

    component = {"urn": "urn:pulumi:prod::sarguard::sarguard:index:SuspiciousActivityReporting::"
                        "suspicious-activity-reporting", "type": COMPONENT_TYPE,
                 "inputs": {"manageNotifications": False},
                 "outputs": {"brandIds": {}, "manageNotifications": False}}
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": [component]}}))
    findings = evaluate_catalog(state_from_stack_export(path))
    assert finding(findings, "SAR-02").status == "not_applicable"


def test_the_pack_sees_the_registered_outputs(make_project):
    """AnalyzeStack sends each resource's outputs, and a component's outputs are what it registers
    (pulumi step_executor.go executeRegisterResourceOutputs overwrites them): the component
    registers manageNotifications as an output too."""
    registered: list[dict] = []
    original = pulumi.ComponentResource.register_outputs

    def spy(self, outputs):
        registered.append(dict(outputs))
        return original(self, outputs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pulumi.ComponentResource, "register_outputs", spy)
        run_program("test", make_project(stack_text(UNMANAGED)))
    component = [o for o in registered if "manageNotifications" in o]  # not the stack's exports
    assert component and component[0]["manageNotifications"] is False


def test_the_evidence_adapter_knows_the_components_type():
    from sarguard.evidence.pulumi_resources import T_COMPONENT

    assert T_COMPONENT == COMPONENT_TYPE
