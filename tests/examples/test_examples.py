"""The programs in examples/: `check --stack` runs each project's own program under the mock
engine and judges every Okta resource it registers, pointing at the program's own lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sarguard.cli import main
from sarguard.pulumi.declared import run_program
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"


def check(project: Path, stack: str, tmp_path: Path, *extra: str) -> tuple[int, dict, dict]:
    sarif, report = tmp_path / "out.sarif", tmp_path / "out.json"
    code = main(["check", "--stack", stack, "--project-dir", str(project), "--format", "json",
                 "--output", str(report), "--also", f"sarif={sarif}", *extra])
    return code, json.loads(report.read_text()), json.loads(sarif.read_text())


def failed(report: dict) -> dict[tuple[str, str], dict]:
    return {(f["control"], f["resource"]): f for f in report["findings"] if f["status"] == "fail"}


def sarif_lines(sarif: dict) -> dict[str, tuple[str, int]]:
    """Each failing rule's first physical location."""
    out = {}
    for result in sarif["runs"][0]["results"]:
        if result.get("kind") == "fail":
            location = result["locations"][0]["physicalLocation"]
            out[result["ruleId"]] = (location["artifactLocation"]["uri"], location["region"]["startLine"])
    return out


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_raw_resources_are_judged_at_their_own_lines(tmp_path, monkeypatch):
    project = EXAMPLES / "raw-resources"
    monkeypatch.chdir(project)
    code, report, sarif = check(project, "dev", tmp_path)
    assert code == 1
    key = "brand/default/template/NewSignOnNotification/customization/en"
    assert set(failed(report)) == {("SAR-03", key), ("SAR-09", key)}
    # Own-namespace keys (okta-infra:teamGroup, okta-infra:hookSecret) are the program's business.
    assert not any("unknown config key" in w for w in report.get("warnings", []))
    line = line_of(project / "__main__.py", "okta.EmailCustomization(")
    assert sarif_lines(sarif)["SAR-03"] == ("__main__.py", line)
    # The fix is said in the form of the evidence: the class and its argument, no settings key.
    remediation = failed(report)[("SAR-03", key)]["remediation"]
    assert "okta.EmailCustomization(body=" in remediation and "sarguard:settings" not in remediation


def test_the_component_as_a_library_keeps_stack_file_locations(tmp_path, monkeypatch):
    project = EXAMPLES / "library"
    monkeypatch.chdir(project)
    run = run_program("prod", project)
    assert {r.type for r in run.mock.resources} >= {"okta:group/group:Group",
                                                    "okta:index/eventHook:EventHook"}
    # Settings-built resources point at their settings in the stack file.
    hook_at = run.state.locations["eventHook/soc-reports"]
    assert hook_at.file == "stacks/Pulumi.prod.yaml"
    assert hook_at.line == line_of(project / "stacks/Pulumi.prod.yaml", "eventHook:")
    code, report, _ = check(project, "prod", tmp_path)
    assert code == 0 and not failed(report)


def test_two_orgs_through_two_providers(tmp_path, monkeypatch):
    project = EXAMPLES / "two-orgs"
    monkeypatch.chdir(project)
    run = run_program("prod", project)
    urns = [r.urn for r in run.mock.resources]
    assert len(urns) == len(set(urns))  # no URN collision between the two instances
    assert [g.provider for g in run.groups] == ["amer", "emea"]  # by name: a stable order
    assert run.group("emea").inputs["okta:orgName"] == "acme-emea"
    code, report, _ = check(project, "prod", tmp_path)
    assert code == 0
    subjects = {f["resource"] for f in report["findings"] if f["control"] == "SAR-01"}
    assert subjects == {"provider/emea/securityNotificationEmails",
                        "provider/amer/securityNotificationEmails"}


def _project(tmp_path: Path, program: str, runtime: str = "python") -> Path:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(f"name: team\nruntime: {runtime}\nstackConfigDir: stacks\n")
    (project / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  team:owner: me\n")
    (project / "__main__.py").write_text(program)
    return project


@pytest.mark.parametrize(("program", "line", "what"), [
    ("import pulumi\nimport not_installed_anywhere\n", 2, "ModuleNotFoundError"),
    ("import pulumi_okta as okta\n\nokta.ThreatInsightSettings('ti', action='audit')\n"
     "raise ValueError('the team forgot something')\n", 4, "ValueError: the team forgot something"),
])
def test_a_failing_program_is_exit_2_with_its_own_line(tmp_path, monkeypatch, capsys, program, line, what):
    project = _project(tmp_path, program)
    monkeypatch.chdir(project)
    sarif = tmp_path / "out.sarif"
    code = main(["check", "--stack", "dev", "--format", "json", "--output", str(tmp_path / "r.json"),
                 "--also", f"sarif={sarif}"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"__main__.py:{line}: the program raised {what}" in err
    assert "Traceback" not in err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["errors"] and f"__main__.py:{line}" in report["errors"][0]["message"]
    assert json.loads(sarif.read_text())["runs"]  # a could-not-run report in every format


def test_a_program_that_never_finishes_is_stopped(tmp_path, monkeypatch, capsys):
    from sarguard.pulumi import userprogram

    project = _project(tmp_path, "import threading\nthreading.Event().wait()\n")
    monkeypatch.chdir(project)
    monkeypatch.setattr(userprogram, "PROGRAM_TIMEOUT_S", 1.0)
    assert main(["check", "--stack", "dev"]) == 2
    assert "did not finish within 1 s" in capsys.readouterr().err


def test_another_language_is_told_where_to_go(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path, "", runtime="nodejs")
    monkeypatch.chdir(project)
    assert main(["check", "--stack", "dev"]) == 2
    err = capsys.readouterr().err.strip()
    assert "nodejs" in err and "--preview" in err and "--state" in err and "policy pack" in err
    assert len(err.splitlines()) == 1


def test_a_sarguard_key_typo_keeps_its_did_you_mean(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path, "")
    (project / "stacks" / "Pulumi.dev.yaml").write_text(
        "config:\n  team:owner: me\n  sarguard:setting: {}\n")
    monkeypatch.chdir(project)
    assert main(["check", "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert "sarguard:setting: unknown config key; did you mean 'sarguard:settings'?" in err
    assert "team:owner" not in err


def test_examples_copy_cleanly(tmp_path):
    """The examples are self-contained projects (what a team copies)."""
    for name in ("raw-resources", "library", "two-orgs"):
        shutil.copytree(EXAMPLES / name, tmp_path / name)
        assert (tmp_path / name / "__main__.py").is_file()


def test_drift_needs_provider_to_pick_one_of_several_orgs(monkeypatch, capsys):
    """Before any network: with two orgs drift asks which one, and names the providers."""
    project = EXAMPLES / "two-orgs"
    monkeypatch.chdir(project)
    assert main(["drift", "--stack", "prod"]) == 2
    assert "pick one with --provider NAME" in capsys.readouterr().err
    assert main(["drift", "--stack", "prod", "--provider", "apac"]) == 2
    assert "--provider apac: no Okta resource of the program uses that provider (providers: amer, emea)" \
        in capsys.readouterr().err
    run = run_program("prod", project)
    assert run.group("amer").state.meta["provider"] == "amer"


def test_what_the_program_prints_stays_out_of_the_report(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path, "import pulumi_okta as okta\nprint('hello from the program')\n"
                                 "okta.ThreatInsightSettings('ti', action='audit')\n")
    monkeypatch.chdir(project)
    assert main(["check", "--stack", "dev", "--format", "json"]) == 1  # no hook, no switches…
    out, err = capsys.readouterr()
    assert json.loads(out)["stack"] == "dev" and "hello from the program" in err


def test_the_oauth_only_rule_reads_each_providers_own_inputs(tmp_path, monkeypatch):
    """pulumi-okta manages SecurityNotificationEmails with an SSWS token only (see
    sarguard/pulumi/credentials.py): a provider with OAuth inputs and no apiToken is warned
    about, by name, even though the stack config has no okta:* key at all."""
    program = (EXAMPLES / "two-orgs" / "__main__.py").read_text().replace(
        "api_token=config.require_secret(f\"{org}ApiToken\"))",
        "api_token=config.require_secret(f\"{org}ApiToken\")) if org == 'emea' else "
        "okta.Provider(org, org_name='acme-amer', base_url='okta.com', client_id='0oa1', "
        "private_key=config.require_secret('amerKey'), scopes=['okta.brands.manage'])")
    project = _project(tmp_path, program)
    (project / "Pulumi.yaml").write_text("name: okta-orgs\nruntime: python\nstackConfigDir: stacks\n")
    stack = (EXAMPLES / "two-orgs" / "stacks" / "Pulumi.prod.yaml").read_text()
    (project / "stacks" / "Pulumi.dev.yaml").write_text(
        stack + "  okta-orgs:amerKey:\n    secure: AAABAGtleS1jaXBoZXJ0ZXh0\n")
    monkeypatch.chdir(project)
    code, report, _ = check(project, "dev", tmp_path)
    warnings = [w for w in report["warnings"] if "OAuth 2.0 credentials" in w]
    assert len(warnings) == 1 and warnings[0].startswith("provider amer: ")
    assert "okta:clientId" in warnings[0]


def test_check_state_of_a_raw_program_names_the_class_not_settings(tmp_path, monkeypatch):
    """A `pulumi stack export` of the raw program: its resources are not the component's
    children (their URNs say so), so remediation names the class and its argument."""
    project = EXAMPLES / "raw-resources"
    monkeypatch.chdir(project)
    run = run_program("dev", project)
    export = {"version": 3, "deployment": {"resources": [
        {"type": r.type, "urn": r.urn, "id": r.id, "inputs": r.inputs, "outputs": r.outputs}
        for r in run.mock.resources]}}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    report_path = tmp_path / "r.json"
    assert main(["check", "--state", str(path), "--format", "json", "--output", str(report_path)]) == 1
    report = json.loads(report_path.read_text())
    [link] = [f for f in report["findings"] if f["control"] == "SAR-03" and f["status"] == "fail"]
    assert "okta.EmailCustomization(body=" in link["remediation"]
    assert "sarguard:settings" not in link["remediation"]


def test_check_state_judges_each_org_of_an_export(tmp_path, monkeypatch):
    """An export of the two-org program: each resource names its provider, so each org is
    judged on its own there too."""
    project = EXAMPLES / "two-orgs"
    monkeypatch.chdir(project)
    run = run_program("prod", project)
    export = {"version": 3, "deployment": {"resources": [
        {"type": r.type, "urn": r.urn, "id": r.id, "inputs": r.inputs, "outputs": r.outputs,
         "provider": r.provider} for r in run.mock.resources]}}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    report_path = tmp_path / "r.json"
    main(["check", "--state", str(path), "--format", "json", "--output", str(report_path)])
    report = json.loads(report_path.read_text())
    subjects = {f["resource"] for f in report["findings"] if f["control"] == "SAR-10"}
    assert subjects == {"provider/amer/threatInsight", "provider/emea/threatInsight"}


def test_what_depends_on_an_unanswerable_invoke_is_not_evaluated(tmp_path, monkeypatch, capsys):
    """Offline, `get_group` has no answer: the body built from it is unknown (not_evaluated, a
    run-level note says why), while an answered invoke (`get_brands`) keeps its placeholder."""
    project = _project(tmp_path, (
        "import pulumi_okta as okta\n\nokta.get_brands()\ngroup = okta.group.get_group(name='Everyone')\n"
        "okta.EmailCustomization('c', brand_id='default', template_name='PasswordChanged', "
        "language='en', body=group.id, subject='s', is_default=True)\n"))
    monkeypatch.chdir(project)
    code, report, _ = check(project, "dev", tmp_path)
    assert code == 2  # a mandatory control could not be evaluated
    sar03 = [f for f in report["findings"] if f["control"] == "SAR-03"]
    assert sar03 and all(f["status"] == "not_evaluated" for f in sar03)
    assert any("okta:group/getGroup:getGroup" in w and "cannot answer" in w for w in report["warnings"])
    assert not any("getBrands" in w for w in report["warnings"])
