"""``import`` and a hook's credentials beyond its auth value (issue 19): a credential in the URL
becomes a ``{secret:NAME}`` placeholder, Azure-style credential headers become secret headers,
and a hook that sends no auth header is declared as it is (SAR-06 fails; ``--fix`` adds one)."""

from __future__ import annotations

import yaml

from tests.adopt.conftest import (
    SECURE,
    STACK,
    bundled,
    check_adopted,
    drift_adopted,
    files_under,
    import_org,
)

LOGIC_APP = ("https://prod-12.westus.logic.azure.com/workflows/0a1b/triggers/manual/paths/invoke"
             "?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=")
SIG = "LiveSigCanaryAbc123def456"
FUNCTIONS_KEY = "LiveFunctionsKeyCanary987"


def _stack_path(project):
    return project / "stacks" / f"Pulumi.{STACK}.yaml"


def _hook(project) -> dict:
    return yaml.safe_load(_stack_path(project).read_text("utf-8"))["config"]["sarguard:settings"]["eventHook"]


def _add_config(project, text: str) -> None:
    path = _stack_path(project)
    path.write_text(path.read_text("utf-8").replace("config:\n", "config:\n" + text, 1), "utf-8")


def test_url_and_header_credentials_become_secrets_and_the_round_trip_is_in_sync(
        emulator, project, sarguard, tmp_path):
    seed = bundled("in-sync")
    channel = seed["eventHooks"][0]["channel"]
    channel["uri"] = LOGIC_APP + SIG
    channel["headers"] += [{"key": "x-functions-key", "value": FUNCTIONS_KEY},
                           {"key": "X-Signal", "value": "pager"}]
    emu = emulator(seed)
    run = import_org(sarguard, emu, project)
    assert run.code == 0, run.err
    hook = _hook(project)
    assert hook["url"] == LOGIC_APP + "{secret:sig}"
    assert hook["secretHeaders"] == ["x-functions-key"]
    assert hook["headers"] == {"X-Signal": "pager", "X-Source": "okta"}
    assert f"pulumi config set --secret --path sarguard:eventHookUrlSecrets.sig --stack {STACK}" in run.out
    assert "sarguard:eventHookUrlSecrets" in _stack_path(project).read_text("utf-8")  # the comment
    for secret in (SIG, FUNCTIONS_KEY):
        assert all(secret.encode() not in data for data in files_under(project).values())
        assert secret not in run.out + run.err
    # Before the values are set the stack says what is missing; after, drift is in sync.
    check = sarguard("check", "--stack", STACK, "--project-dir", str(project))
    assert check.code == 2 and "{secret:sig} needs its value" in check.err
    _add_config(project, f"  sarguard:eventHookSecret:\n    secure: {SECURE}\n"
                         f"  sarguard:eventHookHeaderSecrets:\n    x-functions-key:\n      secure: {SECURE}\n"
                         f"  sarguard:eventHookUrlSecrets:\n    sig:\n      secure: {SECURE}\n")
    drift = drift_adopted(sarguard, emu, project, tmp_path)
    assert drift.report is not None, drift.err
    assert drift.report["drift"] == []
    assert any("sig come from sarguard:eventHookUrlSecrets" in n for n in drift.report["notes"])
    assert SIG not in drift.out + drift.err and FUNCTIONS_KEY not in drift.out + drift.err


def test_a_hook_without_auth_is_declared_as_it_is_and_fixed_by_fix(emulator, project, sarguard, tmp_path):
    seed = bundled("in-sync")
    del seed["eventHooks"][0]["channel"]["authScheme"]
    emu = emulator(seed)
    run = import_org(sarguard, emu, project)
    assert run.code == 0, run.err
    assert "authHeader" not in _hook(project)
    assert "sends no auth header" in run.err and "sarguard:eventHookSecret" not in run.out
    check = check_adopted(sarguard, project, tmp_path)
    assert check.code == 1, check.err  # a finding, not a settings error
    [sar06] = [f for f in check.report["findings"] if f["control"] == "SAR-06"]
    assert sar06["status"] == "fail" and "sends no auth header" in sar06["message"]
    drift = drift_adopted(sarguard, emu, project, tmp_path)
    assert drift.report is not None and drift.report["drift"] == [], drift.err
    fixed = import_org(sarguard, emu, project, "--fix", "--force")
    assert fixed.code == 0, fixed.err
    assert _hook(project)["authHeader"] == "Authorization"
    assert "SAR-06" in fixed.out + fixed.err and "sarguard:eventHookSecret" in fixed.out
