"""Evidence from a `pulumi stack export` file."""

import json

import pytest

from sarguard.controls.runner import evaluate_catalog
from sarguard.evidence.stack_export import StackExportError, state_from_stack_export
from tests.controls.conftest import good_resources

CIPHER = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
          "ciphertext": "v1:c2VjcmV0LWNpcGhlcnRleHQ="}
STACK_URN = "urn:pulumi:prod::sarguard::pulumi:pulumi:Stack::sarguard-prod"


def _export(brand_id="bnd0real0default", plaintext=False):
    """A version-3 deployment as `pulumi stack export` writes it."""
    resources = [
        {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": {}},
        {"urn": "urn:pulumi:prod::sarguard::pulumi:providers:okta::default", "custom": True,
         "id": "prov-1", "type": "pulumi:providers:okta",
         "inputs": {"apiToken": CIPHER}, "outputs": {}},
        {"urn": "urn:pulumi:prod::sarguard::sarguard:index:SuspiciousActivityReporting::sar",
         "custom": False, "type": "sarguard:index:SuspiciousActivityReporting",
         "outputs": {"brandIds": {"default": brand_id}}},
    ]
    hook_urn = None
    for r in good_resources(brand_id):
        inputs = json.loads(json.dumps(r.inputs))
        deps = {}
        if r.name == "soc":
            hook_urn = r.urn
            inputs["auth"]["value"] = "plain" if plaintext else CIPHER
        if r.name == "soc-verification":
            deps = {"eventHookId": [hook_urn]}
            inputs["eventHookId"] = "who0realhookid"
        resources.append({"urn": r.urn, "custom": True, "type": r.type, "id": f"{r.name}-real",
                          "inputs": inputs, "outputs": dict(inputs), "propertyDependencies": deps})
    return {"version": 3, "deployment": {"manifest": {"time": "2026-01-01T00:00:00Z"},
                                         "resources": resources}}


def _write(tmp_path, data):
    path = tmp_path / "export.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_export_passes_and_reads_secrets_as_secrets(tmp_path):
    state = state_from_stack_export(_write(tmp_path, _export()))
    assert state.source == "stack-export" and state.meta["stack"] == "prod"
    assert set(state.brands) == {"default"}  # from the component's brandIds output
    hook = state.event_hooks[0]
    assert (hook.auth_value_set, hook.auth_value_secret, hook.verification_status) == (
        True, True, "VERIFIED")
    assert [f for f in evaluate_catalog(state) if f.status not in ("pass", "not_applicable")] == []
    assert "c2VjcmV0" not in repr(state)


def test_plaintext_secret_in_state_fails_sar06(tmp_path):
    state = state_from_stack_export(_write(tmp_path, _export(plaintext=True)))
    sar06 = [f for f in evaluate_catalog(state) if f.control == "SAR-06"]
    assert [f.status for f in sar06] == ["fail"]


@pytest.mark.parametrize("mutate,where", [
    (lambda d: d.update(version=2), "version"),
    (lambda d: d.pop("deployment"), "deployment"),
    (lambda d: d["deployment"].update(resources={}), "deployment.resources"),
    (lambda d: d["deployment"]["resources"].__setitem__(3, "x"), "deployment.resources[3]"),
    (lambda d: d["deployment"]["resources"][4].pop("type"), "deployment.resources[4].type"),
    (lambda d: d["deployment"]["resources"][5].update(inputs=[]), "deployment.resources[5].inputs"),
    (lambda d: d["deployment"]["resources"][5].update(propertyDependencies={"brandId": "urn"}),
     "deployment.resources[5].propertyDependencies.brandId"),
])
def test_bad_shape_names_file_and_key_path(tmp_path, mutate, where):
    data = _export()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(StackExportError) as err:
        state_from_stack_export(path)
    assert str(err.value).startswith(f"{path}: {where}: expected")


def test_bad_json_and_missing_file(tmp_path):
    with pytest.raises(StackExportError, match=r"export\.json: line 1 column \d+: invalid JSON"):
        state_from_stack_export(_write(tmp_path, "{nope"))
    with pytest.raises(StackExportError, match="missing.json: file not found"):
        state_from_stack_export(tmp_path / "missing.json")
