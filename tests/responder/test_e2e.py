"""End to end on the emulator (loopback): a user's report travels Okta's hook to the responder,
which clears the user's sessions, resets the password through the emulator's API — visible in
the emulator's System Log as ``user.session.clear`` / ``user.account.reset_password`` — and
notifies a loopback JSON sink (Apprise ``json://``)."""

from __future__ import annotations

from tests.responder.conftest import ALICE, sqlite_url, wait_until, write_config


def test_a_report_is_answered_end_to_end(tmp_path, org, sink, start_responder) -> None:
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path))
    responder = start_responder(config)
    org.add_hook(responder.url)
    org.report(ALICE, ip="198.51.100.7", city="Lyon", country="France")
    wait_until(lambda: sink.messages)
    wait_until(lambda: responder.status()["reports"]["byOutcome"].get("done") == 1)
    assert len(org.log("user.session.clear", ALICE)) == 1
    assert len(org.log("user.account.reset_password", ALICE)) == 1
    assert org.status(ALICE) == "RECOVERY"
