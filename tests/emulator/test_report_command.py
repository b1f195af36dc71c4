"""``sarguard emulator report``: a user's report, acted out on a running emulator from the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from sarguard.cli import main
from sarguard.emulator import Emulator
from sarguard.emulator.receiver import HookReceiver
from tests.emulator.helpers import HOOK_ID, REPORT, small_seed

TOKEN = "test-token-0001"


@pytest.fixture
def receiver() -> Iterator[HookReceiver]:
    with HookReceiver("Bearer hook-secret-value-123") as rx:
        yield rx


@pytest.fixture
def emu(receiver: HookReceiver) -> Iterator[Emulator]:
    seed = small_seed()
    seed["eventHooks"][0]["channel"]["uri"] = receiver.url
    with Emulator(seed=seed, token=TOKEN) as running:
        yield running
    assert running.errors == []


def test_reports_and_waits_for_the_delivery(emu: Emulator, receiver: HookReceiver, capsys,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SARGUARD_EMULATOR_TOKEN", TOKEN)
    code = main(["emulator", "report", "--url", emu.url, "--user", "admin@example.com",
                 "--ip", "203.0.113.99", "--wait"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "report written:" in out and "from 203.0.113.99" in out
    assert "to reports: delivered (#1 204 in " in out
    assert [e["eventType"] for e in receiver.events.values()] == [REPORT]
    assert TOKEN not in out


def test_json_output_and_token_flag(emu: Emulator, capsys) -> None:
    assert main(["emulator", "report", "--url", emu.url, "--user", "admin@example.com",
                 "--token", TOKEN, "--format", "json", "--wait", "20"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["hookId"] for d in data["deliveryResults"]] == [HOOK_ID]
    assert data["deliveryResults"][0]["status"] == "delivered"


def test_a_failed_delivery_exits_1(emu: Emulator, receiver: HookReceiver, capsys) -> None:
    receiver.behaviour.status = 403
    assert main(["emulator", "report", "--url", emu.url, "--user", "admin@example.com",
                 "--token", TOKEN, "--wait"]) == 1
    assert "failed" in capsys.readouterr().out


@pytest.mark.parametrize(("extra", "fragment"), [
    (["--user", "nobody@example.com", "--token", TOKEN], "404"),
    (["--user", "admin@example.com", "--token", "wrong"], "refused the token"),
    (["--user", "admin@example.com"], "SARGUARD_EMULATOR_TOKEN"),
])
def test_errors_exit_2_with_a_message(emu: Emulator, capsys, monkeypatch: pytest.MonkeyPatch,
                                      extra: list[str], fragment: str) -> None:
    monkeypatch.delenv("SARGUARD_EMULATOR_TOKEN", raising=False)
    assert main(["emulator", "report", "--url", emu.url, *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sarguard emulator: error: ") and fragment in err
    assert "Traceback" not in err


def test_refuses_a_url_off_the_machine(capsys) -> None:
    """The request carries the emulator's token: it never goes anywhere but loopback."""
    assert main(["emulator", "report", "--url", "https://acme.okta.com", "--user", "x",
                 "--token", TOKEN]) == 2
    assert "loopback" in capsys.readouterr().err


def test_unreachable_emulator_exits_2(capsys) -> None:
    assert main(["emulator", "report", "--url", "http://127.0.0.1:9", "--user", "x",
                 "--token", TOKEN]) == 2
    assert "could not be reached" in capsys.readouterr().err


def test_the_token_is_masked_where_an_answer_echoes_it(emu: Emulator, capsys,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The client registers the emulator's token for redaction: an answer carrying it back
    (here the unknown-user error, which names the user asked for) shows ``***`` instead."""
    monkeypatch.setenv("SARGUARD_EMULATOR_TOKEN", TOKEN)
    code = main(["emulator", "report", "--url", emu.url, "--user", f"x{TOKEN}"])
    err = capsys.readouterr().err
    assert code == 2 and "x***" in err, err
    assert TOKEN not in err
