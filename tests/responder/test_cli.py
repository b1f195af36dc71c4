"""``sarguard responder serve|status`` and ``sarguard reports --responder-db`` from the command
line: exit codes, messages, the missing extra, and what each prints."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sarguard.cli import main
from sarguard.okta.auth import OAuthAuth
from sarguard.responder.config import load_config
from sarguard.responder.service import ResponderStartError, check_scopes
from sarguard.responder.store.engine import ServeLock
from tests.responder.conftest import ALICE, sqlite_url, wait_until, write_config
from tests.responder.test_e2e import finished


def _config(tmp_path: Path, org_url: str = "https://acme.okta.com") -> Path:
    return write_config(tmp_path / "responder.yaml", org_url=org_url,
                        database=sqlite_url(tmp_path))


def test_no_subcommand_is_a_usage_error(capsys) -> None:
    assert main(["responder"]) == 2
    assert "expected a subcommand: sarguard responder serve|status" in capsys.readouterr().err


def test_without_the_extra_it_says_how_to_install_it(monkeypatch, capsys, tmp_path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("starlette", "apprise") else real(name, *a))
    assert main(["responder", "status", "--config", str(_config(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "needs the 'responder' extra" in err and "pip install 'sarguard[responder]'" in err
    assert "missing: starlette, apprise" in err


def test_serve_without_the_hook_secret_names_the_variable(tmp_path, responder_env, monkeypatch,
                                                         capsys) -> None:
    monkeypatch.delenv("SARGUARD_EVENT_HOOK_SECRET")
    monkeypatch.setenv("SINK_URL", "json://127.0.0.1:9/x")
    assert main(["responder", "serve", "--config", str(_config(tmp_path)), "--port", "0"]) == 2
    assert "SARGUARD_EVENT_HOOK_SECRET is not set" in capsys.readouterr().err


def test_a_second_serve_on_the_same_sqlite_file_refuses(tmp_path, responder_env, capsys,
                                                        monkeypatch) -> None:
    monkeypatch.setenv("SINK_URL", "json://127.0.0.1:9/x")
    lock = ServeLock(tmp_path / "responder.db")
    lock.acquire()  # as a running responder holds it
    try:
        assert main(["responder", "serve", "--config", str(_config(tmp_path)), "--port", "0"]) == 2
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert "already served by another sarguard responder" in err and "PostgreSQL" in err


def test_serve_refuses_oauth_scopes_that_cannot_do_the_job(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SINK_URL", "json://127.0.0.1:9/x")
    config = load_config(_config(tmp_path), {"SINK_URL": "json://127.0.0.1:9/x"})

    class Client:
        auth = OAuthAuth.__new__(OAuthAuth)

    Client.auth.scopes = ("okta.users.read",)
    with pytest.raises(ResponderStartError, match="OKTA_API_SCOPES lacks okta.users.manage, "
                                                  "okta.logs.read"):
        check_scopes(Client(), config)  # type: ignore[arg-type]
    Client.auth.scopes = ("okta.users.manage", "okta.logs.read")
    check_scopes(Client(), config)  # type: ignore[arg-type]


def test_status_on_a_database_that_does_not_exist(tmp_path, capsys) -> None:
    assert main(["responder", "status", "--config", str(_config(tmp_path))]) == 2
    assert "no responder database at" in capsys.readouterr().err


def test_status_and_reports_show_the_response(tmp_path, org, sink, start_responder,
                                              capsys) -> None:
    config = _config(tmp_path, org.emu.url)
    responder = start_responder(config)
    org.add_hook(responder.url)
    written = org.report(ALICE)
    wait_until(finished(responder, 1))
    # While the responder serves: the readers work (WAL) and take no lock.
    assert main(["responder", "status", "--config", str(config), "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["reports"]["total"] == 1 and status["actions"]["done"] == 3
    assert main(["responder", "status", "--config", str(config)]) == 0
    text = capsys.readouterr().out
    assert "Reports: 1 (1 delivered, 0 reconciled)" in text
    assert "clearSessions done, resetPassword done, notify done" in text

    org_args = ["--org-url", org.emu.url, "--since", "1h", "--responder-db",
                sqlite_url(tmp_path)]
    assert main(["reports", *org_args, "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["reports"]
    assert row["eventId"] == written["reportEvent"]
    assert row["response"]["outcome"] == "done"
    # the first notification, and its late follow-up (retired: everything ended in time)
    assert [(a["kind"], a["status"]) for a in row["response"]["actions"]] == [
        ("clearSessions", "done"), ("resetPassword", "done"), ("notify", "done"),
        ("notify", "skipped")]
    assert main(["reports", *org_args]) == 0
    assert "report #1 respond, done: clearSessions done, resetPassword done, notify done" in \
        capsys.readouterr().out


def test_reports_without_the_flag_keep_their_shape(tmp_path, org, capsys) -> None:
    org.report(ALICE)
    assert main(["reports", "--org-url", org.emu.url, "--since", "1h", "--format", "json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["reports"]
    assert "response" not in row


def test_a_report_the_responder_never_saw_is_said_to_be_missing(tmp_path, org, capsys) -> None:
    from sarguard.responder.store.engine import open_store
    from sarguard.responder.store.migrate import upgrade

    store = open_store(sqlite_url(tmp_path))
    upgrade(store)
    store.dispose()
    org.report(ALICE)
    assert main(["reports", "--org-url", org.emu.url, "--since", "1h", "--responder-db",
                 sqlite_url(tmp_path)]) == 0
    assert "no record: the responder never received it" in capsys.readouterr().out


def test_reports_refuses_a_password_in_the_flag(capsys) -> None:
    code = main(["reports", "--org-url", "http://127.0.0.1:9", "--responder-db",
                 "postgresql+psycopg://u:hunter2@db/x"])
    err = capsys.readouterr().err
    assert code == 2 and "PGPASSWORD" in err and "hunter2" not in err
