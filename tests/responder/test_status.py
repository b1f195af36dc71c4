"""Health that means something (issue 20 §3), secrets and data at rest (§7), the step log (§4),
forgetDevices (§11).

``/healthz`` keeps its meaning (the process and the store answer) while ``GET /status`` turns
503 when Okta refuses the credential, a loop is down or the backlog is older than
``status.maxBacklog``; the credential's state comes from Okta's own answers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from benchmarks.responder.harness import delivery_body
from sarguard.okta import factory
from sarguard.responder.config import ResponderConfigError, load_config
from sarguard.responder.credential import REFUSED, UNKNOWN, WORKS, CredentialState, watch
from sarguard.responder.hookauth import HookSecrets, secrets_from_env
from sarguard.responder.logsetup import JsonFormatter, RedactSecrets, step
from sarguard.responder.store.engine import open_store, shown_url
from tests.responder.conftest import ALICE, SECRET, sqlite_url, wait_until, write_config
from tests.responder.test_app import report_event


def _get(url: str) -> httpx.Response:
    return httpx.get(url, trust_env=False, timeout=10)


def test_a_refused_credential_makes_status_503_while_healthz_stays_200(tmp_path, org, sink,
                                                                       start_responder) -> None:
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path))
    env = {**os.environ, "OKTA_API_TOKEN": "not-a-token-of-this-org-000000000000"}
    responder = start_responder(config, env)
    assert httpx.post(responder.url, content=delivery_body([report_event("r1", ALICE)]),
                      headers={"Authorization": SECRET, "Content-Type": "application/json"},
                      trust_env=False, timeout=10).status_code == 204
    wait_until(lambda: _get(f"{responder.base_url}/status").status_code == 503)
    body = _get(f"{responder.base_url}/status").json()
    assert body["credential"]["state"] == REFUSED
    assert "401" in body["credential"]["reason"]
    assert any("refuses the credential" in p for p in body["problems"])
    assert set(body["actions"]) == {"waiting", "pending", "running", "done", "skipped", "failed"}
    assert body["actions"]["pending"] + body["actions"]["running"] >= 1  # the clear waits
    assert {"planner", "housekeeping", "reconciler", "worker-0"} <= set(body["loops"])
    assert _get(f"{responder.base_url}/healthz").status_code == 200
    metrics = _get(f"{responder.base_url}/metrics").text
    assert "sarguard_responder_credential_works 0.0" in metrics
    assert "not-a-token" not in json.dumps(body) + metrics


def test_status_is_200_when_all_is_well_and_503_past_max_backlog(tmp_path, org, sink,
                                                                 start_responder) -> None:
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path), extra="status: {maxBacklog: 1s}\n")
    responder = start_responder(config)
    wait_until(lambda: _get(f"{responder.base_url}/status").json()["credential"]["state"]
               == WORKS)
    ok = _get(f"{responder.base_url}/status")
    assert ok.status_code == 200 and ok.json()["problems"] == []
    assert ok.json()["maxBacklogSeconds"] == 1.0
    assert "sarguard_responder_credential_works 1.0" in _get(
        f"{responder.base_url}/metrics").text
    # Okta answers 503 to the clear: the action waits (retrying) and ages past 1 s
    org.emu.set_faults(f"/api/v1/users/{ALICE}/sessions:503")
    assert httpx.post(responder.url, content=delivery_body([report_event("slow", ALICE)]),
                      headers={"Authorization": SECRET, "Content-Type": "application/json"},
                      trust_env=False, timeout=10).status_code == 204
    wait_until(lambda: _get(f"{responder.base_url}/status").status_code == 503)
    body = _get(f"{responder.base_url}/status").json()
    assert any("status.maxBacklog" in p for p in body["problems"]), body
    assert body["oldestWaitingSeconds"] > 1 and body["credential"]["state"] == WORKS
    org.emu.set_faults(None)
    wait_until(lambda: _get(f"{responder.base_url}/status").status_code == 200, timeout=60)


def test_credential_state_changes_once_per_outage_and_on_recovery() -> None:
    from sarguard.okta.errors import OktaApiError

    state = CredentialState()
    changes = []
    state.subscribe(changes.append)
    assert state.state == UNKNOWN
    state.worked()
    for _ in range(3):
        state.observe(OktaApiError("DELETE /x: HTTP 401 E0000011 Invalid token provided",
                                   status=401, method="DELETE", path="/x"))
    state.observe(OktaApiError("HTTP 503", status=503, method="GET", path="/x"))  # says nothing
    state.observe(OktaApiError("HTTP 403", status=403, method="GET", path="/x",
                               scope="okta.users.manage"))  # still refused: no new outage
    state.observe(OktaApiError("HTTP 404", status=404, method="GET", path="/x"))  # accepted
    assert [(c.previous, c.state) for c in changes] == [
        (UNKNOWN, WORKS), (WORKS, REFUSED), (REFUSED, WORKS)]
    assert "401" in changes[1].reason
    assert state.to_dict()["state"] == WORKS


def test_a_403_naming_a_scope_is_a_refusal_and_one_without_is_not() -> None:
    from sarguard.okta.errors import OktaApiError

    state = CredentialState()
    state.observe(OktaApiError("HTTP 403 E0000038", status=403, method="POST", path="/x"))
    assert state.state == UNKNOWN  # the user's status forbids it: nothing about the credential
    state.observe(OktaApiError("HTTP 403 E0000006 (missing OAuth scope okta.users.manage)",
                               status=403, method="POST", path="/x", scope="okta.users.manage"))
    assert state.state == REFUSED


def test_the_watched_client_reports_okta_answers(monkeypatch) -> None:
    answers = iter([401, 401, 204])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 401:
            return httpx.Response(401, json={"errorCode": "E0000011",
                                             "errorSummary": "Invalid token provided"})
        return httpx.Response(status)

    monkeypatch.setattr(factory, "CLIENT_OVERRIDES", {"transport": httpx.MockTransport(handler)})
    state = CredentialState()
    client = watch(factory.client_from_env({"OKTA_API_TOKEN": "00abcdefghijklmnopqrstuvwxyz0123"},
                                           org_url="https://acme.okta.com"), state)
    from sarguard.okta import users
    from sarguard.okta.errors import OktaError

    async def run() -> None:
        with pytest.raises(OktaError):
            await users.clear_sessions(client, ALICE, oauth_tokens=True)
        assert state.state == REFUSED
        once = users.single_attempt(client)  # a copy keeps reporting to the same state
        with pytest.raises(OktaError):
            await users.clear_sessions(once, ALICE, oauth_tokens=True)
        await users.clear_sessions(client, ALICE, oauth_tokens=True)
        assert state.state == WORKS
        await client.aclose()

    asyncio.run(run())


def test_sqlite_store_files_are_private_and_loose_ones_are_tightened(tmp_path, caplog) -> None:
    url = sqlite_url(tmp_path)
    db = tmp_path / "responder.db"
    old = os.umask(0o022)
    try:
        store = open_store(url, private=True)
        files = [p for p in tmp_path.iterdir() if p.name.startswith("responder.db")]
        assert {p.name for p in files} >= {"responder.db", "responder.db-wal",
                                           "responder.db-shm"}
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        store.dispose()
        db.chmod(0o644)
        with caplog.at_level(logging.WARNING, logger="sarguard.responder"):
            open_store(url, private=True).dispose()
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
        assert "tightened responder.db (644) to 600" in caplog.text
    finally:
        os.umask(old)


@pytest.mark.parametrize("param", ["password", "sslpassword", "PASSWORD", "sslkey",
                                   "client_secret", "token"])
def test_every_credential_parameter_of_a_database_url_is_masked(param: str) -> None:
    shown = shown_url(f"postgresql+psycopg://soc:pw-in-userinfo@db.example/responder?"
                      f"sslmode=require&{param}=hunter2-secret")
    assert "hunter2-secret" not in shown and "pw-in-userinfo" not in shown
    assert "sslmode=require" in shown and f"{param}=***" in shown


def _config_text(tmp_path: Path, hook: str) -> Path:
    path = tmp_path / "responder.yaml"
    path.write_text(f"path: /okta/events\norg: {{url: https://acme.okta.com}}\nhook: {hook}\n"
                    f"database: {sqlite_url(tmp_path)}\nactions:\n  - clearSessions: {{}}\n")
    return path


def test_previous_secret_needs_an_end_date(tmp_path) -> None:
    with pytest.raises(ResponderConfigError) as caught:
        load_config(_config_text(tmp_path, "{authHeader: Authorization, secretEnv: S, "
                                           "previousSecretEnv: P}"), {})
    assert "hook.previousSecretEnv: needs hook.previousSecretUntil" in str(caught.value)
    with pytest.raises(ResponderConfigError) as caught:
        load_config(_config_text(tmp_path, "{authHeader: Authorization, secretEnv: S, "
                                           "previousSecretEnv: P, previousSecretUntil: soon}"),
                    {})
    assert "expected a date like 2026-01-31" in str(caught.value)
    for written in ("2026-05-01", "'2026-05-01'"):
        config = load_config(_config_text(tmp_path, "{authHeader: Authorization, secretEnv: S, "
                                                     f"previousSecretEnv: P, previousSecretUntil: "
                                                     f"{written}}}"), {})
        assert config.previous_secret_until == date(2026, 5, 1)


def test_previous_secret_is_warned_the_day_before_and_refused_after(caplog) -> None:
    env = {"S": "current-secret-0123456789abcdef", "P": "previous-secret-0123456789abcd"}
    until = date(2026, 5, 1)
    with caplog.at_level(logging.WARNING, logger="sarguard.responder"):
        secrets_from_env(env, "S", "P", previous_until=until, today=date(2026, 4, 30))
    assert "accepted until the end of 2026-05-01" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="sarguard.responder"):
        late = secrets_from_env(env, "S", "P", previous_until=until, today=date(2026, 5, 2))
    assert "is refused" in caplog.text and not late.accepts(env["P"])
    days = iter([date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 2)])
    held = HookSecrets(env["S"], env["P"], previous_until=until, today=lambda: next(days))
    assert [held.accepts(env["P"]) for _ in range(3)] == [True, True, False]
    assert held.accepts(env["S"])


def test_a_weak_previous_secret_is_warned_like_the_current_one(caplog) -> None:
    env = {"S": "current-secret-0123456789abcdef", "P": "short"}
    with caplog.at_level(logging.WARNING, logger="sarguard.responder"):
        secrets_from_env(env, "S", "P", previous_until=date(2999, 1, 1), today=date(2026, 1, 1))
    assert "the hook's previous secret in P is shorter than 16 characters" in caplog.text


def test_json_log_lines_carry_the_step_and_the_ids_redacted() -> None:
    held = HookSecrets("a-secret-in-a-log-line-0123456789")
    logger = logging.getLogger("sarguard.test.jsonlog")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RedactSecrets())
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        step(logger, logging.INFO, "received", "delivery #3: event u-1 received",
             delivery=3, uuid="u-1", user="a-secret-in-a-log-line-0123456789")
    finally:
        logger.removeHandler(handler)
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["event"] == "received" and line["delivery"] == 3 and line["uuid"] == "u-1"
    assert line["level"] == "info" and line["ts"].endswith("+00:00")
    assert "a-secret-in-a-log-line" not in json.dumps(line)
    del held


def test_clear_sessions_always_sends_forget_devices(tmp_path, org, sink, start_responder) -> None:
    """Okta's OpenAPI spec (revokeUserSessions, ../shared/reference/okta-management-openapi.yaml):
    ``forgetDevices`` defaults to true on Identity Engine and false on Classic, so it is sent."""
    config = write_config(tmp_path / "responder.yaml", org_url=org.emu.url,
                          database=sqlite_url(tmp_path),
                          actions="  - clearSessions: {forgetDevices: false}\n")
    responder = start_responder(config)
    assert httpx.post(responder.url, content=delivery_body([report_event("fd", ALICE)]),
                      headers={"Authorization": SECRET, "Content-Type": "application/json"},
                      trust_env=False, timeout=10).status_code == 204
    wait_until(lambda: org.log("user.session.clear", ALICE))
    [event] = org.log("user.session.clear", ALICE)
    assert event["debugContext"]["debugData"]["forgetDevices"] == "false"


def test_forget_devices_is_sent_explicitly_by_default(monkeypatch) -> None:
    """Identity Engine forgets remembered factors by default and Classic does not (the
    ``forgetDevices`` parameter of ``revokeUserSessions`` in Okta's OpenAPI spec): the request
    never leaves it to the engine."""
    from sarguard.okta import users
    from sarguard.responder.actions import Executor
    from tests.responder.test_actions import claimed

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    monkeypatch.setattr(factory, "CLIENT_OVERRIDES", {"transport": httpx.MockTransport(handler)})
    client = factory.client_from_env({"OKTA_API_TOKEN": "00abcdefghijklmnopqrstuvwxyz0123"},
                                     org_url="https://acme.okta.com")

    async def run() -> None:
        await users.clear_sessions(client, ALICE, oauth_tokens=False)
        executor = Executor(client, clock=lambda: datetime.now(UTC))
        await executor.clear_sessions(claimed("clearSessions"))
        await executor.clear_sessions(claimed("clearSessions", forgetDevices=False))
        await client.aclose()

    asyncio.run(run())
    assert [r.url.params.get("forgetDevices") for r in seen] == ["true", "true", "false"]
    assert all(r.url.params.get("oauthTokens") == "false" for r in seen)
