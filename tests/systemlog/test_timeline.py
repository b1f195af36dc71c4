"""Timelines from seeded sequences: sorted, and the cheat-sheet's scenarios recognised."""

from __future__ import annotations

import json
import random

from sarguard.systemlog.timeline import build_timeline, render_timeline_json, render_timeline_text

from .logfactory import OTHER_USER, USER, at, event, user_actor

SIGN_IN = ["user.session.start", "policy.evaluate_sign_on", "system.push.send_factor_verify_push",
           "user.authentication.auth_via_mfa", "user.authentication.verify"]


def seq(types: list[str], start: float = 0, step: float = 0.5, **kw) -> list[dict]:
    return [event(t, at(start + i * step), **kw) for i, t in enumerate(types)]


def scenarios(timeline) -> list[tuple[str, str, int]]:
    return [(s.label, s.status, len(s.entries)) for s in timeline.scenarios]


def test_sign_in_is_recognised_even_when_events_arrive_shuffled() -> None:
    events = seq(SIGN_IN)
    random.Random(7).shuffle(events)
    timeline = build_timeline(events)
    assert [e.event_type for e in timeline.entries] == SIGN_IN
    assert scenarios(timeline) == [("Sign in to Okta #1", "complete", 5),
                                   ("MFA verification #1", "complete", 1)]
    assert timeline.entries[0].scenarios == ["Sign in to Okta #1"]
    assert timeline.entries[3].scenarios == ["Sign in to Okta #1", "MFA verification #1"]


def test_password_reset_and_unlock_sequences() -> None:
    reset = seq(["system.email.password_reset.sent_message", "user.account.reset_password",
                 "user.account.update_password"], start=0, step=3)
    unlock = seq(["system.sms.send_account_unlock_message", "system.sms.send_factor_verify_message",
                  "user.authentication.auth_via_mfa", "user.account.unlock_token",
                  "user.account.unlock"], start=60, step=1)
    timeline = build_timeline(reset + unlock)
    assert scenarios(timeline) == [
        ("Self-service password reset #1", "complete", 3),
        ("Self-service account unlock #1", "complete", 5),
        ("MFA verification #1", "complete", 1),
    ]


def test_incomplete_and_failed_runs_are_reported() -> None:
    events = [
        event("user.session.start", at(0), result="FAILURE", reason="INVALID_CREDENTIALS"),
        event("system.voice.send_password_reset_call", at(1)),  # reset never finished
        *seq(SIGN_IN[:2], start=5),  # started, never verified
        event("user.authentication.verify", at(5 + 120)),  # too late for that sign-in
    ]
    timeline = build_timeline(events)
    got = {s.label: (s.status, len(s.entries)) for s in timeline.scenarios}
    assert got == {
        "Sign in to Okta #1": ("failed", 1),
        "Sign in to Okta #2": ("incomplete", 2),
        "Self-service password reset #1": ("incomplete", 1),
    }


def test_app_sign_in_allowed_and_denied() -> None:
    events = [*seq(["user.authentication.auth_via_mfa", "user.authentication.sso"]),
              event("application.policy.sign_on.deny_access", at(10), result="DENY")]
    got = scenarios(build_timeline(events))
    assert ("Sign in to an app #1", "complete", 2) in got
    assert ("App sign-in denied #1", "complete", 1) in got


def test_users_are_matched_separately() -> None:
    other = user_actor(OTHER_USER, "bob@example.com", "Bob")
    events = [event("user.session.start", at(0)), event("user.session.start", at(0.1), actor=other),
              event("policy.evaluate_sign_on", at(0.2), actor=other),
              event("user.authentication.verify", at(0.3), actor=other)]
    timeline = build_timeline(events)
    done = [s for s in timeline.scenarios if s.status == "complete"]
    assert [(s.subject, len(s.entries)) for s in done] == [(OTHER_USER, 3)]
    assert [s.subject for s in timeline.scenarios if s.status == "incomplete"] == [USER]


def test_text_rendering_is_safe_and_complete() -> None:
    hostile = user_actor(USER, "x@example.com", "[bold red]admin[/] \x1b[31m")
    timeline = build_timeline(seq(SIGN_IN, actor=hostile))
    text = render_timeline_text(timeline, width=400)
    assert "[bold red]admin[/]" in text  # shown literally, not interpreted as markup
    assert "\x1b" not in text and "\\x1b" in text
    assert "user.authentication.verify" in text and "Austin, Texas, United States" in text
    assert "Sign in to Okta #1: complete" in text
    assert render_timeline_text(build_timeline([])) == "No events in the window.\n"


def test_json_rendering() -> None:
    doc = json.loads(render_timeline_json(build_timeline(seq(SIGN_IN)), filter="f"))
    assert doc["filter"] == "f"
    assert [e["eventType"] for e in doc["entries"]] == SIGN_IN
    assert doc["entries"][0]["time"] == "2026-03-02T08:00:00Z"
    assert doc["scenarios"][0]["label"] == "Sign in to Okta #1"
    assert doc["scenarios"][0]["entries"] == [0, 1, 2, 3, 4]


def test_events_without_time_or_junk_do_not_crash() -> None:
    bad = {"eventType": "user.session.start", "published": "not-a-time", "actor": "nope"}
    timeline = build_timeline([bad, "junk", *seq(SIGN_IN[:1])])  # type: ignore[list-item]
    assert len(timeline.entries) == 2 and timeline.entries[-1].time is None
