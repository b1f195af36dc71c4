"""The fleet report (``audit --orgs``, ``merge``): golden layouts, the JSON contract, hostile
strings from merged files, and the HTML in headless Chromium (offline, no console error, axe)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sarguard.controls.base import Finding
from sarguard.errors import Problem
from sarguard.fleet.combine import MergeError, merge_reports
from sarguard.report import render
from sarguard.report.model import Report
from sarguard.report.render_diff import render_diff
from sarguard.report.render_fleet import FLEET_FORMATS, render_fleet
from tests.report.sample import CONTROLS, full_report
from tests.report.test_html_browser import driver  # noqa: F401 -- the browser fixture

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"text": "txt", "markdown": "md", "html": "html"}


def _audit(report: Report) -> dict:
    return json.loads(render(report, "json"))


def fleet(hostile: str | None = None) -> dict:
    drifted = full_report("audit")
    drifted.org = drifted.org_url = "https://emea.okta.com"
    healthy = Report(kind="audit", controls=list(CONTROLS), org="https://us.okta.com",
                     org_url="https://us.okta.com", drift=[], findings=[
                         Finding("SAR-01", "pass", "securityNotificationEmails", "on"),
                         Finding("SAR-03", "pass", "org", "no customization")])
    if hostile:
        healthy.findings.append(Finding("SAR-05", "fail", hostile, hostile))
    gone = Report(kind="audit", controls=list(CONTROLS), org="https://apac.okta.com",
                  org_url="https://apac.okta.com",
                  errors=[Problem("could not reach https://apac.okta.com (connection refused)")])
    data = merge_reports([("emea.json", _audit(drifted)), ("us.json", _audit(healthy))])
    return merge_reports([("shard1.json", data), ("apac.json", _audit(gone))])


def test_fleet_json_contract() -> None:
    data = json.loads(render_fleet(fleet(), "json"))
    assert set(data) == {"kind", "orgs", "summary", "exitCode"} and data["kind"] == "fleet"
    assert [(o["name"], o["orgUrl"], o["exitCode"]) for o in data["orgs"]] == [
        ("emea.okta.com", "https://emea.okta.com", 2), ("us.okta.com", "https://us.okta.com", 0),
        ("apac.okta.com", "https://apac.okta.com", 2)]
    assert data["exitCode"] == 2
    assert data["summary"]["orgs"] == 3 and data["summary"]["couldNotRun"] == 2
    assert data["summary"]["findings"]["passed"] == 3


def test_merge_refuses_another_commands_report() -> None:
    with pytest.raises(MergeError, match="merge takes `sarguard audit` reports and fleet reports"):
        merge_reports([("check.json", _audit(full_report("check")))])


@pytest.mark.parametrize("fmt", [f for f in FLEET_FORMATS if f != "json"])
def test_fleet_layout_matches_the_golden_file(fmt: str) -> None:
    text = render_fleet(fleet(), fmt)
    path = GOLDEN / f"fleet.{SUFFIX[fmt]}"
    if os.environ.get("SARGUARD_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run with SARGUARD_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


HOSTILE = "<script>window.__pwned=1</script><img src=x onerror=alert(1)> @team #1\n::error::x\x1b[2J"


def test_hostile_strings_in_merged_reports_stay_inert() -> None:
    data = fleet(HOSTILE)
    html = render_fleet(data, "html")
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    for fmt in ("text", "markdown", "html"):
        out = render_fleet(data, fmt)
        assert "\x1b" not in out
        assert not any(line.lstrip().startswith("::") for line in out.splitlines()), fmt
    assert "@&#8203;team" in render_fleet(data, "markdown")


# ---- in headless Chromium (the HTML report's harness) ------------------------------------------
def _diff_html() -> str:
    from sarguard.report.diff import diff_reports

    old = _audit(full_report("audit"))
    new = _audit(full_report("audit"))
    new["findings"] = new["findings"][:2]
    return render_diff(diff_reports(old, new), "html")


@pytest.mark.browser
@pytest.mark.parametrize("page", ["fleet", "diff"])
def test_fleet_and_diff_html_open_offline_and_pass_axe(driver, tmp_path: Path,  # noqa: F811
                                                       page: str) -> None:
    from tests.report.test_html_browser import AXE, _open

    html = render_fleet(fleet(HOSTILE), "html") if page == "fleet" else _diff_html()
    _open(driver, tmp_path, html, f"{page}.html")
    assert driver.title == f"sarguard {page}" + (" report" if page == "fleet" else "")
    assert [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"] == []
    assert driver.execute_script("return document.scripts.length + document.images.length") == 0
    assert driver.execute_script("return window.__pwned === undefined")
    urls = driver.execute_script(
        "return performance.getEntries().map(e => e.name).filter(n => n.includes(':'));")
    assert all(u.startswith(("file:", "data:")) for u in urls), urls
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE}); run npm ci --prefix tools/axe")
    driver.execute_script(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.html)}))))"
        ".catch(e => done({error: String(e)}));")
    assert not isinstance(result, dict), result
    assert [v for v in result if v["impact"] in ("serious", "critical")] == []


def test_two_fleet_reports_diff_org_by_org() -> None:
    from sarguard.report.diff import diff_reports

    old = fleet()
    new = json.loads(json.dumps(old))
    emea = new["orgs"][0]["report"]
    emea["findings"] = [f for f in emea["findings"] if f["control"] != "SAR-09"]  # fixed
    us = new["orgs"][1]["report"]
    us["findings"].append({**emea["findings"][1], "fingerprint": "us-new"})  # new in another org
    diff = diff_reports(old, new)
    assert [(f["org"], f["control"]) for f in diff["fixed"]] == [("emea.okta.com", "SAR-09")]
    assert [(f["org"], f["control"]) for f in diff["new"]] == [("us.okta.com", "SAR-03")]
    assert {(c["org"], c["control"], c["old"], c["new"]) for c in diff["controls"]} == {
        ("emea.okta.com", "SAR-09", "fail", "absent"), ("us.okta.com", "SAR-03", "pass", "fail")}
    assert diff["summary"]["exitCode"] == 1
    assert "us.okta.com: SAR-03" in render_diff(diff, "text")
