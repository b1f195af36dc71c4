"""Fleets on the emulator: ``audit --orgs`` over several orgs (one failing among healthy ones),
``sarguard merge`` of shards equal to one run, the orgs file's errors, and ``--baseline`` of a
live audit."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sarguard.cli import main
from sarguard.emulator import Emulator

FLEET_KEYS = {"kind", "orgs", "summary", "exitCode"}
ORG_KEYS = {"name", "orgUrl", "exitCode", "report"}


@pytest.fixture(scope="module")
def orgs() -> Iterator[dict[str, Emulator]]:
    """Two live orgs of different seeds: one that drifted ('demo'), one healthy ('in-sync')."""
    emus = {"demo": Emulator(seed="demo"), "healthy": Emulator(seed="in-sync")}
    for emu in emus.values():
        emu.start(port=0)
    yield emus
    for emu in emus.values():
        emu.stop()


@pytest.fixture(autouse=True)
def environment(monkeypatch, orgs) -> None:
    monkeypatch.setenv("SARGUARD_NO_PROGRESS", "1")
    for name in ("OKTA_API_TOKEN", "OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY",
                 "OKTA_ORG_NAME", "OKTA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEMO_TOKEN", orgs["demo"].token)
    monkeypatch.setenv("HEALTHY_TOKEN", orgs["healthy"].token)


def dead_url() -> str:
    """A port nothing listens on (bound, then closed: connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def orgs_file(tmp_path: Path, entries: list[tuple[str, str, str]], name: str = "orgs.yaml") -> str:
    lines = ["orgs:"]
    for org, url, env in entries:
        lines += [f"- name: {org}", f"  url: {url}", f"  credentials: {{tokenEnv: {env}}}"]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run_fleet(tmp_path: Path, path: str, *extra: str, out: str = "fleet.json") -> tuple[int, dict]:
    target = tmp_path / out
    code = main(["audit", "--orgs", path, "--format", "json", "--output", str(target), *extra])
    return code, json.loads(target.read_text(encoding="utf-8"))


def test_one_failing_org_among_healthy_ones(tmp_path: Path, orgs, capsys) -> None:
    path = orgs_file(tmp_path, [("demo", orgs["demo"].url, "DEMO_TOKEN"),
                                ("healthy", orgs["healthy"].url, "HEALTHY_TOKEN"),
                                ("gone", dead_url(), "HEALTHY_TOKEN")])
    code, fleet = run_fleet(tmp_path, path, "--org-concurrency", "2")
    assert code == 2 and fleet["exitCode"] == 2
    assert set(fleet) == FLEET_KEYS and fleet["kind"] == "fleet"
    assert all(set(o) == ORG_KEYS for o in fleet["orgs"])
    assert [(o["name"], o["exitCode"]) for o in fleet["orgs"]] == [("demo", 1), ("healthy", 0),
                                                                    ("gone", 2)]
    demo, healthy, gone = (o["report"] for o in fleet["orgs"])
    assert demo["kind"] == healthy["kind"] == gone["kind"] == "audit"
    assert demo["completed"] and healthy["completed"] and not gone["completed"]
    assert {f["status"] for f in healthy["findings"]} <= {"pass", "not_applicable"}
    assert healthy["orgUrl"] == orgs["healthy"].url
    assert "could not reach" in gone["errors"][0]["message"] and gone["findings"] == []
    assert fleet["summary"]["orgs"] == 3
    assert (fleet["summary"]["passed"], fleet["summary"]["failed"],
            fleet["summary"]["couldNotRun"]) == (1, 1, 1)
    assert "sarguard audit: org gone: error: could not reach" in capsys.readouterr().err


def test_an_org_refusing_its_credential_is_that_orgs_exit_2(tmp_path: Path, orgs, monkeypatch,
                                                            capsys) -> None:
    monkeypatch.setenv("EMEA_CRED", "x" * 40)  # a name that does not say it holds a credential
    path = orgs_file(tmp_path, [("refused", orgs["demo"].url, "EMEA_CRED"),
                                ("healthy", orgs["healthy"].url, "HEALTHY_TOKEN"),
                                ("unset", orgs["healthy"].url, "NOT_SET_ANYWHERE")])
    code, fleet = run_fleet(tmp_path, path)
    assert code == 2
    assert [o["exitCode"] for o in fleet["orgs"]] == [2, 0, 2]
    from sarguard.util.redaction import redact

    assert redact("x" * 40) == "***"  # whatever the variable is called, its value is redacted
    unset = fleet["orgs"][2]["report"]["errors"][0]["message"]
    assert "NOT_SET_ANYWHERE" in unset and "not set" in unset
    text = json.dumps(fleet) + capsys.readouterr().err
    assert "x" * 40 not in text and orgs["healthy"].token not in text
    assert "check that EMEA_CRED is a current token" in text  # the org's own variable


TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def _comparable(fleet: dict) -> dict:
    """What two runs over the same orgs share: measured values (timings, the rate budget left)
    and the clock-relative System Log window (``--since 30d`` ends now) aside."""
    for org in fleet["orgs"]:
        org["report"].pop("timings", None)
        org["report"].pop("evidence", None)
    return json.loads(TIME.sub("<time>", json.dumps(fleet)))


def _write(path: Path, data: dict) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_merge_of_shards_equals_one_run(tmp_path: Path, orgs) -> None:
    entries = [("demo", orgs["demo"].url, "DEMO_TOKEN"),
               ("healthy", orgs["healthy"].url, "HEALTHY_TOKEN")]
    _, whole = run_fleet(tmp_path, orgs_file(tmp_path, entries), out="whole.json")
    # Exactly: the one run's orgs, split into shards (fleet reports) and merged back.
    split = [_write(tmp_path / f"split{i}.json", {**whole, "orgs": [org]})
             for i, org in enumerate(whole["orgs"])]
    merged_path = tmp_path / "merged.json"
    assert main(["merge", *split, "--output", str(merged_path)]) == 1
    assert json.loads(merged_path.read_text(encoding="utf-8")) == whole
    # And the shards run on their own (as a CI matrix would), then merged: the same report but
    # for what each run measures.
    shards = []
    for i, entry in enumerate(entries):
        shard = orgs_file(tmp_path, [entry], name=f"shard{i}.yaml")
        run_fleet(tmp_path, shard, out=f"shard{i}.json")
        shards.append(str(tmp_path / f"shard{i}.json"))
    assert main(["merge", *shards, "--output", str(merged_path)]) == 1
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    assert _comparable(merged) == _comparable(whole)


def test_merge_takes_plain_audit_reports_and_refuses_an_org_twice(tmp_path: Path, orgs,
                                                                  monkeypatch, capsys) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", orgs["healthy"].token)
    one = tmp_path / "one.json"
    assert main(["audit", "--org-url", orgs["healthy"].url, "--format", "json",
                 "--output", str(one)]) == 0
    out = tmp_path / "merged.md"
    assert main(["merge", str(one), "--format", "markdown", "--output", str(out)]) == 0
    assert orgs["healthy"].url.split(":")[-1] in out.read_text(encoding="utf-8")  # named by host:port
    assert main(["merge", str(one), str(one)]) == 2
    assert "each org may appear once in a fleet" in capsys.readouterr().err


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and values.get("href", "").startswith("#"):
            self.hrefs.append(values["href"][1:])


def test_fleet_html_links_every_cell_to_its_orgs_section(tmp_path: Path, orgs) -> None:
    path = orgs_file(tmp_path, [("demo", orgs["demo"].url, "DEMO_TOKEN"),
                                ("healthy", orgs["healthy"].url, "HEALTHY_TOKEN")])
    html = tmp_path / "fleet.html"
    md = tmp_path / "fleet.md"
    code = main(["audit", "--orgs", path, "--format", "html", "--output", str(html),
                 "--also", f"markdown={md}"])
    assert code == 1
    links = _Links()
    links.feed(html.read_text(encoding="utf-8"))
    assert {"org-1", "org-2"} <= links.ids
    assert len(links.hrefs) >= 2 * 12 and set(links.hrefs) <= links.ids
    assert "| demo | 1 |" in md.read_text(encoding="utf-8")


@pytest.mark.parametrize(("content", "expected"), [
    ("orgs:\n- name: a\n  url: https://a.okta.com\n  credentials: {tokenEnv: A}\n  polcyConfig: x\n",
     ":5: orgs[0].polcyConfig: unknown key; did you mean 'policyConfig'?"),
    ("orgs:\n- name: a\n  url: https://a.okta.com\n  credentials: {token: 00abc}\n",
     ":4: orgs[0].credentials: expected {tokenEnv: NAME} or {clientIdEnv"),
    ("orgs:\n- name: a\n  url: https://a.okta.com\n  credentials: &c {tokenEnv: A}\n"
     "- name: b\n  url: https://b.okta.com\n  credentials: *c\n",
     "YAML aliases (*name) are not allowed in the orgs file"),
    ("orgs:\n- name: a\n  url: https://a.okta.com\n  credentials: {tokenEnv: A}\n"
     "- name: a\n  url: https://b.okta.com\n  credentials: {tokenEnv: B}\n",
     ":5: orgs[1].name: 'a' is already the name of orgs[0]"),
    ("orgs: []\n", "orgs: expected at least 1 item(s)"),
])
def test_orgs_file_errors_name_the_line(tmp_path: Path, content: str, expected: str,
                                        capsys) -> None:
    path = tmp_path / "orgs.yaml"
    path.write_text(content, encoding="utf-8")
    assert main(["audit", "--orgs", str(path)]) == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("flags", [["--org-url", "https://a.okta.com"], ["--format", "sarif"],
                                   ["--also", "junit=JUNIT"]])
def test_orgs_refuses_what_a_fleet_cannot_do(tmp_path: Path, flags: list[str], capsys) -> None:
    path = orgs_file(tmp_path, [("a", "https://a.okta.com", "A")])
    flags = [f.replace("JUNIT", str(tmp_path / "x.xml")) for f in flags]
    assert main(["audit", "--orgs", path, *flags]) == 2
    assert "sarguard audit: error:" in capsys.readouterr().err


def test_baseline_of_a_live_audit(tmp_path: Path, orgs, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", orgs["demo"].token)
    first = tmp_path / "first.json"
    org = ["--org-url", orgs["demo"].url]
    assert main(["audit", *org, "--format", "json", "--output", str(first)]) == 1
    again = tmp_path / "again.json"
    assert main(["audit", *org, "--baseline", str(first), "--format", "json",
                 "--output", str(again)]) == 0
    data = json.loads(again.read_text(encoding="utf-8"))
    before = json.loads(first.read_text(encoding="utf-8"))
    assert data["summary"]["failed"] == 0
    assert data["summary"]["baselined"] == before["summary"]["failed"] > 0
    assert main(["diff", str(first), str(again)]) == 0
    capsys.readouterr()
    assert main(["drift", "--stack", "demo", *org, "--baseline", str(first),
                 "--project-dir", str(Path(__file__).parents[2])]) == 2
    assert "is a audit report; --baseline of `sarguard drift`" in capsys.readouterr().err


def test_an_unusable_baseline_stops_check_before_anything_is_evaluated(tmp_path: Path,
                                                                       capsys) -> None:
    old = tmp_path / "old.json"
    old.write_text('{"kind": "check", "findings": [{"control": "SAR-01", "status": "fail"}]}')
    out = tmp_path / "report.json"
    assert main(["check", "--stack", "demo", "--project-dir", str(Path(__file__).parents[2]),
                 "--baseline", str(old), "--format", "json", "--output", str(out)]) == 2
    assert "has no fingerprint: the report was written by an older sarguard" in \
        capsys.readouterr().err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["completed"] is False and report["findings"] == []
    assert "older sarguard" in report["errors"][0]["message"]


def test_an_org_that_times_out_is_that_orgs_exit_2(tmp_path: Path, orgs, monkeypatch) -> None:
    slow = Emulator(seed="in-sync", latency_ms=3000)  # every answer later than --timeout
    slow.start(port=0)
    try:
        monkeypatch.setenv("SLOW_TOKEN", slow.token)
        path = orgs_file(tmp_path, [("slow", slow.url, "SLOW_TOKEN"),
                                    ("healthy", orgs["healthy"].url, "HEALTHY_TOKEN")])
        code, fleet = run_fleet(tmp_path, path, "--timeout", "0.3")
    finally:
        slow.stop()
    assert code == 2
    assert [o["exitCode"] for o in fleet["orgs"]] == [2, 0]
    message = fleet["orgs"][0]["report"]["errors"][0]["message"]
    assert slow.url in message and "no complete answer within 0.3 s (--timeout)" in message
