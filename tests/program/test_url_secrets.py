"""A hook URL's credentials as ``{secret:NAME}`` placeholders, SAR-06 on credentials in clear, and
a hook without an auth header as a SAR-06 finding (exit 1, waivable) rather than a settings error.

A hook without an auth header is something the provider and Okta accept: terraform-provider-okta's
``okta/services/idaas/resource_okta_event_hook.go`` declares ``auth`` Optional, and Okta's Event
Hooks API takes a channel config whose ``authScheme`` may be left out (Okta's SDKs generated from
its management OpenAPI spec model it as an optional property of EventHookChannelConfig). Okta does
refuse a delivery URL that is not https (https://developer.okta.com/docs/concepts/event-hooks/),
so only that stays a settings error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from sarguard.cli import main
from sarguard.pulumi.declared import run_program
from sarguard.pulumi.mockengine import is_secret_wrapper, run_under_mocks
from sarguard.pulumi.program import COMPONENT_TYPE, SuspiciousActivityReporting
from tests.conftest import REPO_ROOT

SIG = "LeakCanarySigValue0123456789abcdefXYZ"
TEMPLATE_URL = ("https://prod-12.westus.logic.azure.com/workflows/0a1b/triggers/manual/paths/invoke"
                "?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={secret:sig}")
CIPHER = {"secure": "AAABAHNpZ2NpcGhlcnRleHQ="}


def _project(tmp_path: Path, *, hook: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
             drop: tuple[str, ...] = ()) -> Path:
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(REPO_ROOT / "email-templates", root / "email-templates")
    demo = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.demo.yaml").read_text("utf-8"))
    demo["config"]["sarguard:settings"]["eventHook"].update(hook or {})
    for key in drop:
        demo["config"]["sarguard:settings"]["eventHook"].pop(key, None)
    demo["config"].update(extra or {})
    (root / "stacks" / "Pulumi.t.yaml").write_text(yaml.safe_dump(demo, sort_keys=False), "utf-8")
    return root


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _check(capsys, project: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = _run(capsys, "check", "--stack", "t", "--project-dir", str(project),
                          "--format", "json", *extra)
    return code, (json.loads(out) if out.strip() else {}), err


def _sar06(report: dict[str, Any]) -> dict[str, Any]:
    [found] = [f for f in report["findings"] if f["control"] == "SAR-06"]
    return found


def test_a_placeholder_url_with_its_secret_is_valid_and_passes(tmp_path, capsys):
    project = _project(tmp_path, hook={"url": TEMPLATE_URL},
                       extra={"sarguard:eventHookUrlSecrets": {"sig": CIPHER}})
    code, report, err = _check(capsys, project)
    assert code == 0, err
    assert _sar06(report)["status"] == "pass"
    [sar05] = [f for f in report["findings"] if f["control"] == "SAR-05"]
    assert sar05["status"] == "pass"  # scheme, host and path judged offline
    code, out, err = _run(capsys, "plan", "--stack", "t", "--project-dir", str(project), "--format", "json")
    assert code == 0, err
    assert "sig={secret:sig}" in out and CIPHER["secure"] not in out


@pytest.mark.parametrize("secrets, phrase", [
    (None, "placeholder {secret:sig} needs its value"),
    ({"sig": SIG}, "is plaintext in the stack file"),
    ({"sig": CIPHER, "code": dict(CIPHER)}, "would be ignored: eventHook.url has no {secret:code}"),
    ("flat", "expected a map by placeholder name"),
])
def test_url_secret_settings_errors(tmp_path, capsys, secrets, phrase):
    extra = {} if secrets is None else {"sarguard:eventHookUrlSecrets": secrets}
    project = _project(tmp_path, hook={"url": TEMPLATE_URL}, extra=extra)
    code, _, err = _check(capsys, project)
    assert code == 2 and phrase in err, err
    assert SIG not in err
    if secrets is None:
        assert "pulumi config set --secret --path sarguard:eventHookUrlSecrets.sig" in err


def test_a_placeholder_outside_the_query_is_a_settings_error(tmp_path, capsys):
    project = _project(tmp_path, hook={"url": "https://{secret:host}.example.com/x"},
                       extra={"sarguard:eventHookUrlSecrets": {"host": CIPHER}})
    code, _, err = _check(capsys, project)
    assert code == 2 and "may stand only for a query parameter's value" in err, err


def test_an_http_url_is_a_settings_error_that_says_okta_refuses_it(tmp_path, capsys):
    project = _project(tmp_path, hook={"url": f"http://soar.example.com/x?sig={SIG}"})
    code, _, err = _check(capsys, project)
    assert code == 2 and "Okta refuses an event hook URL that is not https" in err, err
    assert SIG not in err


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "markdown", "github", "junit"])
def test_sar06_fails_a_credential_in_clear_in_the_url(tmp_path, capsys, fmt):
    project = _project(tmp_path, hook={"url": TEMPLATE_URL.replace("{secret:sig}", SIG)})
    code, out, err = _run(capsys, "check", "--stack", "t", "--project-dir", str(project), "--format", fmt)
    assert code == 1, err
    assert "SAR-06" in out and SIG not in out + err
    if fmt == "json":
        message = _sar06(json.loads(out))["message"]
        assert "carries a credential in clear (sig)" in message and "sarguard:eventHookUrlSecrets" in message


def test_sar06_fix_for_a_plaintext_credential_header_points_at_secret_headers(tmp_path, capsys):
    project = _project(tmp_path, hook={"headers": {"x-functions-key": SIG, "X-Signal": "on-call"}})
    code, report, err = _check(capsys, project)
    assert code == 1, err
    found = _sar06(report)
    assert found["status"] == "fail"
    assert "x-functions-key are plaintext" in found["message"] and "X-Signal" not in found["message"]
    assert "eventHook.secretHeaders" in found["message"] and SIG not in json.dumps(report)


def test_a_hook_without_an_auth_header_is_a_waivable_sar06_failure(tmp_path, capsys):
    project = _project(tmp_path, drop=("authHeader",))
    stack = project / "stacks" / "Pulumi.t.yaml"
    data = yaml.safe_load(stack.read_text("utf-8"))
    del data["config"]["sarguard:eventHookSecret"]
    stack.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    code, report, err = _check(capsys, project)
    assert code == 1, err  # a finding, not a settings error
    found = _sar06(report)
    assert found["status"] == "fail" and "sends no auth header" in found["message"]
    waivers = project / "waivers.yaml"
    waivers.write_text("- control: SAR-06\n  resource: eventHook/*\n  reason: the SOC endpoint "
                       "authenticates by mTLS (ticket SEC-9)\n  expires: 2099-12-31\n", "utf-8")
    code, report, err = _check(capsys, project, "--waivers", str(waivers))
    assert code == 0, err
    assert _sar06(report)["status"] == "waived"
    declared = run_program("t", project)
    [hook] = [r for r in declared.mock.resources if r.type.endswith("EventHook")]
    assert hook.inputs.get("auth") is None


def test_an_auth_secret_without_an_auth_header_would_be_ignored(tmp_path, capsys):
    project = _project(tmp_path, drop=("authHeader",))
    code, _, err = _check(capsys, project)
    assert code == 2 and "sarguard:eventHookSecret: would be ignored" in err, err


def test_the_component_fills_the_placeholders_and_keeps_the_url_secret():
    """The library API: ``url_secrets=`` beside ``header_secrets=``; the filled URL is a secret."""
    from sarguard.settings import load_settings

    class Flag:
        is_secret = True

    demo = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.demo.yaml").read_text("utf-8"))
    raw = demo["config"]["sarguard:settings"]
    raw["eventHook"]["url"] = TEMPLATE_URL
    settings = load_settings(raw, hook_secret=Flag(), project_dir=REPO_ROOT,
                             url_secrets={"sig": Flag()})

    def declare() -> dict[str, Any]:
        SuspiciousActivityReporting("sar", settings, hook_secret="h",
                                    url_secrets=pulumi.Output.secret({"sig": "a&b=c"}))
        return {}

    run = run_under_mocks(declare, project="sarguard", stack="t", config={}, parent_type=COMPONENT_TYPE)
    [hook] = [r for r in run.resources if r.type.endswith("EventHook")]
    channel = hook.inputs["channel"]
    assert is_secret_wrapper(channel) or is_secret_wrapper(channel.get("uri"))
    text = json.dumps(channel)
    assert "sig=a%26b%3Dc" in text and "{secret:sig}" not in text


def test_a_secret_channel_reaches_the_model_with_its_credentials_behind_placeholders():
    """Filled from secrets, the whole channel is one Pulumi secret; a readable one (a state
    stored in clear, the pack's unwrapped view) never puts the value into the model."""
    from sarguard.evidence.pulumi_resources import DeclaredResource, state_from_resources

    inputs = {"name": "h", "events": ["user.account.report_suspicious_activity_by_enduser"],
              "channel": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                          "value": {"type": "HTTP", "version": "1.0.0",
                                    "uri": TEMPLATE_URL.replace("{secret:sig}", SIG)}}}
    state = state_from_resources([DeclaredResource(
        type="okta:index/eventHook:EventHook", name="h", inputs=inputs, urn="urn:x", id="h-id",
        outputs=inputs, property_dependencies=None)], "stack-export")
    assert state.event_hooks[0].uri == TEMPLATE_URL


@pytest.mark.parametrize("hook, phrase", [
    ({"url": "http://soar.example.com/x"}, "Okta refuses an event hook URL that is not https"),
    ({"events": [f"event.{n}" for n in range(301)]}, "which Okta would refuse"),
    ({"name": "h" * 256}, "which Okta would refuse"),
])
def test_settings_errors_for_what_okta_refuses_say_so(tmp_path, capsys, hook, phrase):
    project = _project(tmp_path, hook=hook)
    code, _, err = _check(capsys, project)
    assert code == 2 and phrase in err, err


def test_an_encrypted_channel_is_not_judged_as_a_hook_without_a_url():
    """In a real ``pulumi stack export`` the filled channel is ciphertext: SAR-05 says why it
    cannot judge the URL (fail closed), never "has no delivery URL"."""
    from sarguard.controls.runner import evaluate_catalog
    from sarguard.evidence.pulumi_resources import DeclaredResource, state_from_resources

    inputs = {"name": "h", "status": "ACTIVE",
              "events": ["user.account.report_suspicious_activity_by_enduser"],
              "channel": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                          "ciphertext": "AAABAGNoYW5uZWw="}}
    verification = {"eventHookId": "h-id"}
    state = state_from_resources([DeclaredResource(
        type="okta:index/eventHook:EventHook", name="h", inputs=inputs, urn="urn:x", id="h-id",
        outputs=inputs, property_dependencies=None), DeclaredResource(
        type="okta:index/eventHookVerification:EventHookVerification", name="h-verification",
        inputs=verification, urn="urn:v", id="v-id", outputs={**verification,
                                                             "verificationStatus": "VERIFIED"},
        property_dependencies=None)], "stack-export")
    assert state.event_hooks[0].channel_opaque
    [sar05] = [f for f in evaluate_catalog(state) if f.control == "SAR-05"]
    assert sar05.status == "not_evaluated" and "encrypted Pulumi secret" in sar05.message


def test_the_program_reads_the_url_secrets_from_the_stack_config(monkeypatch):
    """``__main__.py`` (what ``pulumi up`` runs): sarguard:eventHookUrlSecrets reaches the
    component, which fills the placeholder and keeps the channel a secret."""
    from sarguard.pulumi.stack import SecureValue, load_stack_config
    from tests.program.test_notifications_manage import _run_main

    for name in ("OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "OKTA_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config = dict(load_stack_config("demo", REPO_ROOT).values)
    settings = json.loads(json.dumps(config["sarguard:settings"]))
    settings["eventHook"]["url"] = TEMPLATE_URL
    config["sarguard:settings"] = settings
    config["sarguard:eventHookUrlSecrets"] = {"sig": SecureValue("AAABAHNpZw==")}
    run = _run_main(monkeypatch, config, [])
    [hook] = [r for r in run.resources if r.type.endswith("EventHook")]
    assert is_secret_wrapper(hook.inputs["channel"])
    uri = hook.inputs["channel"]["value"]["uri"]
    assert "{secret:sig}" not in uri and uri.startswith(TEMPLATE_URL.split("{")[0])
    del config["sarguard:eventHookUrlSecrets"]
    with pytest.raises(pulumi.RunError, match=r"\{secret:sig\} needs its value"):
        _run_main(monkeypatch, config, [])
