"""End to end on the emulator (loopback): a user's report travels Okta's hook to the responder,
which clears the user's sessions, resets the password through the emulator's API — visible in
the emulator's System Log as ``user.session.clear`` / ``user.account.reset_password`` — and
notifies a loopback JSON sink (Apprise ``json://``). Then the ways it can go otherwise:
redelivery, batches, excluded users, cooldown, dry run, Okta's 429/5xx, unknown users, drills,
and a hook that drops deliveries (reconciliation from the System Log).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.responder.harness import deliver
from sarguard.eventhooks import build_drill_event
from sarguard.model import REPORT_EVENT
from tests.responder.conftest import (
    ACTIONS,
    ALICE,
    BOB,
    BREAKGLASS,
    CAROL,
    SECRET,
    sqlite_url,
    wait_until,
    write_config,
)
from tests.responder.test_app import report_event


def _config(tmp_path: Path, org, extra: str = "", **kw) -> Path:
    return write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                        database=sqlite_url(tmp_path), extra=extra, **kw)


def post_delivery(responder, events: list[dict], event_id: str | None = None) -> int:
    return deliver(responder.url, events, SECRET, event_id=event_id)


def finished(responder, count: int):
    def check():
        outcomes = responder.status()["reports"]["byOutcome"]
        return sum(v for k, v in outcomes.items() if k != "pending") >= count and \
            "pending" not in outcomes
    return check


def test_a_report_is_answered_end_to_end(tmp_path, org, sink, start_responder) -> None:
    responder = start_responder(_config(tmp_path, org, actions=ACTIONS.replace(
        'notify: {urls: ["${SINK_URL}"]}', 'notify: {urls: ["${SINK_URL}"], onDone: true}')))
    org.add_hook(responder.url)
    written = org.report(ALICE, ip="198.51.100.7", city="Lyon", country="France")
    wait_until(finished(responder, 1))
    assert len(org.log("user.session.clear", ALICE)) == 1
    assert len(org.log("user.account.reset_password", ALICE)) == 1
    assert org.status(ALICE) == "RECOVERY"
    # The SOC hears first (who, what, where, the timeline), then what was done (onDone).
    first, done = sink.messages
    text = first["message"]
    assert first["title"] == "Suspicious activity reported by Alice Nguyen / alice@acme.test " \
                             "(00u1respAlice0000001)"
    # the report names the new sign-on email's send event (issue 20 §12), not the sign-in
    assert "Reported activity: system.email.new_device_notification.sent_message" in text
    assert "From: 198.51.100.7, Lyon, France" in text
    assert f"{org.emu.url}/admin/user/profile/view/{ALICE}" in text
    assert f"{org.emu.url}/report/system_log_2?search=" in text
    assert "Timeline (System Log since" in text and "user.session.start SUCCESS" in text
    assert done["title"] == "Done: the response to Alice Nguyen / alice@acme.test " \
                            "(00u1respAlice0000001)'s report"
    assert "clearSessions: sessions cleared, OAuth tokens revoked" in done["message"]
    assert "resetPassword: password reset (the user was emailed a reset link)" in done["message"]
    assert "User status now: RECOVERY" in done["message"]
    status = responder.status()
    assert status["reports"]["byOrigin"] == {"delivery": 1, "reconciled": 0}
    assert status["recent"][0]["eventId"] == written["reportEvent"]
    assert [a["status"] for a in status["recent"][0]["actions"]] == [
        "done", "done", "done", "skipped", "done"]


def test_redeliveries_and_batches_are_answered_once_per_report(tmp_path, org, sink,
                                                               start_responder) -> None:
    responder = start_responder(_config(tmp_path, org))
    events = [report_event(f"batch-{n}", user) for n, user in enumerate((ALICE, BOB, CAROL))]
    assert post_delivery(responder, events, "evt-1") == 204
    assert post_delivery(responder, events, "evt-1") == 204  # Okta's retry after a lost answer
    assert post_delivery(responder, events[:1], "evt-2") == 204
    wait_until(finished(responder, 3))
    for user in (ALICE, BOB, CAROL):
        assert len(org.log("user.account.reset_password", user)) == 1
    assert len(sink.messages) == 3
    assert responder.status()["deliveries"] == {
        "received": 3, "events": 7, "newEvents": 3, "last": responder.status()["deliveries"]["last"]}


def test_the_emulators_batch_of_activity_and_report_is_one_response(tmp_path, org, sink,
                                                                   start_responder) -> None:
    responder = start_responder(_config(tmp_path, org))
    hook = org.add_hook(responder.url)
    body = org.api.get(f"/api/v1/eventHooks/{hook}").json()
    body["events"]["items"] = [REPORT_EVENT, "user.session.start"]
    org.api.put(f"/api/v1/eventHooks/{hook}", json=body).raise_for_status()
    org.api.post(f"/api/v1/eventHooks/{hook}/lifecycle/verify").raise_for_status()
    org.report(BOB)
    wait_until(finished(responder, 1))
    status = responder.status()
    assert status["deliveries"]["events"] == 2 and status["reports"]["total"] == 1
    assert len(org.log("user.account.reset_password", BOB)) == 1


def test_excluded_users_are_notified_never_acted_on(tmp_path, org, sink, start_responder) -> None:
    responder = start_responder(_config(
        tmp_path, org, 'exclude: {logins: ["breakglass-*@acme.test"]}\n'))
    org.add_hook(responder.url)
    org.report(BREAKGLASS)
    wait_until(finished(responder, 1))
    assert org.log("user.session.clear", BREAKGLASS) == []
    assert org.log("user.account.reset_password", BREAKGLASS) == []
    [message] = sink.messages
    assert "(excluded user: not acted on)" in message["title"]
    assert "matches exclude.logins 'breakglass-*@acme.test'" in message["message"]


def test_cooldown_answers_once_and_links_the_rest(tmp_path, org, sink, start_responder) -> None:
    responder = start_responder(_config(tmp_path, org, "cooldown: 15m\n"))
    org.add_hook(responder.url)
    for _ in range(3):
        org.report(CAROL)
    wait_until(lambda: responder.status()["reports"]["total"] == 3)
    wait_until(finished(responder, 3))
    assert len(org.log("user.account.reset_password", CAROL)) == 1
    recent = responder.status()["recent"]
    linked = [r for r in recent if r["disposition"] == "cooldown"]
    answered = [r for r in recent if r["disposition"] == "respond"]
    assert len(linked) == 2 and len(answered) == 1
    assert {r["linkedReportId"] for r in linked} == {answered[0]["reportId"]}
    # The 2nd report is told (issue 20 item 8); the 3rd, inside the same window, is not.
    repeat, first = sorted(sink.messages, key=lambda m: m["title"])  # they go independently
    assert first["title"].startswith("Suspicious activity reported by Carol Diaz")
    assert repeat["title"].startswith("Repeat report by carol@acme.test (00u1respCarol0000003) "
                                      "(2nd in 15m; first ")


def test_dry_run_changes_nothing_in_okta_and_says_so(tmp_path, org, sink, start_responder) -> None:
    responder = start_responder(_config(tmp_path, org, "dryRun: true\n"))
    org.add_hook(responder.url)
    org.report(ALICE)
    wait_until(finished(responder, 1))
    assert org.log("user.session.clear", ALICE) == [] and org.status(ALICE) == "ACTIVE"
    [message] = sink.messages
    assert message["title"].startswith("[dry run] ")
    assert "dry run: would reset the password" in message["message"]


def test_okta_429_and_5xx_during_actions_are_retried_to_exactly_once(tmp_path, org, sink,
                                                                      start_responder) -> None:
    responder = start_responder(_config(tmp_path, org))
    org.add_hook(responder.url)
    reset_path = f"/api/v1/users/{ALICE}/lifecycle/reset_password"
    org.emu.set_faults(f"/api/v1/users/{ALICE}/sessions:503,{reset_path}:429-noheaders")
    org.report(ALICE)

    def failed_once(path: str, status: int) -> bool:
        return any(r.path == path and r.status == status for r in org.emu.requests)

    wait_until(lambda: failed_once(f"/api/v1/users/{ALICE}/sessions", 503))
    org.emu.set_faults(reset_path + ":429-noheaders")
    wait_until(lambda: failed_once(reset_path, 429))
    org.emu.set_faults(reset_path + ":503")
    wait_until(lambda: failed_once(reset_path, 503), timeout=30)
    org.emu.set_faults(None)
    wait_until(finished(responder, 1), timeout=60)
    assert len(org.log("user.account.reset_password", ALICE)) == 1
    assert org.status(ALICE) == "RECOVERY"
    actions = responder.status()["recent"][0]["actions"]
    assert actions[1]["attempts"] >= 3 and actions[1]["status"] == "done"


def test_a_user_okta_does_not_know_is_recorded_and_notified(tmp_path, org, sink,
                                                            start_responder) -> None:
    responder = start_responder(_config(tmp_path, org))
    assert post_delivery(responder, [report_event("ghost-1", "00u1ghost00000000009")]) == 204
    wait_until(finished(responder, 1))
    [report] = responder.status()["recent"]
    assert (report["outcome"], report["userStatus"]) == ("unknownUser", "UNKNOWN")
    # the first message (sent before Okta answered 404), then the follow-up that says so
    assert [a["status"] for a in report["actions"]] == ["skipped", "skipped", "done", "skipped",
                                                        "done"]
    first, message = sink.messages
    assert "a user Okta does not know" in message["title"]
    assert "Okta does not know this user id (404)" in message["message"]


def test_drills_are_recorded_never_acted_on(tmp_path, org, sink, start_responder) -> None:
    responder = start_responder(_config(tmp_path, org))
    drill = build_drill_event(uuid="drill-e2e", published="2026-01-01T00:00:00.000Z",
                              request_id="r1")
    assert post_delivery(responder, [drill]) == 204
    wait_until(lambda: responder.status()["reports"]["byDisposition"].get("drill") == 1)
    assert org.log("user.session.clear") == [] and sink.messages == []


def test_reports_a_dropping_hook_lost_are_reconciled_from_the_system_log(
        tmp_path, org, sink, start_responder) -> None:
    from sarguard.emulator.receiver import HookReceiver, ReceiverBehaviour

    responder = start_responder(_reconciling(tmp_path, org))
    with HookReceiver(SECRET) as dropping:
        org.add_hook(dropping.url)
        dropping.behaviour = ReceiverBehaviour(statuses=[500, 500, 500, 500])
        written = org.report(BOB)
        wait_until(lambda: org.log("event_hook.delivery"))  # Okta gave up on the delivery
        wait_until(finished(responder, 1), timeout=60)
    assert len(org.log("user.account.reset_password", BOB)) == 1
    status = responder.status()
    assert status["reports"]["byOrigin"] == {"delivery": 0, "reconciled": 1}
    assert status["recent"][0]["eventId"] == written["reportEvent"]
    assert "through the System Log (reconciliation" in sink.messages[0]["message"]


def _reconciling(tmp_path: Path, org) -> Path:
    path = _config(tmp_path, org)
    path.write_text(path.read_text("utf-8").replace('reconcile: "off"', "reconcile: 2s"), "utf-8")
    return path
