"""Where ``sarguard import`` writes, and that it writes all of it or nothing.

Could-not-run is exit 2 with a clear message and no file touched: outside a sarguard project,
existing files without ``--force`` (listed), a target outside the project, a credential in the
org's answer, a failed move (every replaced file comes back).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

import sarguard.util.output as output
from tests.adopt.conftest import STACK, bundled, files_under, import_org
from tests.program.test_readme_pulumi_commands import COMMON, FLAGS, _parse


def test_it_refuses_to_run_outside_a_pulumi_project(emulator, tmp_path, sarguard, monkeypatch):
    emu = emulator("in-sync")
    empty = tmp_path / "empty"
    empty.mkdir()
    run = import_org(sarguard, emu, empty)
    assert run.code == 2 and "not a Pulumi project" in run.err and "Pulumi.yaml" in run.err
    monkeypatch.chdir(empty)
    run = sarguard("import", "--stack", STACK, "--org-url", emu.url)
    assert run.code == 2 and "not in a Pulumi project" in run.err
    node = tmp_path / "node"
    node.mkdir()
    (node / "Pulumi.yaml").write_text("name: web\nruntime: nodejs\n", "utf-8")
    run = import_org(sarguard, emu, node)
    assert run.code == 2 and "runtime 'nodejs'" in run.err and "--raw" in run.err
    assert files_under(empty) == files_under(node) == {}
    assert not emu.requests, "refused before any API call"


def test_it_honours_stack_config_dir(emulator, project, sarguard):
    emu = emulator("in-sync")
    text = (project / "Pulumi.yaml").read_text("utf-8").replace("stackConfigDir: stacks", "stackConfigDir: config/stacks")
    (project / "Pulumi.yaml").write_text(text, "utf-8")
    run = import_org(sarguard, emu, project)
    assert run.code == 0, run.err
    assert (project / "config" / "stacks" / f"Pulumi.{STACK}.yaml").is_file()
    assert f"wrote config/stacks/Pulumi.{STACK}.yaml" in run.out


def test_a_stack_config_dir_outside_the_project_is_refused(emulator, project, sarguard):
    emu = emulator("in-sync")
    text = (project / "Pulumi.yaml").read_text("utf-8").replace("stackConfigDir: stacks", "stackConfigDir: ../elsewhere")
    (project / "Pulumi.yaml").write_text(text, "utf-8")
    run = import_org(sarguard, emu, project)
    assert run.code == 2 and "outside the project" in run.err


@pytest.mark.parametrize("stack", ["a/b", "../x", "has space", ""])
def test_an_invalid_stack_name_is_refused(stack, emulator, project, sarguard):
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project, stack=stack)
    assert run.code == 2 and "invalid stack name" in run.err


def test_existing_files_are_listed_and_kept_without_force(emulator, project, sarguard):
    emu = emulator("in-sync")
    assert import_org(sarguard, emu, project).code == 0
    before = files_under(project)
    emu.reset_stats()
    run = import_org(sarguard, emu, project)
    assert run.code == 2
    assert f"stacks/Pulumi.{STACK}.yaml" in run.err and f"import-{STACK}.json" in run.err
    assert "--force" in run.err
    assert not emu.requests, "the two fixed files are checked before the org is read"
    assert files_under(project) == before


def test_existing_body_files_alone_stop_the_import(emulator, project, sarguard):
    emu = emulator("in-sync")
    target = project / "email-templates" / STACK / "default" / "PasswordChanged.en.html"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"mine")
    run = import_org(sarguard, emu, project)
    assert run.code == 2 and f"email-templates/{STACK}/default/PasswordChanged.en.html" in run.err
    assert files_under(project) == {f"email-templates/{STACK}/default/PasswordChanged.en.html": b"mine"}


def test_force_replaces_them(emulator, project, sarguard):
    emu = emulator("in-sync")
    assert import_org(sarguard, emu, project).code == 0
    stack_file = project / "stacks" / f"Pulumi.{STACK}.yaml"
    stack_file.write_text("# edited\n", "utf-8")
    run = import_org(sarguard, emu, project, "--force")
    assert run.code == 0
    assert yaml.safe_load(stack_file.read_text("utf-8"))["config"]["sarguard:settings"]


def test_a_failed_move_puts_every_file_back(emulator, project, sarguard, monkeypatch):
    emu = emulator("in-sync")
    assert import_org(sarguard, emu, project).code == 0
    before = files_under(project)
    with emu.state.lock:
        emu.state.threat_insight["action"] = "block"  # something to change
    real = os.replace
    moved: list[str] = []

    def flaky(src, dst):
        if str(dst).endswith(".html") and not str(src).endswith(".old") and len(moved) >= 3:
            raise PermissionError(13, "Permission denied")
        moved.append(str(dst))
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", flaky)
    run = import_org(sarguard, emu, project, "--force")
    assert run.code == 2 and "Permission denied" in run.err and "nothing was written" in run.err
    assert files_under(project) == before
    assert not any(p.name.startswith(".sarguard-import-") for p in project.iterdir())


def test_nothing_is_written_through_a_symlink_out_of_the_project(emulator, project, sarguard, tmp_path):
    emu = emulator("in-sync")
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "email-templates").symlink_to(outside, target_is_directory=True)
    run = import_org(sarguard, emu, project)
    assert run.code == 2 and "outside the project directory" in run.err
    assert list(outside.iterdir()) == [] and not (project / "stacks").exists()


def test_a_credential_echoed_into_a_body_is_never_written(emulator, project, sarguard):
    emu = emulator("in-sync")
    with emu.state.lock:
        template = emu.state.brands["bnd1dfltBrand00000001"].templates["PasswordChanged"]
        template.customizations[0].body += f"<!-- {emu.token} -->"
    run = import_org(sarguard, emu, project)
    assert run.code == 2 and "contains a credential this run holds" in run.err
    assert emu.token not in run.err + run.out
    assert files_under(project) == {}


def test_a_hook_header_credential_echoed_into_a_body_is_never_written(emulator, project,
                                                                       sarguard):
    """Okta returns a hook's custom header values in clear; the stack declares a credential-like
    one (X-Api-Key) as a secret by fingerprint. The live value is a secret this run holds: an
    org echoing it into an email body gets nothing written and the value shown nowhere."""
    key = "live-x-api-key-canary-0123456789"
    seed = bundled("in-sync")
    seed["eventHooks"][0]["channel"]["headers"].append({"key": "X-Api-Key", "value": key})
    emu = emulator(seed)
    with emu.state.lock:
        template = emu.state.brands["bnd1dfltBrand00000001"].templates["PasswordChanged"]
        template.customizations[0].body += f"<!-- {key} -->"
    run = import_org(sarguard, emu, project)
    assert run.code == 2 and "contains a credential this run holds" in run.err
    assert key not in run.err + run.out
    assert files_under(project) == {}


def test_no_secret_reaches_a_file_or_the_output(emulator, project, sarguard):
    emu = emulator("demo")  # its hook's auth value is in the seed (Okta never returns it)
    run = import_org(sarguard, emu, project)
    assert run.code == 0
    for value in ("demo-soar-shared-secret", emu.token):
        assert value not in run.out + run.err
        assert all(value.encode() not in data for data in files_under(project).values())


def test_the_printed_pulumi_commands_are_the_clis(emulator, project, sarguard):
    """The next steps parse as the Pulumi CLI's commands (flags from pulumi/pulumi's cobra
    definitions, see tests/program/test_readme_pulumi_commands.py)."""
    emu = emulator("demo")
    run = import_org(sarguard, emu, project)
    commands = [line.split(". ", 1)[1] for line in run.out.splitlines()
                if line.strip()[:2].rstrip(".").isdigit() and "pulumi " in line]
    assert [shlex.split(c)[1] for c in commands] == ["stack", "config", "import", "preview"]
    for command in commands:
        name, _, flags = _parse(command)
        assert set(flags) - FLAGS[name] - COMMON == set(), command
    assert f"pulumi import --file import-{STACK}.json --stack {STACK} --generate-code=false" in commands


def test_the_staged_tree_is_removed_after_a_refusal(emulator, project, sarguard, monkeypatch):
    from sarguard.adopt import validate

    emu = emulator("in-sync")

    def refuse(*_args, **_kwargs):
        def check(staging: Path) -> None:
            assert (staging / "stacks" / f"Pulumi.{STACK}.yaml").is_file()
            raise validate.AdoptError("refused for the test")
        return check

    monkeypatch.setattr(validate, "staged_check", refuse)
    run = import_org(sarguard, emu, project)
    assert run.code == 2 and "refused for the test" in run.err
    assert files_under(project) == {}
    assert sorted(p.name for p in project.iterdir()) == ["Pulumi.yaml"]
    shutil.rmtree(project)
