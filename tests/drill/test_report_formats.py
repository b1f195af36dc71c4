"""A drill report renders in every format like any report; its SARIF is schema-valid and
carries the DRILL rules; the JSON contract is the common one with ``kind: drill``."""

from __future__ import annotations

import json

import jsonschema
import pytest

from sarguard.drill.catalog import DRILL_CONTROLS
from sarguard.drill.probe import Probe
from sarguard.drill.runner import run_drill
from sarguard.drill.target import make_target
from sarguard.report import FORMATS, render
from sarguard.report.exit_codes import exit_code
from sarguard.report.model import Report
from tests.report.sample import reference_dir


def _scripted(*statuses: int | None):
    """A sender that answers from a script (no network): verification first, then POSTs."""
    answers = list(statuses)

    def sender(method, url, headers, body, **_):
        status = answers.pop(0)
        if method == "GET":
            challenge = headers["X-Okta-Verification-Challenge"]
            return Probe(status, json.dumps({"verification": challenge}).encode(), 0.01)
        return Probe(status, b"", 0.01)
    return sender


@pytest.fixture
def report() -> Report:
    target = make_target("https://soar.example.com/okta/events?tenant=secret-ish", "Authorization",
                         "Bearer x")
    result = run_drill(target, sender=_scripted(200, 204, 401, 204, 500))
    return Report(kind="drill", findings=result.findings, controls=list(DRILL_CONTROLS),
                  evidence=result.evidence)


def test_every_format_renders_the_drill(report: Report) -> None:
    assert exit_code(report) == 1  # DRILL-03 (wrong value accepted) and DRILL-04 failed
    for fmt in FORMATS:
        out = render(report, fmt)
        assert "DRILL-04" in out, fmt
        assert "tenant=secret-ish" not in out, fmt  # the query is never shown


def test_drill_sarif_is_valid_and_has_the_rules(report: Report) -> None:
    path = reference_dir() / "sarif-schema-2.1.0.json"
    if not path.is_file():
        pytest.skip(f"SARIF schema not found at {path} (../shared/reference is absent)")
    data = json.loads(render(report, "sarif"))
    jsonschema.Draft4Validator(json.loads(path.read_text("utf-8"))).validate(data)
    run = data["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [c.id for c in DRILL_CONTROLS]


def test_json_contract(report: Report) -> None:
    data = json.loads(render(report, "json"))
    assert data["kind"] == "drill" and data["exitCode"] == 1
    assert data["summary"] == {"passed": 3, "failed": 2, "notEvaluated": 0, "notApplicable": 0,
                               "waived": 0, "baselined": 0}
    assert {f["resource"] for f in data["findings"]} == {"endpoint/soar.example.com/okta/events"}
    assert data["evidence"]["drill"]["endpoint"] == "https://soar.example.com/okta/events"
    assert "drift" not in data  # a drill has no drift section
