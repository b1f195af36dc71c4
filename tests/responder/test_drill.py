"""``sarguard drill`` against the responder: DRILL-01..04 pass (DRILL-05 has no certificate to
judge on loopback http), and the drill is recorded,
marked, and never acted on (no Okta call, no notification)."""

from __future__ import annotations

import json

from sarguard.cli import main
from tests.responder.conftest import sqlite_url, wait_until, write_config


def test_drill_passes_every_step_against_the_responder(tmp_path, org, sink, start_responder,
                                                       capsys) -> None:
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path))
    responder = start_responder(config)
    before = len(org.emu.requests)
    code = main(["drill", "--url", responder.url, "--auth-header", "Authorization",
                 "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert {f["control"]: f["status"] for f in report["findings"]} == {
        **{f"DRILL-0{n}": "pass" for n in range(1, 5)},
        "DRILL-05": "not_applicable"}  # plain http to loopback: no certificate to judge
    wait_until(lambda: responder.status()["reports"]["total"] == 1)
    status = responder.status()
    assert status["reports"]["byDisposition"] == {"drill": 1}
    assert status["recent"][0]["actions"] == []
    assert status["deliveries"]["received"] == 2  # the delivery and the redelivery, once stored
    assert status["events"]["delivered"] == 1
    # Nothing reached Okta but (perhaps) the start-up credential check; nothing was notified.
    assert [r.path for r in org.emu.requests[before:] if r.path != "/api/v1/users/me"] == []
    assert sink.messages == []
