"""Issue 19 §1: every run ends by its ``--deadline``, with its reports written.

Two hostile servers held ``drift`` for about half an hour each: one whose every answer says the
bucket is empty (``X-Rate-Limit-Remaining: 0``, reset 60 s ahead — each wait within
``--max-wait``), and one whose brand list never ends under a paced budget. These cases run with
the *real* clock, sleep and pacing (the suite's virtual clock is taken out of the client, and the
hostile server sends real ``X-Rate-Limit-*`` headers and 429s), so "ends by its deadline" is
measured in real seconds. A small ``--deadline`` keeps them short; the hang guard is generous.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.reliability import hostile, matrix
from tests.reliability.checks import assert_no_traceback
from tests.reliability.cliresult import CliRun
from tests.reliability.harness import LiveHarness

DEADLINE_S = 3.0
SLACK_S = 5.0  # reading stops at the deadline; evaluating and writing six reports take < 1 s
# (generous for a loaded machine: without the deadline these runs take minutes or never end)
HANG_GUARD_S = 120.0  # only catches a hang
ALSO = ("text", "sarif", "junit", "markdown", "github")
DEADLINE = "the run's deadline passed while reading "


def _real_pacing(live: LiveHarness) -> None:
    """The client's own clock and sleep: waits for rate-limit windows are real waits."""
    for name in ("clock", "sleep"):
        live.overrides.pop(name, None)


def _exact(path: str, behaviour: hostile.Behaviour) -> hostile.Behaviour:
    def behave(req: hostile.Req, forward: hostile.Forward, server: hostile.HostileServer):
        return behaviour(req, forward, server) if req.path == path else forward(req)

    return behave


def _timed(live: LiveHarness, call) -> tuple[CliRun, float]:
    started = time.monotonic()
    run = live.bounded(HANG_GUARD_S, call)
    return run, time.monotonic() - started


SERVERS: dict[str, tuple[object, str]] = {
    # Every answer: the bucket is spent until a reset 60 s ahead.
    "deadline: bucket always empty": (lambda: hostile.bucket_always_empty(60), "/"),
    # A brand list whose every page links to another, under Okta's pacing. At 600 calls a
    # minute (the measurement: paced at 50% the 10,000-page cap took ~33 minutes) the
    # brands' own cap (5 pages) ends it; at 10 a minute (this run's share: 5) the budget runs out
    # first and the next window is past the deadline.
    "deadline: brands never end, paced": (
        lambda: hostile.paced(600, _exact("/api/v1/brands", hostile.endless_pages())), "/"),
    "deadline: brands never end, tight budget": (
        lambda: hostile.paced(10, _exact("/api/v1/brands", hostile.endless_pages())), "/"),
    # A System Log whose pages never end, each 0.2 s in coming, under a generous budget: only
    # the deadline ends it (the client's own cap is 10,000 pages).
    "deadline: System Log never ends, slow": (
        lambda: hostile.paced(600, hostile.endless_pages(), delay=0.2), "/api/v1/logs"),
}


def _server(live: LiveHarness, row: str) -> hostile.HostileServer:
    make, prefix = SERVERS[row]
    return live.hostile(live.emulator("in-sync"), make(), prefix)  # type: ignore[operator]


@pytest.mark.parametrize("row", list(SERVERS))
def test_drift_ends_by_its_deadline_with_every_report_written(live, record_hostile, tmp_path: Path,
                                                              row: str) -> None:
    live.memoize_declared()
    _real_pacing(live)
    server = _server(live, row)
    files = [tmp_path / f"report.{fmt}" for fmt in ALSO]
    also = [arg for fmt, path in zip(ALSO, files, strict=True) for arg in ("--also", f"{fmt}={path}")]
    run, took = _timed(live, lambda: live.drift(server, "--deadline", f"{DEADLINE_S:g}", *also))
    record_hostile("drift", row, matrix.FAIL_CLOSED)

    assert not server.errors, server.errors
    assert server.hits, "the hostile behaviour was never exercised"
    assert_no_traceback(run)
    assert took < DEADLINE_S + SLACK_S, f"the run took {took:.1f} s with --deadline {DEADLINE_S:g}"
    assert run.code == 2 and run.report is not None, (run.code, run.err)
    assert all(p.exists() and p.stat().st_size > 0 for p in files), "every report is written"
    assert run.report["completed"] is False
    reasons = {u["resource"]: u["reason"] for u in run.unread}
    if row == "deadline: bucket always empty":
        # Everything after each bucket's first answer would have waited a minute: not started.
        assert {"brands", "eventHooks", "threatInsight", "systemLog"} <= set(reasons), reasons
        assert all(DEADLINE in r for r in reasons.values()), reasons
        assert "waiting" not in reasons["brands"]  # the reader's own words, with what it read
    elif row == "deadline: brands never end, paced":
        # The brand list stops at its family cap; everything else is read.
        assert reasons["brands"] == ("cannot read the brands: GET /api/v1/brands: pagination did "
                                     "not end after 5 pages (more than this list can hold in an "
                                     "Okta org); stopping"), reasons
        assert not any(DEADLINE in r for r in reasons.values()), reasons
        assert len([h for h in server.hits if h.startswith("/api/v1/brands?")]) == 5
    elif row == "deadline: brands never end, tight budget":
        # The budget runs out while the brands are read; the next window is past the deadline.
        assert DEADLINE in reasons["brands"], reasons
        assert all(DEADLINE in r for r in reasons.values()), reasons
    else:
        assert reasons == {"systemLog": f"{DEADLINE}the System Log (--deadline {DEADLINE_S:g} s)"}
        assert len(server.hits) > 3, "the log was read until the deadline"
    texts = {p.name: p.read_text("utf-8") for p in files}
    if any(DEADLINE in r for r in reasons.values()):
        assert "deadline passed" in texts["report.text"] and "deadline passed" in texts["report.markdown"]


def test_an_ignore_file_cannot_accept_what_the_deadline_left_unread(live, tmp_path: Path) -> None:
    """The run did not finish: evidence the deadline left unread is not a known gap."""
    live.memoize_declared()
    _real_pacing(live)
    server = _server(live, "deadline: System Log never ends, slow")
    ignores = tmp_path / "ignore.yaml"
    ignores.write_text("- resource: systemLog\n  reason: we accept no System Log\n")
    run, took = _timed(live, lambda: live.drift(server, "--deadline", f"{DEADLINE_S:g}",
                                                "--ignore", str(ignores)))
    assert run.code == 2, (run.code, run.unread)
    assert [u["ignored"] for u in run.unread if u["resource"] == "systemLog"] == [False]
    assert any("--deadline passed" in w for w in run.report["warnings"]), run.report["warnings"]


def test_audit_ends_by_its_deadline(live, record_hostile) -> None:
    _real_pacing(live)
    server = _server(live, "deadline: bucket always empty")
    run, took = _timed(live, lambda: live.run("audit", "--org-url", server.url, "--format", "json",
                                              "--deadline", f"{DEADLINE_S:g}"))
    record_hostile("audit", "deadline: bucket always empty", matrix.FAIL_CLOSED)
    assert_no_traceback(run)
    assert took < DEADLINE_S + SLACK_S and run.code == 2, (took, run.code, run.err)
    assert run.unread and all(u["reason"].startswith(DEADLINE) for u in run.unread), run.unread


def test_import_at_its_deadline_writes_nothing(live, record_hostile, tmp_path: Path) -> None:
    _real_pacing(live)
    server = _server(live, "deadline: bucket always empty")
    project = tmp_path / "adopted"
    project.mkdir()
    shutil.copy(REPO_ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    run, took = _timed(live, lambda: live.run("import", "--stack", "late", "--org-url", server.url,
                                              "--project-dir", str(project),
                                              "--deadline", f"{DEADLINE_S:g}"))
    record_hostile("import", "deadline: bucket always empty", matrix.FATAL)
    assert_no_traceback(run)
    assert took < DEADLINE_S + SLACK_S and run.code == 2, (took, run.code, run.err)
    assert f"the run's deadline (--deadline {DEADLINE_S:g} s) passed" in run.err, run.err
    assert sorted(p.name for p in project.iterdir()) == ["Pulumi.yaml"], "nothing is written"


@pytest.mark.parametrize("command", ["reports", "investigate"])
def test_log_commands_write_their_partial_answer_at_the_deadline(live, record_hostile,
                                                                 tmp_path: Path, command: str) -> None:
    """``reports`` and ``investigate`` end at the deadline with what they read, the System Log
    named ``unread``, and exit 2."""
    _real_pacing(live)
    server = _server(live, "deadline: System Log never ends, slow")
    out = tmp_path / "answer.json"
    subject = ["--user", "alice.nguyen@example.com", "--scope", "all"] if command == "investigate" else []
    run, took = _timed(live, lambda: live.run(command, *subject, "--org-url", server.url,
                                              "--format", "json", "--output", str(out),
                                              "--deadline", f"{DEADLINE_S:g}"))
    record_hostile(command, "deadline: System Log never ends, slow", matrix.FAIL_CLOSED)
    assert_no_traceback(run)
    assert took < DEADLINE_S + SLACK_S and run.code == 2, (took, run.code, run.err)
    assert out.exists(), (run.code, run.err)
    answer = json.loads(out.read_text("utf-8"))
    assert answer["unread"] == [{"resource": "systemLog",
                                 "reason": f"{DEADLINE}the System Log (--deadline {DEADLINE_S:g} s)"}]
    if command == "investigate":  # --user took a login: one lookup, said in the answer
        assert answer["user"] == {"login": "alice.nguyen@example.com", "id": "00u1alice0000demo002"}


@pytest.mark.parametrize("value", ["0", "-5", "soon", "inf"])
def test_the_deadline_must_be_a_positive_number_of_seconds(live, value: str) -> None:
    with pytest.raises(SystemExit) as info:
        live.run("audit", "--deadline", value)
    assert info.value.code == 2
    assert "--deadline" in live.capsys.readouterr().err


def test_reports_as_text_ends_with_what_was_left_unread(live, tmp_path: Path) -> None:
    _real_pacing(live)
    server = _server(live, "deadline: System Log never ends, slow")
    out = tmp_path / "answer.txt"
    run, took = _timed(live, lambda: live.run("reports", "--org-url", server.url, "--output",
                                              str(out), "--deadline", f"{DEADLINE_S:g}"))
    assert took < DEADLINE_S + SLACK_S and run.code == 2, (took, run.code, run.err)
    text = out.read_text("utf-8")
    assert text.endswith("unread (this answer is partial): the run's deadline passed while "
                         f"reading the System Log (--deadline {DEADLINE_S:g} s)\n"), text
