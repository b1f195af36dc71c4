"""The SOC hears first, on the emulator (issue 20 item 2): with a credential Okta refuses, the
first notification still goes out within seconds (timeline: unavailable, and why), the refusal is
announced once for the outage, a late follow-up says what is still not done, and the recovery is
announced when Okta accepts the credential again. Item 5 end to end: a hostile name reaches the
SOC's sink inert."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.responder.harness import deliver
from tests.responder.conftest import ALICE, SECRET, USERS, sqlite_url, wait_until, write_config
from tests.responder.test_app import report_event

LATE_TOKEN = "a-token-okta-does-not-know-yet-0123456789"


def _titles(sink) -> list[str]:
    return [m["title"] for m in sink.messages]


def test_a_refused_credential_is_announced_and_the_first_message_still_goes(
        tmp_path: Path, org, sink, start_responder, monkeypatch) -> None:
    monkeypatch.setenv("OKTA_API_TOKEN", LATE_TOKEN)
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path), actions="""\
  - clearSessions: {}
  - notify: {urls: ["${SINK_URL}"], followUpAfter: 3s}
""")
    responder = start_responder(config)
    started = time.monotonic()
    assert deliver(responder.url, [report_event("refused-1", ALICE)], SECRET) == 204
    assert deliver(responder.url, [report_event("refused-2", USERS[2]["id"])], SECRET) == 204
    wait_until(lambda: sum(t.startswith("Suspicious activity reported by") for t in _titles(sink))
               == 2, timeout=30)
    assert time.monotonic() - started < 15  # within seconds, not after giveUpAfter
    first = next(m for m in sink.messages if m["title"].startswith("Suspicious activity"))
    assert "Timeline: unavailable (" in first["message"]
    refused = [t for t in _titles(sink) if "cannot act" in t]
    assert len(refused) == 1, _titles(sink)  # once per outage, however many actions fail
    assert refused[0].startswith("ACTION NEEDED: the responder cannot act: Okta refused its "
                                 "credential; ")
    wait_until(lambda: any(t.startswith("STILL NOT DONE after 3s: clearSessions")
                           for t in _titles(sink)), timeout=30)
    org.emu.state.tokens[LATE_TOKEN] = USERS[0]["id"]  # an admin fixes the credential
    wait_until(lambda: any(t.startswith("The responder can act again") for t in _titles(sink)),
               timeout=60)
    wait_until(lambda: len(org.log("user.session.clear", ALICE)) == 1, timeout=60)
    assert sum("cannot act" in t for t in _titles(sink)) == 1
