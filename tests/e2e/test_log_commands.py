"""``reports``, ``investigate`` and ``events`` from the command line."""

from __future__ import annotations

import json
import shlex

import pytest

from sarguard.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_reports_lists_the_seeded_reports_with_an_investigation_command(emulator, capsys):
    emu = emulator("demo")
    code, out, _ = run(capsys, "reports", "--org-url", emu.url, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["count"] == len(doc["reports"]) >= 1
    first = doc["reports"][0]
    assert first["investigate"].startswith("sarguard investigate --user 00u")
    assert first["ip"] and first["activityEventType"]


def test_the_printed_investigate_command_runs_as_is(emulator, capsys):
    """The hint repeats the --org-url (and --project-dir) the user gave: pasted back, it runs."""
    emu = emulator("demo")
    code, out, _ = run(capsys, "reports", "--org-url", emu.url, "--project-dir", ".")
    assert code == 0
    command = next(line.strip() for line in out.splitlines()
                   if line.strip().startswith("sarguard investigate"))
    argv = shlex.split(command)
    assert argv[argv.index("--org-url") + 1] == emu.url
    code, out, err = run(capsys, *argv[1:], "--format", "json")
    assert code == 0, err
    assert json.loads(out)["entries"]


def test_investigate_builds_a_timeline_for_a_seeded_user(emulator, capsys):
    emu = emulator("demo")
    code, out, _ = run(capsys, "investigate", "--user", "00u1alice0000demo002", "--org-url", emu.url,
                       "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["filter"].startswith('(actor.id eq "00u1alice0000demo002" or target.id eq "00u1alice0000demo002")')
    assert doc["entries"] and all(e["subject"] == "00u1alice0000demo002" for e in doc["entries"])
    assert any(s["title"] == "Sign in to Okta" and s["status"] == "complete" for s in doc["scenarios"])


@pytest.mark.parametrize("scope", ["signin", "logout", "mfa", "recovery", "unlock", "all"])
def test_query_only_needs_no_org(capsys, scope):
    code, out, err = run(capsys, "investigate", "--ip", "203.0.113.7", "--scope", scope, "--query-only")
    assert code == 0, err
    assert out.startswith('client.ipAddress eq "203.0.113.7"') or out.startswith('(client.ipAddress eq "203.0.113.7")')
    assert ("eventType" in out) == (scope != "all")


def test_malformed_subject_is_rejected_before_any_call(capsys):
    code, _, err = run(capsys, "investigate", "--user", '00u1" or eventType pr or "', "--query-only")
    assert code == 2
    assert "--user" in err and "Traceback" not in err


def test_events_lists_the_catalog(capsys):
    code, out, _ = run(capsys, "events", "event_hook.*", "--format", "json")
    assert code == 0
    names = [t["name"] for t in json.loads(out)["eventTypes"]]
    assert "event_hook.deactivated" in names and all(n.startswith("event_hook.") for n in names)
    code, out, _ = run(capsys, "events", "report_suspicious", "--eligible")
    assert code == 0 and "user.account.report_suspicious_activity_by_enduser" in out


def test_investigate_takes_a_login_and_says_which_user_it_resolved(emulator, capsys):
    """Issue 19 §6: ``--user`` takes a login too: one ``GET /api/v1/users/{login}`` (Okta's
    getUser takes a URL-encoded login in place of the id: okta-management-openapi.yaml,
    ``/api/v1/users/{id}``), then the same timeline as by id, the resolution said."""
    emu = emulator("demo")
    by_id = run(capsys, "investigate", "--user", "00u1alice0000demo002", "--org-url", emu.url,
                "--format", "json")
    before = len(emu.requests)
    code, out, err = run(capsys, "investigate", "--user", "alice.nguyen@example.com",
                         "--org-url", emu.url, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["user"] == {"login": "alice.nguyen@example.com", "id": "00u1alice0000demo002"}
    assert doc["entries"] == json.loads(by_id[1])["entries"]
    lookups = [r for r in emu.requests[before:] if "/api/v1/users/" in str(r)]
    assert len(lookups) == 1, lookups
    code, out, _ = run(capsys, "investigate", "--user", "alice.nguyen@example.com",
                       "--org-url", emu.url)
    assert code == 0
    assert "User: alice.nguyen@example.com resolved to 00u1alice0000demo002" in out


@pytest.mark.parametrize(("user", "message"), [
    ("nobody@example.com", "Okta has no user with the login 'nobody@example.com'"),
    ("a/b@example.com", "Okta looks such a login up only by the user's id"),
])
def test_investigate_refuses_a_login_it_cannot_resolve(emulator, capsys, user, message):
    emu = emulator("demo")
    code, out, err = run(capsys, "investigate", "--user", user, "--org-url", emu.url)
    assert code == 2 and message in err and out == "", err


def test_query_only_cannot_resolve_a_login(capsys):
    code, _, err = run(capsys, "investigate", "--user", "alice@example.com", "--query-only")
    assert code == 2 and "--query-only makes no API call" in err, err
