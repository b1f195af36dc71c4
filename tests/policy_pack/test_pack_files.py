"""The pack's builder, its CLI-facing files, and the CI workflow that runs it."""

from __future__ import annotations

import yaml
from pulumi_policy import EnforcementLevel, Severity

import sarguard
from sarguard.controls.catalog import CATALOG, get_control
from sarguard.pulumi.pack import build_policies, merged_options
from tests.policy_pack.conftest import PACK_DIR, REPO


def test_build_policies_mirrors_the_catalog():
    policies = build_policies()
    assert [p.name for p in policies] == [c.policy_name for c in CATALOG]
    for policy, control in zip(policies, CATALOG, strict=True):
        assert policy.description.startswith(control.id)
        assert policy.enforcement_level == EnforcementLevel(control.default_level)
        assert policy.severity == Severity(control.severity)
        assert policy.remediation_steps == control.remediation
        assert set(policy.config_schema.properties) == set(control.options_schema)


def test_merged_options_fill_defaults_and_drop_the_level():
    sar02 = get_control("SAR-02")
    assert merged_options(sar02, None) == sar02.default_options()
    assert merged_options(sar02, {"enforcementLevel": "advisory", "required": ["newSignOn"]}) == {
        "required": ["newSignOn"]}


def test_pulumi_policy_yaml_uses_the_repo_virtualenv():
    doc = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert doc["runtime"] == {"name": "python", "options": {"virtualenv": "../.venv"}}
    assert doc["description"]
    assert doc["version"] == sarguard.__version__  # analyzer_plugin.go prefers it over the SDK's


def test_requirements_name_what_the_pack_imports():
    lines = [ln.split("#")[0].strip() for ln in (PACK_DIR / "requirements.txt").read_text().splitlines()]
    names = {ln.split(">")[0].split("<")[0].split("=")[0] for ln in lines if ln}
    assert {"pulumi", "pulumi-policy", "pyyaml", "jsonschema", "-e .."} <= names


def test_workflow_runs_the_offline_check_and_the_preview():
    doc = yaml.safe_load((REPO / ".github" / "workflows" / "policy.yml").read_text())
    triggers = doc.get("on", doc.get(True))
    assert "pull_request" in triggers
    check, preview = doc["jobs"]["offline-check"], doc["jobs"]["policy-preview"]
    # every stack of stackConfigDir, listed by the first job (tests/workflows runs the listing)
    assert check["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    runs = "\n".join(s.get("run", "") for s in check["steps"])
    assert "sarguard check --stack" in runs and "--format sarif --output sarguard.sarif" in runs
    assert "--also markdown=sarguard-summary.md" in runs and ">> \"$GITHUB_STEP_SUMMARY\"" in runs
    upload = next(s for s in check["steps"] if "upload-sarif" in s.get("uses", ""))
    assert "always()" in upload["if"]
    assert check["steps"].index(upload) < next(
        i for i, s in enumerate(check["steps"]) if "exit_code != '0'" in str(s.get("if", "")))
    action = next(s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions"))
    assert action["with"]["policyPacks"] == "policies" and action["with"]["command"] == "preview"
    assert "vars.PULUMI_STACK" in preview["if"]  # the stack the repository names (tests/workflows)
