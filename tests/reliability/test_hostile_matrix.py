"""``sarguard drift`` against a hostile server (``hostile.py``), one case per issue-11 item.

Every case: a bounded run (a generous hang guard is the only timing assertion), exit 2 with the
affected controls ``not_evaluated`` and their evidence ``unread`` for a stated reason (or the
correct report, or one clear fatal error), no traceback, and no credential the run held — the
SSWS token, the OAuth private key, client assertions, DPoP proofs, access tokens — in stdout,
stderr or any of the six report formats written with ``--also``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability import baselines, hostile, matrix
from tests.reliability.checks import (
    assert_fail_closed,
    assert_fatal,
    assert_no_traceback,
    assert_recovered,
)
from tests.reliability.cliresult import CliRun, triples
from tests.reliability.families import BY_NAME, FAMILIES, READ_SCOPES
from tests.reliability.harness import OAuthApp
from tests.reliability.hostile_cases import CASES, PREFIXES, Case

OUTCOME = {"fail closed": matrix.FAIL_CLOSED, "bucket": matrix.FAIL_CLOSED,
           "recovered": matrix.RECOVERED, "fatal": matrix.FATAL}
ALSO = ("text", "sarif", "junit", "markdown", "github")
HANG_GUARD_S = 120.0  # each case takes well under 2 s; this only catches a hang
V1_BUCKET = frozenset().union(*(f.controls for f in FAMILIES
                                if f.prefix.startswith("/api/v1/") and f.name != "systemLog"))


def _only(path: str | None, behaviour: hostile.Behaviour) -> hostile.Behaviour:
    if path is None:
        return behaviour

    def behave(req: hostile.Req, forward: hostile.Forward, server: hostile.HostileServer):
        return behaviour(req, forward, server) if req.path == path else forward(req)

    return behave


def _params() -> list:
    return [pytest.param(case, target, id=f"{case.row}-{target}")
            for case in CASES for target in case.targets]


def _secrets(emu_token: str, server: hostile.HostileServer, app: OAuthApp | None) -> set[str]:
    values = {emu_token} | server.seen_credentials
    if app is not None:
        values |= {app.pem} | {line for line in app.pem.splitlines() if "-----" not in line}
    return {v for v in values if v and len(v) >= 16}


def _assert_no_secret(run: CliRun, files: list[Path], secrets: set[str]) -> None:
    texts = {"stdout": run.out, "stderr": run.err} | {p.name: p.read_text("utf-8")
                                                      for p in files if p.exists()}
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a credential reached {where}"


@pytest.mark.parametrize(("case", "target"), _params())
def test_hostile_server(live, record_hostile, tmp_path: Path, case: Case, target: str) -> None:
    live.memoize_declared()
    base = baselines.oauth_drift(live) if case.oauth else baselines.ssws_drift(live)
    emu = live.emulator("in-sync")
    # A DPoP-bound service app: its baseline conclusions are the Bearer app's (internal unread).
    app = live.oauth(emu, READ_SCOPES, dpop=True) if case.oauth else None
    server = live.hostile(emu, _only(case.only_path, case.behaviour()), PREFIXES[target])
    live.overrides.update(case.overrides)
    files = [tmp_path / f"report.{fmt}" for fmt in ALSO]
    also = [arg for fmt, path in zip(ALSO, files, strict=True) for arg in ("--also", f"{fmt}={path}")]
    run = live.bounded(HANG_GUARD_S, lambda: live.drift(server, *also, timeout=case.timeout))
    record_hostile(target, case.row, OUTCOME[case.expect])

    assert not server.errors, server.errors
    assert_no_traceback(run)
    assert server.hits, "the hostile behaviour was never exercised"
    _assert_no_secret(run, files, _secrets(emu.token, server, app))
    if case.expect == "fatal":
        assert_fatal(run, "drift", case.reason)
        return
    if case.expect == "recovered":
        assert_recovered(run, base)
        assert any("Date header is" in w for w in run.report["warnings"]), run.report["warnings"]
        return
    assert all(p.exists() for p in files), "every requested report file is written"
    family = BY_NAME[target]
    if case.expect == "bucket":
        _assert_bucket_refused(run, base, family, case.reason)
        return
    also_not_evaluated = BY_NAME["internal"].controls if case.oauth else frozenset()
    also_unread = ("securityNotificationEmails",) if case.oauth else ()
    assert_fail_closed(run, base, family, also_not_evaluated=also_not_evaluated,
                       also_unread=also_unread)
    own = [u for u in run.unread if family.unread_ok(u["resource"])]
    assert own and any(case.reason in u["reason"] for u in own), own
    if case.row == "400 MB body":
        # Stopped at the cap while streaming: bytes read, not the 400 MB sent.
        assert run.api["bytes_received"] <= 64 * 1024 * 1024 + 2 * 1024 * 1024, run.api
        assert server.bytes_written < 100 * 1024 * 1024, server.bytes_written


def _assert_bucket_refused(run: CliRun, base: CliRun, family, reason: str) -> None:
    """One 429 that says "come back in a year" marks the whole ``/api/v1`` bucket spent: the
    family and whatever else still needed that bucket are unread (never slept on); evidence
    from other buckets (the internal endpoint, the System Log) is judged as before."""
    assert run.code == 2, (run.code, run.err)
    assert family.controls <= run.not_evaluated <= V1_BUCKET, run.not_evaluated
    assert run.unread and all(reason in u["reason"] for u in run.unread), [u for u in run.unread if reason not in u["reason"]]
    outside = {t for t in triples(base) if t[0] not in V1_BUCKET}
    assert outside and outside <= triples(run), sorted(outside - triples(run))


def test_a_star_localhost_org_url_is_refused(live, record_hostile) -> None:
    """``*.localhost`` names go to the system resolver: plain http only for loopback literals."""
    emu = live.emulator("in-sync")
    port = emu.url.rsplit(":", 1)[1]
    run = live.run("drift", "--stack", "demo", "--org-url", f"http://sarguard.localhost:{port}",
                   "--format", "json", "--project-dir", str(Path(__file__).parents[2]))
    record_hostile("drift", "*.localhost org URL", matrix.FATAL)
    assert_no_traceback(run)
    assert run.code == 2 and "plain http is only allowed for loopback hosts" in run.err, run.err
    assert emu.token not in run.out + run.err
    assert not emu.requests, "nothing may be sent to a name the resolver decides"


def test_max_wait_flag_sets_the_bound(live) -> None:
    """``--max-wait 10``: a 30 s reset is already too long; ``--max-wait 60`` waits it out (on
    the virtual clock) and reads everything."""
    live.memoize_declared()
    base = baselines.ssws_drift(live)
    emu = live.emulator("in-sync")
    server = live.hostile(emu, hostile.rate_limited(30, once=True), BY_NAME["systemLog"].prefix)
    run = live.drift(server, "--max-wait", "10")
    assert_fail_closed(run, base, BY_NAME["systemLog"])
    assert all("more than --max-wait (10 s)" in u["reason"] for u in run.unread), run.unread
    server.state.clear()
    waited = live.drift(server, "--max-wait", "60")
    assert_recovered(waited, base)
    assert 31.0 in live.clock.sleeps


@pytest.mark.parametrize("value", ["-1", "soon", "inf"])
def test_max_wait_must_be_a_number_of_seconds(live, value: str) -> None:
    with pytest.raises(SystemExit) as info:
        live.run("drift", "--stack", "demo", "--max-wait", value)
    assert info.value.code == 2
    assert "--max-wait" in live.capsys.readouterr().err


@pytest.mark.parametrize("command", ["audit", "import"])
def test_a_brand_with_the_id_default_is_refused_by_every_command_that_reads_brands(
        live, record_hostile, tmp_path: Path, command: str) -> None:
    """Issue 19 §3 beyond drift (a matrix row above): ``audit`` leaves the brands unread and
    exits 2; ``import`` refuses the org, naming the brand, and writes nothing — it would
    otherwise declare the impostor as the default brand."""
    import shutil

    from tests.conftest import REPO_ROOT
    from tests.reliability.hostile_cases import _impostor

    emu = live.emulator("in-sync")
    server = live.hostile(emu, _only("/api/v1/brands", hostile.reshape(_impostor)), "/api/v1/brands")
    if command == "audit":
        run = live.run("audit", "--org-url", server.url, "--format", "json")
    else:
        project = tmp_path / "adopted"
        project.mkdir()
        shutil.copy(REPO_ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
        run = live.run("import", "--stack", "imp", "--org-url", server.url, "--project-dir",
                       str(project))
        assert sorted(p.name for p in project.iterdir()) == ["Pulumi.yaml"], "nothing written"
    record_hostile(command, "a non-default brand with id 'default'",
                   matrix.FAIL_CLOSED if command == "audit" else matrix.FATAL)
    assert_no_traceback(run)
    assert run.code == 2, (run.code, run.err)
    named = "the non-default brand 'Impostor Co' has the id 'default'"
    if command == "audit":
        brands = [u for u in run.unread if u["resource"] == "brands"]
        assert brands and named in brands[0]["reason"], run.unread
        assert {"SAR-03", "SAR-04", "SAR-09"} <= run.not_evaluated
    else:
        assert named in run.err, run.err
