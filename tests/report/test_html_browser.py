"""The HTML report in a real browser: Debian's headless Chromium driven by Selenium, the network
cut off. Each report opens with no console error and no remote fetch, axe-core finds no serious
or critical accessibility violation, hostile org strings run no script, and Chromium prints a PDF.

Skips (saying why) where chromium, chromedriver, Selenium or axe-core (``npm ci --prefix
tools/axe``, which ``.ci/run`` does) are absent.

Sources: Selenium's Chrome options and ``goog:loggingPrefs`` / ``get_log("browser")``
(selenium.dev documentation, "Chrome specific functionality": logs are at levels
SEVERE/WARNING/INFO), Chromium's switches ``--proxy-server`` and ``--host-resolver-rules``
(chromium/src, chrome/common/chrome_switches.cc and services/network/public/cpp/network_switches.cc)
and ``--print-to-pdf`` / ``--no-pdf-header-footer`` (chromium/src,
components/headless/command_handler/headless_command_switches.cc), and axe-core's API (dequelabs/axe-core, doc/API.md#results-arrays
and axe.d.ts in the pinned package: ``axe.run`` takes ``resultTypes`` and resolves to results whose
``violations`` carry an ``ImpactValue`` of minor, moderate, serious, critical or null).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sarguard.report import render
from tests.report.html_samples import hostile_report, sample

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# Every request the page could make goes to a closed port, and no name resolves.
OFFLINE_SWITCHES = ("--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                    "--host-resolver-rules=MAP * ~NOTFOUND")


def _need_browser() -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed ({CHROMIUM}); apt-get install chromium")
    if not Path(CHROMEDRIVER).is_file():
        pytest.skip(f"chromedriver is not installed ({CHROMEDRIVER}); apt-get install chromium-driver")
    pytest.importorskip("selenium", reason="Selenium is not installed (the 'dev' extra)")


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for switch in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-extensions", "--no-first-run", *OFFLINE_SWITCHES):
        options.add_argument(switch)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(60)
    browser.set_script_timeout(60)
    try:
        # And offline for the DevTools network stack as well.
        browser.execute_cdp_cmd("Network.enable", {})
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        yield browser
    finally:
        browser.quit()


def _open(driver, tmp_path: Path, html: str, name: str = "report.html") -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    driver.get_log("browser")  # drop what an earlier page logged
    driver.get(path.as_uri())
    return path


@pytest.mark.parametrize("kind", ["check", "drift", "audit"])
def test_opens_offline_without_console_error_or_remote_fetch(driver, tmp_path: Path, kind: str) -> None:
    _open(driver, tmp_path, render(sample(kind), "html"))
    assert driver.title.startswith(f"sarguard {kind} report")
    errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == []
    urls = driver.execute_script(
        "return performance.getEntries().map(e => e.name).filter(n => n.includes(':'));")
    assert urls, "the page's own navigation entry should be listed"
    assert all(u.startswith(("file:", "data:")) for u in urls), urls
    assert driver.execute_script("return document.scripts.length") == 0


@pytest.mark.parametrize("kind", ["check", "drift", "audit"])
def test_no_serious_or_critical_accessibility_violation(driver, tmp_path: Path, kind: str) -> None:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE}); run npm ci --prefix tools/axe")
    _open(driver, tmp_path, render(sample(kind), "html"))
    driver.execute_script(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.html)}))))"
        ".catch(e => done({error: String(e)}));")
    assert not isinstance(result, dict), result  # axe itself failed
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_hostile_org_strings_run_no_script(driver, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    _open(driver, tmp_path, render(hostile_report(), "html"))
    assert driver.execute_script("return window.__pwned === undefined")
    counts = driver.execute_script(
        "return [document.scripts.length, document.images.length,"
        " document.querySelectorAll('[onload],[onerror],b').length]")
    assert counts == [0, 0, 0]
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 -- raises when no alert is open
    assert "{{ 7*7 }}" in driver.find_element("tag name", "body").text


def test_chromium_prints_a_pdf(tmp_path: Path) -> None:
    _need_browser()
    page = tmp_path / "audit.html"
    page.write_text(render(sample("audit"), "html"), encoding="utf-8")
    pdf = tmp_path / "audit.pdf"
    subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", *OFFLINE_SWITCHES, "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, timeout=120, capture_output=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2  # several pages, not one blank
