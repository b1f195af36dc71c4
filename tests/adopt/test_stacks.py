"""Adopting into a project that is not sarguard's, and many stacks (one per org) in one project:
per-stack bodies, ``--force`` never touching another stack's files, ``--component-name``,
``--raw`` and next steps that name only what exists."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from sarguard.pulumi.program import child_resource_name
from tests.adopt.conftest import (
    STACK,
    bundled,
    drift_adopted,
    files_under,
    import_org,
    set_secrets,
)
from tests.adopt.helpers import AUTH_NOTE
from tests.adopt.test_importfile import parse_import_file


def _org_b() -> dict:
    """A second org: the in-sync seed with other bodies (so a collision would show)."""
    seed = bundled("in-sync")
    text = json.dumps(seed).replace("Report suspicious activity", "Melden Sie verdaechtige Aktivitaet")
    assert text != json.dumps(seed)
    return json.loads(text)


def test_two_orgs_in_one_project_each_in_sync(emulator, project, sarguard, tmp_path, monkeypatch):
    first = emulator("in-sync")
    assert import_org(sarguard, first, project, stack="org-a").code == 0
    second = emulator(_org_b())
    run = import_org(sarguard, second, project, stack="org-b")
    assert run.code == 0, run.err  # no collision, no --force needed
    files = files_under(project)
    assert any(p.startswith("email-templates/org-a/default/") for p in files)
    assert any(p.startswith("email-templates/org-b/default/") for p in files)
    assert not any(p.startswith("email-templates/default/") for p in files)
    assert files_under(project / "email-templates" / "org-a") != files_under(
        project / "email-templates" / "org-b")
    for stack, emu in (("org-a", first), ("org-b", second)):
        set_secrets(project, stack)
        monkeypatch.setenv("OKTA_API_TOKEN", emu.token)
        out = tmp_path / stack
        out.mkdir()
        drift = drift_adopted(sarguard, emu, project, out, stack=stack)
        assert drift.report["drift"] == [], (stack, drift.report["drift"])
        assert [n for n in drift.report["notes"] if AUTH_NOTE not in n] == []
        assert drift.code == 0, (stack, drift.err)


def test_force_refuses_files_another_stack_points_at(emulator, project, sarguard):
    emu = emulator("in-sync")
    assert import_org(sarguard, emu, project, stack="a").code == 0
    # A second stack made by copying the first: its settings point at a's bodies.
    shutil.copy(project / "stacks" / "Pulumi.a.yaml", project / "stacks" / "Pulumi.b.yaml")
    before = files_under(project)
    run = import_org(sarguard, emu, project, "--force", stack="a")
    assert run.code == 2
    assert "stack b" in run.err and "email-templates/a/default/" in run.err
    assert files_under(project) == before  # nothing was replaced


def test_force_still_replaces_the_stacks_own_files(emulator, project, sarguard):
    emu = emulator("in-sync")
    assert import_org(sarguard, emu, project, stack="a").code == 0
    body = next((project / "email-templates" / "a").rglob("*.html"))
    original = body.read_bytes()
    body.write_bytes(b"edited")
    assert import_org(sarguard, emu, project, stack="b").code == 0  # another stack, its own files
    assert import_org(sarguard, emu, project, "--force", stack="a").code == 0
    assert body.read_bytes() == original


def test_component_name_parents_the_import_and_prints_the_program_lines(emulator, project, sarguard):
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project, "--component-name", "acme-sar")
    assert run.code == 0, run.err
    document = json.loads((project / f"import-{STACK}.json").read_text("utf-8"))
    [component] = [r for r in document["resources"] if r.get("component")]
    assert component["logicalName"] == "acme-sar"
    children = [r for r in document["resources"] if not r.get("component")]
    assert all(r["parent"] == component["name"] for r in children)
    assert {r["logicalName"] for r in children} >= {child_resource_name("acme-sar", "threat-insight")}
    assert all(r["logicalName"].startswith("acme-sar-") for r in children)
    parse_import_file(document, STACK, "sarguard")
    assert "from sarguard import SuspiciousActivityReporting" in run.out
    assert 'SuspiciousActivityReporting("acme-sar")' in run.out


def test_the_default_component_names_its_children_as_the_program_does(emulator, project, sarguard):
    """Every instance names its children ``<component>-<name>`` (the default one too; stacks
    deployed before that keep their URNs through the default instance's aliases)."""
    emu = emulator("in-sync")
    assert import_org(sarguard, emu, project).code == 0
    document = json.loads((project / f"import-{STACK}.json").read_text("utf-8"))
    names = {r["logicalName"] for r in document["resources"]}
    assert {"suspicious-activity-reporting", "suspicious-activity-reporting-threat-insight"} <= names


def test_a_program_that_declares_the_component_gets_no_program_lines(emulator, project, sarguard):
    (project / "__main__.py").write_text(
        'from sarguard import SuspiciousActivityReporting\nSuspiciousActivityReporting("acme")\n',
        "utf-8")
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project, "--component-name", "acme")
    assert run.code == 0, run.err
    assert "from sarguard import" not in run.out


@pytest.mark.parametrize("has_policies", [False, True])
def test_next_steps_write_policies_first_only_when_missing(has_policies, emulator, project, sarguard):
    if has_policies:
        (project / "policies").mkdir()
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project)
    steps = [line.split(". ", 1)[1] for line in run.out.splitlines()
             if line.strip()[:2].rstrip(".").isdigit()]
    preview = next(i for i, s in enumerate(steps) if s.startswith("pulumi preview"))
    assert ("sarguard pack --dir policies" in steps) is not has_policies
    if not has_policies:
        assert steps.index("sarguard pack --dir policies") < preview


def test_raw_writes_only_plain_okta_resources(emulator, project, sarguard):
    data = yaml.safe_load((project / "Pulumi.yaml").read_text("utf-8"))
    data["runtime"] = "nodejs"  # --raw: pulumi writes the code, in the project's language
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(data), "utf-8")
    emu = emulator("in-sync")
    assert import_org(sarguard, emu, project).code == 2  # the component is Python
    run = import_org(sarguard, emu, project, "--raw")
    assert run.code == 0, run.err
    assert set(files_under(project)) == {f"import-{STACK}.json"}
    document = json.loads((project / f"import-{STACK}.json").read_text("utf-8"))
    assert document["resources"] and all(
        r["type"].startswith("okta:") and "parent" not in r and not r.get("component")
        for r in document["resources"])
    parse_import_file(document, STACK, "sarguard")
    assert f"pulumi import --file import-{STACK}.json --stack {STACK}" in run.out
    assert "--preview" in run.out


@pytest.mark.parametrize("flags", [("--raw", "--fix"), ("--raw", "--component-name", "x")])
def test_raw_takes_no_component_flags(flags, emulator, project, sarguard):
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, project, *flags)
    assert run.code == 2 and "--raw" in run.err
    assert files_under(project) == {}


def test_a_teams_own_project_gets_the_import_file_the_stack_and_the_program_lines(
        emulator, tmp_path, sarguard):
    """A project that is not sarguard's: its own name, no stackConfigDir, its own program."""
    team = tmp_path / "okta-infra"
    team.mkdir()
    (team / "Pulumi.yaml").write_text("name: okta-infra\nruntime:\n  name: python\n", "utf-8")
    (team / "__main__.py").write_text("import pulumi_okta as okta\n"
                                      "okta.Group('admins', name='Admins')\n", "utf-8")
    emu = emulator("in-sync")
    run = import_org(sarguard, emu, team, "--component-name", "acme", stack="prod")
    assert run.code == 0, run.err
    assert (team / "Pulumi.prod.yaml").is_file() and (team / "import-prod.json").is_file()
    assert any(p.startswith("email-templates/prod/") for p in files_under(team))
    document = json.loads((team / "import-prod.json").read_text("utf-8"))
    parse_import_file(document, "prod", "okta-infra")
    out = run.out
    assert out.index("add to __main__.py:") < out.index("pulumi preview")
    assert 'SuspiciousActivityReporting("acme")' in out
    assert out.index("sarguard pack --dir policies") < out.index("pulumi preview")
