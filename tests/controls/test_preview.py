"""Evidence from a `pulumi preview --json --show-sames` document (any language's program).

The fixtures are built from Pulumi's own display types:
- the document is a ``PreviewDigest`` (pulumi/pulumi ``sdk/go/common/display/json.go``:
  ``config``, ``steps``, ``diagnostics``, ``duration``, ``changeSummary``, ``maybeCorrupt``), each
  step a ``PreviewStep`` (``op``, ``urn``, ``provider``, ``oldState``, ``newState``, ``diffReasons``,
  ``replaceReasons``, ``detailedDiff``) whose states are ``apitype.ResourceV3``
  (``sdk/go/common/apitype/core.go``: ``urn``, ``custom``, ``id``, ``type``, ``inputs``,
  ``outputs``, ``parent``, ``provider``, ``propertyDependencies``, ...);
- ``pkg/backend/display/json.go`` (``ShowPreviewDigest``, ``stateForJSONOutput``) writes every
  secret as the string ``"[secret]"`` (``massagePropertyValue`` with showSecrets false) and keeps a
  step only if ``shouldShow`` says so: a ``same`` step only with ``--show-sames``
  (``ShowSameResources``), the root stack's step always; the summary event's ``ResourceChanges``
  still counts every step;
- a computed value serializes as ``computedValuePlaceholder``
  (``pkg/resource/stack/deployment.go``: ``04da6b54-80e4-46f7-96ec-b56ff0331ba9``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sarguard.cli import main
from sarguard.controls.runner import evaluate_catalog
from sarguard.evidence.preview import PreviewError, state_from_preview
from tests.controls.conftest import SECRET_SIG, good_resources

COMPUTED = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STACK_URN = "urn:pulumi:prod::okta-infra::pulumi:pulumi:Stack::okta-infra-prod"
PROVIDER = "urn:pulumi:prod::okta-infra::pulumi:providers:okta::default_4_0_0::prov-1"


def _display(value: Any) -> Any:
    """What the digest writes for a value: a secret becomes "[secret]"."""
    if isinstance(value, dict):
        if value.get(next(iter(SECRET_SIG))) == next(iter(SECRET_SIG.values())):
            return "[secret]"
        return {k: _display(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_display(v) for v in value]
    return value


def _state(urn: str, type_: str, inputs: dict[str, Any], rid: str = "", deps=None) -> dict:
    """An ``apitype.ResourceV3`` as the digest serializes it."""
    return {"urn": urn, "custom": True, "id": rid, "type": type_, "inputs": inputs,
            "outputs": dict(inputs), "parent": STACK_URN, "provider": PROVIDER,
            "propertyDependencies": deps or {}}


def digest(op: str = "same", *, show_sames: bool = True, brand_id: str = "bnd0prod",
           mutate=None) -> dict[str, Any]:
    """A ``PreviewDigest`` of a passing org: every resource's step is ``op``."""
    root_op = "same" if op == "same" else "create"
    steps: list[dict[str, Any]] = [{
        "op": root_op, "urn": STACK_URN, "provider": "",
        "newState": {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack"},
        "detailedDiff": None}]
    hook_urn = None
    for r in good_resources(brand_id):
        inputs = _display(json.loads(json.dumps(r.inputs)))
        deps: dict[str, list[str]] = {}
        if r.name == "soc":
            hook_urn = r.urn
        if r.name == "soc-verification":
            deps = {"eventHookId": [hook_urn]}
            inputs["eventHookId"] = "who0realhookid" if op == "same" else COMPUTED
        if mutate:
            mutate(r.name, inputs)
        rid = f"{r.name}-real" if op == "same" else ""
        new = _state(r.urn, r.type, inputs, rid, deps)
        step = {"op": op, "urn": r.urn, "provider": PROVIDER, "newState": new,
                "detailedDiff": None}
        if op == "same":
            step["oldState"] = new
        steps.append(step)
    counts = Counter(s["op"] for s in steps)
    shown = [s for s in steps if s["op"] != "same" or s["urn"] == STACK_URN or show_sames]
    return {"config": {"okta:orgName": "acme", "okta:baseUrl": "okta.com",
                       "okta:apiToken": "[secret]"},
            "steps": shown, "duration": 1500000000, "changeSummary": dict(counts)}


def _write(tmp_path, data) -> str:
    path = tmp_path / "preview.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=4))
    return str(path)


def _status(state, control: str) -> list[str]:
    return [f.status for f in evaluate_catalog(state) if f.control == control]


def test_existing_stack_with_sames_passes(tmp_path):
    state = state_from_preview(_write(tmp_path, digest()))
    assert state.meta["stack"] == "prod" and state.meta["oktaOrg"] == "acme.okta.com"
    bad = [f for f in evaluate_catalog(state) if f.status not in ("pass", "not_applicable")]
    assert bad == []
    # the hook's auth value is "[secret]": a secret is set, as a stack export's ciphertext says
    hook = state.event_hooks[0]
    assert (hook.auth_value_set, hook.auth_value_secret) == (True, True)


def test_plaintext_hook_value_fails_sar06(tmp_path):
    def plain(name, inputs):
        if name == "soc":
            inputs["auth"]["value"] = "plain-value"
    state = state_from_preview(_write(tmp_path, digest(mutate=plain)))
    assert _status(state, "SAR-06") == ["fail"]


def test_new_stack_creates_are_judged(tmp_path):
    """A first preview has no `same` steps to leave out: no --show-sames is needed."""
    state = state_from_preview(_write(tmp_path, digest("create", show_sames=False)))
    assert _status(state, "SAR-05") == ["pass"]  # linked through propertyDependencies
    assert _status(state, "SAR-03") == ["pass"] * len(_status(state, "SAR-03"))


def test_existing_stack_without_show_sames_is_refused(tmp_path):
    with pytest.raises(PreviewError, match="--show-sames"):
        state_from_preview(_write(tmp_path, digest(show_sames=False)))


def test_without_summary_root_same_and_no_sames_is_refused(tmp_path):
    data = digest(show_sames=False)
    data.pop("changeSummary")
    with pytest.raises(PreviewError, match="--show-sames"):
        state_from_preview(_write(tmp_path, data))


def test_secret_body_is_not_evaluated_not_failed(tmp_path):
    def secret_body(name, inputs):
        if "body" in inputs:
            inputs["body"] = "[secret]"
    state = state_from_preview(_write(tmp_path, digest(mutate=secret_body)))
    assert set(_status(state, "SAR-03")) == {"not_evaluated"}


def test_computed_input_is_not_evaluated(tmp_path):
    def computed(name, inputs):
        if name == "notifications":
            inputs["reportSuspiciousActivityEnabled"] = COMPUTED
    state = state_from_preview(_write(tmp_path, digest(mutate=computed)))
    assert _status(state, "SAR-01") == ["not_evaluated"]


def test_plain_failure_is_a_failure(tmp_path):
    def off(name, inputs):
        if name == "notifications":
            inputs["reportSuspiciousActivityEnabled"] = False
    state = state_from_preview(_write(tmp_path, digest(mutate=off)))
    assert _status(state, "SAR-01") == ["fail"]


def test_deleted_resources_are_not_judged(tmp_path):
    data = digest()
    for step in data["steps"]:
        if step["urn"].endswith("::notifications"):
            step["op"] = "delete"
    data["changeSummary"] = {"same": data["changeSummary"]["same"] - 1, "delete": 1}
    state = state_from_preview(_write(tmp_path, data))
    assert state.notifications is None


@pytest.mark.parametrize("data,where", [
    ([], "(top level)"),
    ({"steps": {}}, "steps"),
    ({"steps": ["x"]}, "steps[0]"),
    ({"steps": [{"urn": "u"}]}, "steps[0].op"),
    ({"steps": [{"op": "create", "urn": "u", "newState": {"urn": "u"}}]}, "steps[0].newState.type"),
    ({"steps": [{"op": "create", "urn": "u", "newState": {"urn": "u", "type": "t", "inputs": []}}]},
     "steps[0].newState.inputs"),
])
def test_bad_shape_names_the_key_path(tmp_path, data, where):
    with pytest.raises(PreviewError) as err:
        state_from_preview(_write(tmp_path, data))
    assert where in str(err.value)


def test_deep_inputs_are_refused(tmp_path):
    deep: Any = "x"
    for _ in range(500):
        deep = [deep]
    data = {"steps": [{"op": "create", "urn": "u", "newState": {
        "urn": "u", "type": "okta:index/eventHook:EventHook", "inputs": {"events": deep}}}]}
    with pytest.raises(PreviewError, match="nested deeper"):
        state_from_preview(_write(tmp_path, data))


def test_stack_export_given_to_preview_is_named(tmp_path):
    with pytest.raises(PreviewError, match="--state"):
        state_from_preview(_write(tmp_path, {"version": 3, "deployment": {}}))


def test_huge_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr("sarguard.evidence.preview.MAX_BYTES", 1024)
    with pytest.raises(PreviewError, match="larger than"):
        state_from_preview(_write(tmp_path, digest()))


@pytest.mark.parametrize("text", ["{", "[" * 100000, '{"steps": [1e999999999999]', "\ud800"])
def test_cli_malformed_is_exit_2_with_message(tmp_path, capsys, text):
    path = tmp_path / "p.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    assert main(["check", "--preview", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err


def test_cli_refuses_missing_sames_naming_the_flag(tmp_path, capsys):
    assert main(["check", "--preview", _write(tmp_path, digest(show_sames=False))]) == 2
    assert "--show-sames" in capsys.readouterr().err


def test_cli_judges_a_preview(tmp_path, capsys):
    def off(name, inputs):
        if name == "notifications":
            inputs["reportSuspiciousActivityEnabled"] = False
    code = main(["check", "--preview", _write(tmp_path, digest(mutate=off)), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert any(f["control"] == "SAR-01" and f["status"] == "fail" for f in out["findings"])


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github", "junit"])
def test_plaintext_credentials_in_a_preview_fail_and_never_reach_the_report(tmp_path, capsys, fmt):
    def plain(name, inputs):
        if name == "soc":
            inputs["auth"]["value"] = "plain-secret-xyz-123"
            inputs["headers"] = [{"key": "X-Api-Key", "value": "hdr-secret-abc-999"}]
    assert main(["check", "--preview", _write(tmp_path, digest(mutate=plain)), "--format", fmt]) == 1
    captured = capsys.readouterr()
    for secret in ("plain-secret-xyz-123", "hdr-secret-abc-999"):
        assert secret not in captured.out + captured.err


def _json_findings(tmp_path, capsys, data) -> list[dict]:
    main(["check", "--preview", _write(tmp_path, data), "--format", "json"])
    return json.loads(capsys.readouterr().out)["findings"]


def test_remediation_names_the_resource_type_and_argument(tmp_path, capsys):
    def broken(name, inputs):
        if "body" in inputs and inputs.get("templateName") == "PasswordChanged":
            inputs["body"] = "<p>no link</p>"
        if name == "notifications":
            inputs["reportSuspiciousActivityEnabled"] = False
    findings = _json_findings(tmp_path, capsys, digest(mutate=broken))
    sar03 = next(f for f in findings if f["control"] == "SAR-03" and f["status"] == "fail")
    # The class and the argument to change (controls/remediation.py, one wording for every form
    # of a raw program's evidence: its run under mocks, a stack export and a preview).
    assert "okta.EmailCustomization(body=…)" in sar03["remediation"]
    assert "${request.reportSuspiciousActivityToken}" in sar03["remediation"]
    sar01 = next(f for f in findings if f["control"] == "SAR-01")
    assert "report_suspicious_activity_enabled" in sar01["remediation"]
    assert all("sarguard:settings" not in f["remediation"] for f in findings
               if f["status"] == "fail")


def test_a_missing_hook_names_the_resource_to_declare(tmp_path, capsys):
    data = digest()
    data["steps"] = [s for s in data["steps"] if "eventHook" not in s["urn"]]
    data["changeSummary"] = {"same": len(data["steps"])}
    sar05 = next(f for f in _json_findings(tmp_path, capsys, data) if f["control"] == "SAR-05")
    assert sar05["status"] == "fail"
    assert "Declare okta.EventHook(" in sar05["remediation"]


def test_the_components_children_keep_the_settings_remediation(tmp_path, capsys):
    component = "sarguard:index:SuspiciousActivityReporting"
    data = digest()
    for step in data["steps"][1:]:
        for holder in (step, step["newState"]):
            holder["urn"] = holder["urn"].replace("::okta:", f"::{component}$okta:")
    comp_urn = f"urn:pulumi:prod::okta-infra::{component}::suspicious-activity-reporting"
    data["steps"].append({"op": "same", "urn": comp_urn, "newState": {
        "urn": comp_urn, "custom": False, "type": component, "outputs": {}}})
    data["steps"] = [s for s in data["steps"] if "eventHook" not in s["urn"]]
    data["changeSummary"] = {"same": len(data["steps"])}
    findings = _json_findings(tmp_path, capsys, data)
    sar05 = next(f for f in findings if f["control"] == "SAR-05")
    assert "sarguard:settings.eventHook" in sar05["remediation"]


def test_an_endless_input_stops_at_the_cap(monkeypatch, capsys):
    """/dev/zero never ends and reports size 0: the read itself is bounded."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    monkeypatch.setattr("sarguard.evidence.preview.MAX_BYTES", 1024 * 1024)
    assert main(["check", "--preview", "/dev/zero"]) == 2
    assert "larger than 1 MB" in capsys.readouterr().err
