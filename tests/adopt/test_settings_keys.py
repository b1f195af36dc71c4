"""The settings an imported org needs: ``eventHook.active`` (false declares an INACTIVE hook as
it is) and credential-like headers whose values come from the secret config key
``sarguard:eventHookHeaderSecrets`` (a map by header name, as ``pulumi config set --secret
--path`` writes it: pulumi/pulumi ``pkg/cmd/pulumi/config/io.go`` ``parseConfigKey`` keeps the
path after the top-level key; ``sdk/go/common/resource/properties_path.go`` reads ``a.b`` and
``a["b.c"]``)."""

from __future__ import annotations

import json
import runpy

import pulumi
import pytest

from sarguard.pulumi.declared import run_program
from sarguard.pulumi.mockengine import run_under_mocks
from sarguard.pulumi.plan import plan_document
from sarguard.pulumi.program import COMPONENT_TYPE
from sarguard.pulumi.stack import SecureValue, load_stack_config
from sarguard.settings import SettingsError
from sarguard.settings.loader import header_secret_command, header_secret_path
from tests.conftest import REPO_ROOT

HEAD = """\
config:
  okta:orgName: acme
  sarguard:eventHookSecret:
    secure: AAABAGNpcGhlcnRleHQ=
{extra}  sarguard:settings:
    brands: [{{id: default}}]
    eventHook:
      name: reports
      url: https://soar.example.com/okta
      authHeader: Authorization
      events: [user.account.report_suspicious_activity_by_enduser]
      headers: {{X-Source: okta}}
{hook}"""
SECRET_MAP = "  sarguard:eventHookHeaderSecrets:\n    X-Api-Key:\n      secure: AAAAc2VjcmV0\n"


def stack(make_project, hook: str = "", extra: str = ""):
    return make_project(HEAD.format(hook=hook, extra=extra))


def hook_inputs(run) -> dict:
    return next(r.inputs for r in run.mock.resources if r.type.endswith("eventHook:EventHook"))


def test_active_false_declares_an_inactive_hook(make_project):
    assert hook_inputs(run_program("test", stack(make_project)))["status"] == "ACTIVE"
    run = run_program("test", make_project(HEAD.format(hook="      active: false\n", extra="")))
    assert hook_inputs(run)["status"] == "INACTIVE"
    assert run.state.event_hooks[0].status == "INACTIVE"


def test_secret_headers_come_from_the_secret_map(make_project):
    run = run_program("test", stack(make_project, "      secretHeaders: [X-Api-Key]\n", SECRET_MAP))
    [hook] = run.state.event_hooks
    assert set(hook.headers) == {"X-Api-Key", "X-Source"}
    assert getattr(hook.headers["X-Api-Key"], "is_secret", False)
    shown = json.dumps(plan_document(run))
    assert "AAAAc2VjcmV0" not in shown and '"headers": "[secret]"' in shown


@pytest.mark.parametrize(("hook", "extra", "message"), [
    ("      secretHeaders: [X-Api-Key]\n", "",
     "sarguard:eventHookHeaderSecrets: missing: the hook header 'X-Api-Key'"),
    ("      secretHeaders: [X-Api-Key]\n", "  sarguard:eventHookHeaderSecrets:\n    X-Api-Key: plain\n",
     "sarguard:eventHookHeaderSecrets.X-Api-Key: is plaintext in the stack file"),
    ("", SECRET_MAP, "sarguard:eventHookHeaderSecrets.X-Api-Key: would be ignored"),
    ("      secretHeaders: [X-Source]\n", "  sarguard:eventHookHeaderSecrets:\n    X-Source:\n      secure: x\n",
     "'X-Source' is also in eventHook.headers"),
    ("      secretHeaders: [authorization]\n",
     "  sarguard:eventHookHeaderSecrets:\n    authorization:\n      secure: x\n",
     "must not repeat the auth header 'authorization'"),
    ("      secretHeaders: [X-Api-Key]\n", "  sarguard:eventHookHeaderSecrets:\n    secure: AAAA\n",
     "expected a map by header name"),
])
def test_secret_header_mistakes_are_settings_errors(make_project, hook, extra, message):
    with pytest.raises(SettingsError) as info:
        run_program("test", stack(make_project, hook, extra))
    assert message in str(info.value)
    assert "AAAAc2VjcmV0" not in str(info.value)


def test_a_misspelt_secret_map_key_is_an_unknown_key(make_project):
    extra = "  sarguard:eventHookHeaderSecret:\n    X-Api-Key:\n      secure: x\n"
    with pytest.raises(SettingsError, match="did you mean 'sarguard:eventHookHeaderSecrets'"):
        run_program("test", stack(make_project, "", extra))


def test_the_set_command_quotes_header_names_the_path_parser_would_split():
    assert header_secret_path("X-Api-Key") == "sarguard:eventHookHeaderSecrets.X-Api-Key"
    assert header_secret_path("X.Api.Key") == 'sarguard:eventHookHeaderSecrets["X.Api.Key"]'
    assert header_secret_command("X.Api.Key") == (
        "pulumi config set --secret --path 'sarguard:eventHookHeaderSecrets[\"X.Api.Key\"]'")


def _main(monkeypatch, project, config) -> list:
    monkeypatch.chdir(project)

    def declare():
        runpy.run_path(str(REPO_ROOT / "__main__.py"))
        return {}

    return run_under_mocks(declare, project="sarguard", stack="test", config=config,
                           parent_type=COMPONENT_TYPE).resources


def test_the_program_reads_the_secret_map_as_the_engine_passes_it(make_project, monkeypatch):
    """``pulumi up`` hands the program the whole map as one JSON value, marked secret when any
    value in it is (what ``__main__.py`` checks; the offline reader sees each value)."""
    project = stack(make_project, "      secretHeaders: [X-Api-Key]\n", SECRET_MAP)
    config = dict(load_stack_config("test", project).values)
    config["sarguard:eventHookHeaderSecrets"] = {"X-Api-Key": SecureValue("c2VjcmV0")}
    resources = _main(monkeypatch, project, config)
    hook = next(r for r in resources if r.type.endswith("eventHook:EventHook"))
    assert "headers" in hook.inputs
    config["sarguard:eventHookHeaderSecrets"] = {"X-Api-Key": "in-clear"}
    with pytest.raises(pulumi.RunError, match="is plaintext"):
        _main(monkeypatch, project, config)
