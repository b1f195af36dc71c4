"""``requirements.txt`` at the project root: what ``pulumi install`` installs for the program.

pulumi/pulumi ``sdk/python/toolchain/pip.go`` ``InstallDependencies``: with ``toolchain: pip`` and
a ``virtualenv``, the Python language host creates the venv and runs ``python -m pip install -r
requirements.txt`` with the program directory as its working directory
(``sdk/python/cmd/pulumi-language-python/main.go`` ``InstallDependencies`` passes
``req.Info.ProgramDirectory``); without the file it installs nothing and ``__main__.py`` cannot
import sarguard.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from sarguard.pulumi.declared import run_program
from tests.conftest import REPO_ROOT
from tests.freshvenv import clean_env, fresh_venv, pip_install_requirements

RUN_MAIN = """
import json, runpy
import sarguard
from sarguard.pulumi.mockengine import run_under_mocks
from sarguard.pulumi.program import COMPONENT_TYPE
from sarguard.pulumi.stack import load_stack_config

config = load_stack_config("demo").values

def declare():
    runpy.run_path("__main__.py")
    return {}

run = run_under_mocks(declare, project="sarguard", stack="demo", config=config,
                      parent_type=COMPONENT_TYPE)
print(json.dumps({"sarguard": sarguard.__file__, "names": sorted(r.name for r in run.resources)}))
"""


def test_requirements_install_this_project_for_the_pip_toolchain():
    """pip.go InstallDependencies reads requirements.txt in the program directory, which is the
    project root (no ``main:`` in Pulumi.yaml)."""
    project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text("utf-8"))
    assert project["runtime"]["options"] == {"toolchain": "pip", "virtualenv": ".venv"}
    assert "main" not in project
    lines = [ln.split("#")[0].strip() for ln in (REPO_ROOT / "requirements.txt").read_text().splitlines()]
    assert [ln for ln in lines if ln] == ["-e ."]


def _fresh_clone(target) -> None:
    """The files a clone has: tracked and new, never ignored ones (no .venv, no egg-info)."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the checkout's files")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO_ROOT, capture_output=True, check=True).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = REPO_ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


@pytest.mark.network
def test_a_fresh_venv_from_requirements_runs_the_program(tmp_path):
    """What ``pulumi install`` + ``pulumi up`` do on a fresh clone: a new venv, ``pip install -r
    requirements.txt`` from the project root, then ``__main__.py`` — here under the mock engine —
    declares what the offline run declares, with sarguard imported from the clone."""
    clone = tmp_path / "clone"
    clone.mkdir()
    _fresh_clone(clone)
    python = fresh_venv(clone / ".venv")
    pip_install_requirements(python, clone)
    result = subprocess.run([str(python), "-c", RUN_MAIN], cwd=clone, env=clean_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["sarguard"].startswith(str(clone))
    assert out["names"] == sorted(r.name for r in run_program("demo", REPO_ROOT).mock.resources)
