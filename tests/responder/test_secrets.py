"""Secrets never reach the responder's output, log or store: the hook's auth values (current
and previous), the Okta token, and a notification URL's password from the environment."""

from __future__ import annotations

import contextlib
import io
import logging

import httpx

from benchmarks.responder.harness import (
    EMU_TOKEN,
    HOOK_SECRET,
    ResponderProcess,
    add_hook,
    bench_user,
    deliver,
    free_port,
    responder_env,
    seed,
    wait_until,
    write_config,
)
from sarguard.cli import main
from sarguard.emulator import Emulator
from sarguard.emulator.control_client import ControlClient
from sarguard.emulator.notifysink import NotificationSink
from sarguard.responder.config import load_config
from sarguard.responder.hookauth import HookSecrets
from sarguard.responder.logsetup import RedactSecrets
from tests.responder.test_app import report_event

PREVIOUS = "previous-hook-secret-abcdefghijklmnop"
NOTIFY_PASSWORD = "notify-url-password-0987654321"
NOTIFY_URL = f"json://soc:{NOTIFY_PASSWORD}@127.0.0.1/x"


def test_the_log_filter_masks_secrets_in_messages_arguments_and_tracebacks(tmp_path) -> None:
    """The filter masks what the holders registered (sarguard.util.redaction), at each record:
    the hook secrets and the config's expanded values from the moment they are held."""
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s in %s and %s", (
        "s3cr3t-value", "a message", NOTIFY_URL), None)
    try:
        raise ValueError("boom with s3cr3t-value inside")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    held = HookSecrets("s3cr3t-value")
    path = write_config(tmp_path / "responder.yaml", org_url="https://acme.okta.com",
                        database=f"sqlite:///{tmp_path / 'responder.db'}",
                        actions='- notify: {urls: ["${NOTIFY_URL}"]}\n')
    config = load_config(path, {"NOTIFY_URL": NOTIFY_URL})
    RedactSecrets().filter(record)
    text = logging.Formatter().format(record)
    assert "s3cr3t-value" not in text and NOTIFY_PASSWORD not in text
    assert text.count("***") >= 3
    del held, config


def test_no_secret_reaches_the_log_the_output_or_the_store(tmp_path) -> None:
    with Emulator(seed=seed(2), token="secrets-test-control-token") as emu, \
            NotificationSink() as sink:
        sink.status = 500  # Apprise fails and says so in the log: with the URL's password?
        secret_url = sink.url.replace("json://", f"json://soc:{NOTIFY_PASSWORD}@")
        config = write_config(tmp_path / "responder.yaml", org_url=emu.url,
                              database=f"sqlite:///{tmp_path / 'responder.db'}",
                              extra='reconcile: "off"\n', previous_secret_env="OLD_SECRET")
        env = responder_env(secret_url, OLD_SECRET=PREVIOUS)
        process = ResponderProcess(config, free_port(), env, tmp_path / "responder.log")
        try:
            add_hook(emu.url, EMU_TOKEN, process.url)
            for wrong in (HOOK_SECRET[:-1], "Bearer " + HOOK_SECRET, PREVIOUS + "x"):
                assert httpx.post(process.url, content=b"{}", headers={
                    "Authorization": wrong, "Content-Type": "application/json"}).status_code == 401
            assert deliver(process.url, [report_event("secret-1", bench_user(1))],
                           PREVIOUS) == 204
            ControlClient(emu.url, emu.token).report({"userId": bench_user(0)})
            wait_until(lambda: "notify: retry" in process.log_path.read_text("utf-8"), 60,
                       "a failed notification logged")
        finally:
            # uvicorn shuts down gracefully, then re-raises SIGTERM (so systemd sees it).
            assert process.stop() in (0, -15)
    logged = process.log_path.read_text("utf-8")
    stored = (tmp_path / "responder.db").read_bytes()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["responder", "status", "--config", str(config), "--format", "json"])
    assert "could not notify" in out.getvalue() and "apprise" in logged
    assert "Application shutdown complete" in logged
    for secret in (HOOK_SECRET, PREVIOUS, EMU_TOKEN, NOTIFY_PASSWORD):
        assert secret not in logged, secret
        assert secret.encode() not in stored, secret
        assert secret not in out.getvalue(), secret
