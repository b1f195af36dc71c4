"""What a notification says, from the facts alone (pure): who, what, the response, links, the
timeline, and hostile strings from the org made harmless."""

from __future__ import annotations

from datetime import UTC, datetime

from sarguard.responder.message import ActionLine, MessageFacts, compose, system_log_link
from sarguard.systemlog.timeline import build_timeline

REPORTED = {"when": "2026-03-01T12:10:00Z", "activityEventType": "user.session.start",
            "activityTime": "2026-03-01T12:00:00Z", "ip": "198.51.100.7",
            "location": "Lyon, France", "browser": "CHROME", "os": "Windows 10"}


def facts(**kw) -> MessageFacts:
    base = dict(report_id=7, event_uuid="ev-1", origin="delivery", disposition="respond",
                dry_run=False, user_id="00u1alice0000000001", login="alice@acme.test",
                reported=REPORTED, user_name="Alice Nguyen", user_status="RECOVERY",
                admin_url="https://acme-admin.okta.com",
                actions=[ActionLine("clearSessions", "done", "sessions cleared"),
                         ActionLine("resetPassword", "done", "password reset")])
    base.update(kw)
    return MessageFacts(**base)


def test_the_message_says_who_what_what_was_done_and_where_to_look() -> None:
    message = compose(facts())
    assert message.level == "info"
    assert message.title == "Suspicious activity reported by Alice Nguyen / alice@acme.test " \
                            "(00u1alice0000000001)"
    body = message.body
    assert "Reported activity: user.session.start at 2026-03-01T12:00:00Z" in body
    assert "From: 198.51.100.7, Lyon, France; CHROME on Windows 10" in body
    assert "  - clearSessions: sessions cleared\n  - resetPassword: password reset" in body
    assert "User status now: RECOVERY" in body
    assert "https://acme-admin.okta.com/admin/user/profile/view/00u1alice0000000001" in body


def test_the_system_log_link_filters_on_the_user_and_the_window() -> None:
    link = system_log_link("https://acme-admin.okta.com", "00u1alice0000000001",
                           datetime(2026, 3, 1, tzinfo=UTC))
    assert link == ("https://acme-admin.okta.com/report/system_log_2?search=actor.id+eq+%22"
                    "00u1alice0000000001%22+or+target.id+eq+%2200u1alice0000000001%22&fromTime="
                    "2026-03-01T00%3A00%3A00Z")
    assert system_log_link(None, "00u1alice0000000001", None) is None


def test_a_give_up_says_what_is_still_undone() -> None:
    message = compose(facts(give_up="resetPassword", actions=[
        ActionLine("clearSessions", "done"),
        ActionLine("resetPassword", "failed", error="gave up after 9 attempt(s): HTTP 503"),
        ActionLine("suspend", "waiting")]))
    assert message.level == "failure"
    assert message.title.startswith("ACTION NEEDED: the response to Alice Nguyen")
    assert "resetPassword: NOT DONE, gave up: gave up after 9 attempt(s): HTTP 503" in message.body
    assert "Still undone: resetPassword, suspend. Do it by hand in the Admin Console." in message.body


def test_dry_run_excluded_unknown_and_userless_reports_say_so() -> None:
    assert compose(facts(dry_run=True)).title.startswith("[dry run] ")
    assert "(excluded user: not acted on)" in compose(facts(disposition="excluded")).title
    unknown = compose(facts(unknown_user=True, user_status="UNKNOWN"))
    assert "a user Okta does not know" in unknown.title
    assert "Okta does not know this user id (404)" in unknown.body
    nobody = compose(facts(disposition="noUser", user_id=None, login=None, user_name=None))
    assert nobody.title == "Suspicious activity reported, but the report names no Okta user"


def test_strings_from_the_org_cannot_inject_lines_or_escapes() -> None:
    hostile = dict(REPORTED, browser="CHROME\n  - resetPassword: done\x1b[2J",
                   location="x" * 1000)
    body = compose(facts(reported=hostile, user_name="Eve\r\nADMIN")).body
    assert "\x1b" not in body and "Eve\r\n" not in body and "Eve\\x0d\\x0aADMIN" in body
    assert "CHROME\\x0a  - resetPassword" in body
    assert max(len(line) for line in body.splitlines()) < 700


def test_the_timeline_comes_from_the_investigation_code() -> None:
    events = [{"uuid": f"e{i}", "published": f"2026-03-01T12:0{i}:00.000Z",
               "eventType": "user.session.start", "outcome": {"result": "SUCCESS"},
               "actor": {"id": "00u1alice0000000001", "type": "User"},
               "client": {"ipAddress": "198.51.100.7"}} for i in range(3)]
    body = compose(facts(timeline=build_timeline(events),
                         timeline_since=datetime(2026, 2, 28, tzinfo=UTC))).body
    assert "Timeline (System Log since 2026-02-28T00:00:00Z, 3 event(s)):" in body
    assert "  2026-03-01T12:02:00Z  user.session.start SUCCESS  198.51.100.7" in body
    problem = compose(facts(timeline_problem="cannot read the System Log: missing OAuth scope "
                                             "okta.logs.read")).body
    assert "Timeline: unavailable (cannot read the System Log: missing OAuth scope " \
           "okta.logs.read)" in problem


def test_an_event_planning_could_not_handle_is_told_from_the_stored_reason() -> None:
    """store.planning records a hostile event as a failed report with a ``planFailed`` notify
    row; the message is built from that row's reason and the event's uuid only (reading the
    event again could fail the same way), with org strings made inert."""
    from sarguard.responder.message import compose_plan_failed

    message = compose_plan_failed(report_id=7, event_uuid="@everyone [x](https://evil.example)",
                                  error="internal error: OverflowError: date value out of range")
    assert message.level == "failure" and "report #7" in message.title
    assert "OverflowError" in message.body
    assert "@everyone" not in message.body and "](https://" not in message.body
