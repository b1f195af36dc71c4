"""SARIF that GitHub code scanning accepts and tracks — the schema *and* GitHub's upload rules.

Each rule below is GitHub's, not ours; the sources:

* A result without ``locations[0].physicalLocation.artifactLocation.uri`` makes the upload
  fail as a whole ("locationFromSarifResult: expected at least one location" /
  "expected artifact location"): github/codeql-action issues #1738 and #2459; "At least one
  location is required", only ``locations[0]`` is used, at most 10 locations — docs.github.com,
  code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
  ("result object"). The empty string is not accepted for a required property (same page).
* ``runAutomationDetails.id`` is ``category/run-id``: the category is everything up to the last
  ``/`` (same page, "runAutomationDetails object"); one analysis per category and tool, so a
  second run of a category in one upload is rejected. The upload action sets an id only when
  the run has none (``populateRunAutomationDetails`` in github/codeql-action
  ``src/upload-lib.ts``: ``if (run.automationDetails === undefined)``), so the workflows must
  not rely on their ``category:`` input.
* Alerts are matched across runs by ``partialFingerprints``, and "code scanning only uses the
  ``primaryLocationLineHash``" (same page, "result object"); the upload action fills it from
  the source line only when it is missing (``addFingerprints`` in
  github/codeql-action ``src/fingerprints.ts``) — a line hash, which changes when a setting's
  line is edited, so sarguard supplies a stable one.
* Limits: 20 runs per file, 25,000 results and 25,000 rules per run, 20 tags per rule; rule
  ``name`` at most 255 characters, ``shortDescription``/``fullDescription`` at most 1024;
  ``defaultConfiguration.level`` one of note, warning, error; ``security-severity`` a score
  above 0.0 up to 10.0 (same page, "Validating your SARIF file" and "reportingDescriptor
  object").
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from sarguard.cli import main
from sarguard.controls.catalog import CATALOG
from sarguard.errors import Problem
from sarguard.report import render
from sarguard.report.model import DriftItem, Report
from tests.report.sample import finding, full_report

MAX_RUNS, MAX_RESULTS, MAX_RULES, MAX_TAGS, MAX_LOCATIONS = 20, 25_000, 25_000, 20, 10


def drill_report() -> Report:
    """A report of the ``drill`` kind (another branch adds the command): its resources are
    ``endpoint/<host><path>``, so the SARIF logic must handle it without knowing the kind."""
    return Report(
        kind="drill",  # type: ignore[arg-type]
        findings=[
            finding("DRILL-01", "fail", "endpoint/soar.example.com/okta/events",
                    "the endpoint answered 500"),
            finding("DRILL-02", "pass", "endpoint/soar.example.com/okta/events", "delivered"),
        ],
        org="https://acme.okta.com",
        org_url="https://acme.okta.com",
    )


def could_not_run_report() -> Report:
    return Report(kind="check", controls=list(CATALOG), stack="demo",
                  errors=[Problem("stacks/Pulumi.demo.yaml:12: sarguard:settings.x: bad",
                                  "stacks/Pulumi.demo.yaml", 12, "sarguard:settings.x"),
                          Problem("internal error: RuntimeError: boom — please report it")])


REPORTS = {
    "check": lambda: full_report("check"),
    "drift": lambda: full_report("drift"),
    "audit-without-stack": lambda: _no_stack(full_report("audit")),
    "drill": drill_report,
    "could-not-run": could_not_run_report,
}


def _no_stack(report: Report) -> Report:
    report.stack, report.stack_file = None, None
    for f in report.findings:
        f.location = None
    return report


def assert_code_scanning_accepts(log: dict) -> None:
    """GitHub's ingestion rules (see the module docstring for each one's source)."""
    assert log["version"] == "2.1.0" and log["$schema"]
    runs = log["runs"]
    assert 1 <= len(runs) <= MAX_RUNS
    categories = [r["automationDetails"]["id"].rsplit("/", 1)[0] for r in runs]
    assert len(set(categories)) == len(categories), "one run per category per upload"
    for run in runs:
        assert run["tool"]["driver"]["name"]
        auto_id = run["automationDetails"]["id"]
        assert auto_id.endswith("/") and auto_id.rsplit("/", 1)[0], auto_id
        rules = run["tool"]["driver"]["rules"]
        assert len(rules) <= MAX_RULES
        for rule in rules:
            assert rule["id"]
            assert len(rule.get("name", "")) <= 255
            for key in ("shortDescription", "fullDescription"):
                if key in rule:
                    assert 0 < len(rule[key]["text"]) <= 1024, (rule["id"], key)
            level = rule.get("defaultConfiguration", {}).get("level")
            assert level in (None, "note", "warning", "error"), (rule["id"], level)
            props = rule.get("properties", {})
            assert len(props.get("tags", [])) <= MAX_TAGS
            if "security-severity" in props:
                assert 0.0 < float(props["security-severity"]) <= 10.0
        assert len(run["results"]) <= MAX_RESULTS
        seen: set[tuple[str, str]] = set()
        for result in run["results"]:
            assert result["ruleId"] and result["message"]["text"]
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            locations = result["locations"]
            assert 1 <= len(locations) <= MAX_LOCATIONS
            physical = locations[0]["physicalLocation"]
            assert physical["artifactLocation"]["uri"], result
            if "region" in physical:
                assert physical["region"]["startLine"] >= 1
            fingerprint = result["partialFingerprints"]["primaryLocationLineHash"]
            assert isinstance(fingerprint, str) and fingerprint
            key = (result["ruleId"], fingerprint)
            assert key not in seen, f"two results share an identity: {key}"
            seen.add(key)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_schema_and_code_scanning_rules(sarif_schema: dict, name: str) -> None:
    log = json.loads(render(REPORTS[name](), "sarif"))
    validator = jsonschema.Draft4Validator(sarif_schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert_code_scanning_accepts(log)


@pytest.mark.parametrize(("name", "category"), [
    ("check", "sarguard/check/demo/"),
    ("drift", "sarguard/drift/demo/"),
    ("audit-without-stack", "sarguard/audit/example.okta.com/"),
    ("drill", "sarguard/drill/soar.example.com/"),
])
def test_automation_id_is_a_category_per_command_and_subject(name: str, category: str) -> None:
    log = json.loads(render(REPORTS[name](), "sarif"))
    assert log["runs"][0]["automationDetails"]["id"] == category


def test_pseudo_paths_for_evidence_without_a_file() -> None:
    audit = json.loads(render(REPORTS["audit-without-stack"](), "sarif"))["runs"][0]
    uris = {r["properties"]["resource"]: r["locations"][0]["physicalLocation"]
            for r in audit["results"]}
    assert uris["eventHook/soc"] == {"artifactLocation": {"uri": "okta/example.okta.com/eventHook/soc"}}
    drill = json.loads(render(drill_report(), "sarif"))["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in drill["results"]} == {"endpoint/soar.example.com/okta/events"}


def test_fingerprints_follow_identity_not_lines_or_messages() -> None:
    def fingerprints(report: Report) -> dict[tuple[str, str, str], str]:
        run = json.loads(render(report, "sarif"))["runs"][0]
        return {(r["ruleId"], r["properties"].get("resource", ""), r["properties"].get("field", "")):
                r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]}

    before = full_report("drift")
    after = full_report("drift")
    for f in after.findings:
        f.message += " (reworded)"
        if f.location:
            f.location.line = (f.location.line or 0) + 7
    assert fingerprints(before) == fingerprints(after)
    changed = full_report("drift")
    changed.drift = [DriftItem("changed", "eventHook/soc", "status", "ACTIVE", "INACTIVE")]
    assert set(fingerprints(changed).values()) - set(fingerprints(before).values())


def test_a_settings_error_from_the_cli_is_a_located_result(sarif_schema: dict, make_project,
                                                           tmp_path: Path, capsys) -> None:
    project = make_project("""\
        config:
          sarguard:settings:
            brands:
              - id: default
                templates:
                  NewSignOnNotification:
                    customizations:
                      - language: xx
                        subject: s
                        body: b
        """)
    out = tmp_path / "check.sarif"
    code = main(["check", "--stack", "test", "--project-dir", str(project), "--format", "sarif",
                 "--output", str(out)])
    assert code == 2
    log = json.loads(out.read_text())
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert_code_scanning_accepts(log)
    run = log["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    [result] = [r for r in run["results"] if "language" in r["message"]["text"]]
    assert result["ruleId"] == "SETTINGS" and result["level"] == "error"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "stacks/Pulumi.test.yaml"
    lines = (project / "stacks" / "Pulumi.test.yaml").read_text().splitlines()
    assert "language: xx" in lines[physical["region"]["startLine"] - 1]
    assert result["message"]["text"] in capsys.readouterr().err  # what the terminal shows


def test_the_workflows_leave_the_category_to_the_file() -> None:
    """upload-sarif never overrides an id the SARIF has (codeql-action ``src/upload-lib.ts``
    ``populateRunAutomationDetails``): a ``category:`` input would only mislead."""
    import yaml

    from tests.conftest import REPO_ROOT

    uploads = 0
    for path in sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in (workflow.get("jobs") or {}).values():
            for step in job.get("steps") or []:
                if "codeql-action/upload-sarif" in str(step.get("uses", "")):
                    uploads += 1
                    assert "category" not in (step.get("with") or {}), (path.name, step)
    assert uploads >= 2
