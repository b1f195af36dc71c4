"""``sarguard pack --dir DIR``: a self-contained pack that ``pulumi policy publish`` can upload.

What the CLI does with it (pulumi/pulumi): ``pkg/backend/httpstate/policypack.go``
``cloudPolicyPack.Publish`` archives only the pack folder (``archive.TGZ(pwd, "package", true)``,
honouring ``.gitignore`` files, ``sdk/go/common/util/archive/archive.go`` ``addDirectoryToTar``);
``installRequiredPolicy`` unpacks it elsewhere, loads ``PulumiPolicy.yaml``
(``LoadPolicyPack``: a runtime is required), defaults ``virtualenv`` to ``venv`` and installs the
folder's ``requirements.txt`` (``IsPlugin: true``); ``analyzer_plugin.go`` uses the
``PulumiPolicy.yaml`` ``version`` over the SDK's; the Python host starts it as ``python -u -m
pulumi.policy <engine> <packDir>`` with cwd = the pack dir (``pulumi-language-python`` ``RunPlugin``).
pulumi-policy's Python SDK returns version 0.0.1 itself and expects the YAML to carry the real one
(``sdk/python/lib/pulumi_policy/policy.py`` ``GetAnalyzerInfo``).
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import sarguard
from sarguard.cli import main
from sarguard.pulumi.declared import run_program
from sarguard.pulumi.pack_build import PackBuildError, build_pack, pack_closure
from sarguard.pulumi.project_rules import policy_pack_problems
from tests.freshvenv import clean_env, fresh_venv, pip_install_requirements
from tests.policy_pack.conftest import Pack, started_pack
from tests.policy_pack.parity import (
    PARITY_STACKS,
    offline_verdicts,
    pack_verdicts,
    write_parity_project,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Built into one folder, then that folder alone copied elsewhere (as publish + enforce do)."""
    build = build_pack(tmp_path_factory.mktemp("build") / "pack").directory
    elsewhere = tmp_path_factory.mktemp("unpacked") / "package"
    shutil.copytree(build, elsewhere)
    return elsewhere


@pytest.fixture(scope="module")
def parity_project(tmp_path_factory) -> Path:
    return write_parity_project(tmp_path_factory.mktemp("parity-project"))


# ---- the folder's contents -----------------------------------------------------------------

def test_pulumi_policy_yaml_loads_and_carries_sarguards_version(built):
    doc = yaml.safe_load((built / "PulumiPolicy.yaml").read_text())
    assert policy_pack_problems(doc) == []
    assert doc["version"] == sarguard.__version__
    assert doc["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}


def test_requirements_name_only_pinned_index_packages(built):
    lines = [ln for ln in (built / "requirements.txt").read_text().splitlines()
             if ln and not ln.startswith("#")]
    pins = dict(ln.split("==") for ln in lines)
    assert {"pulumi", "pulumi-policy", "jsonschema"} <= set(pins)
    assert all(version == metadata.version(name) for name, version in pins.items())
    assert not any(ln.startswith(("-", ".", "/")) or "file:" in ln or "@" in ln for ln in lines)


def test_nothing_refers_outside_the_folder(built):
    code = ast.parse((built / "__main__.py").read_text())
    imports = [n for n in ast.walk(code) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [(n.module, [a.name for a in n.names]) for n in imports] == [
        ("sarguard.pulumi.pack", ["build_policy_pack"])]  # no sys.path games, nothing outside
    vendored = built / "sarguard"
    assert (vendored / "pulumi" / "pack.py").is_file() and (vendored / "data" / "event_catalog.json").is_file()
    assert not (vendored / "emulator").exists() and not (vendored / "commands").exists()
    assert not list(built.rglob("__pycache__")) and not any(p.is_symlink() for p in built.rglob("*"))
    modules, _ = pack_closure(built / "sarguard")
    assert {name for name in modules} == set(pack_closure()[0])  # the copy is closed under imports


def test_the_vendored_package_is_the_one_the_pack_imports(built):
    """cwd = the pack dir is first on sys.path, ahead of any installed sarguard."""
    result = subprocess.run([sys.executable, "-c", "import sarguard.pulumi.pack as p; print(p.__file__)"],
                            cwd=built, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve().is_relative_to(built.resolve())


def test_gitignore_keeps_a_local_venv_out_of_publish(built):
    assert "venv/" in (built / ".gitignore").read_text().splitlines()


# ---- the directory rules ------------------------------------------------------------------

def test_a_non_empty_dir_is_refused_without_force(tmp_path):
    target = tmp_path / "pack"
    target.mkdir()
    (target / "old.txt").write_text("x")
    with pytest.raises(PackBuildError, match="not empty; pass --force"):
        build_pack(target)
    assert (target / "old.txt").read_text() == "x"  # untouched


def test_force_empties_it_first(tmp_path, capsys):
    target = tmp_path / "pack"
    build_pack(target)
    (target / "sarguard" / "stale_module.py").write_text("raise SystemExit")
    (target / "stale.txt").write_text("x")
    assert main(["pack", "--dir", str(target), "--force"]) == 0
    assert not (target / "stale.txt").exists() and not (target / "sarguard" / "stale_module.py").exists()
    assert (target / "__main__.py").is_file()
    assert f"wrote a self-contained policy pack to {target}" in capsys.readouterr().out


def test_force_replaces_only_a_pack_sarguard_wrote(tmp_path, capsys):
    """The marker file `sarguard pack` writes is what --force looks for; any other non-empty
    directory is refused, naming what is there, and left as it was."""
    target = tmp_path / "notes"
    target.mkdir()
    (target / "todo.txt").write_text("keep me")
    (target / "drafts").mkdir()
    with pytest.raises(PackBuildError, match=r"holds drafts/, todo.txt, not a pack sarguard wrote "
                                             r"\(no \.sarguard-pack file\)"):
        build_pack(target, force=True)
    assert (target / "todo.txt").read_text() == "keep me" and (target / "drafts").is_dir()
    assert main(["pack", "--dir", str(target), "--force"]) == 2
    assert "not a pack sarguard wrote" in capsys.readouterr().err
    built = tmp_path / "pack"
    build_pack(built)
    assert "Written by `sarguard pack`" in (built / ".sarguard-pack").read_text()
    assert main(["pack", "--dir", str(built), "--force"]) == 0  # its own pack: replaced
    (built / ".sarguard-pack").unlink()  # a pack built before the marker existed: refused too
    with pytest.raises(PackBuildError, match="and [0-9]+ more, not a pack sarguard wrote"):
        build_pack(built, force=True)


@pytest.mark.parametrize("marker", [".git", "Pulumi.yaml", "pyproject.toml"])
def test_force_never_empties_a_project_or_repository(tmp_path, marker):
    (tmp_path / marker).mkdir() if marker == ".git" else (tmp_path / marker).write_text("x")
    with pytest.raises(PackBuildError, match=f"holds {marker}"):
        build_pack(tmp_path, force=True)
    assert (tmp_path / marker).exists()


def test_cli_errors_exit_2(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["pack", "--dir", str(tmp_path / "file")]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a").write_text("x")
    assert main(["pack", "--dir", str(tmp_path / "full")]) == 2
    assert "--force" in capsys.readouterr().err


def test_a_gitignore_above_the_pack_is_reported(tmp_path, capsys):
    """publish drops files any .gitignore above the folder ignores (archive.go walks the
    parents' .gitignore files too)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    (tmp_path / ".gitignore").write_text("dist/\n")
    assert main(["pack", "--dir", str(tmp_path / "dist" / "pack")]) == 0
    out = capsys.readouterr().out
    assert "warning: a .gitignore at or above" in out and "would leave them out" in out


# ---- the same diagnostics as the in-repo pack ----------------------------------------------

def _same_diagnostics(built_pack: Pack, in_repo: Pack, project: Path) -> None:
    built_pack.configure()
    for stack in PARITY_STACKS:
        run = run_program(stack, project)
        expected = pack_verdicts(in_repo, run.resources)
        assert pack_verdicts(built_pack, run.resources) == expected == offline_verdicts(run.state), stack


@pytest.fixture(scope="module")
def built_pack(built, tmp_path_factory) -> Iterator[Pack]:
    with started_pack(built, tmp_path_factory.mktemp("built") / "stderr.txt") as started:
        yield started


def test_the_built_pack_judges_like_the_in_repo_pack(built_pack, configured, parity_project):
    info = built_pack.info()
    assert info.name == "sarguard"
    assert [p.name for p in info.policies] == [p.name for p in configured.info().policies]
    _same_diagnostics(built_pack, configured, parity_project)


@pytest.mark.network
def test_the_pack_installs_and_runs_alone_from_the_index(tmp_path, configured, parity_project):
    """The issue's test: build, copy the folder alone, a fresh venv inside it (the CLI's default
    ``venv``), ``pip install -r requirements.txt`` from inside it, then start it exactly as the
    CLI does and drive it over gRPC: the same diagnostics as the in-repo pack."""
    build = build_pack(tmp_path / "build").directory
    unpacked = tmp_path / "unpacked" / "package"
    shutil.copytree(build, unpacked)
    python = fresh_venv(unpacked / "venv")
    pip_install_requirements(python, unpacked)
    check = subprocess.run([str(python), "-c", "import sarguard, pulumi_policy; print(sarguard.__file__)"],
                           cwd=unpacked, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    assert Path(check.stdout.strip()).resolve().is_relative_to(unpacked.resolve())
    with started_pack(unpacked, tmp_path / "stderr.txt", python=str(python), env=clean_env()) as fresh:
        _same_diagnostics(fresh, configured, parity_project)
