"""``sarguard emulator`` as a process: first line, token, SIGTERM exit, bad input exit 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from sarguard.emulator.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "sarguard.emulator", *args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def test_first_line_is_listening_then_token_and_sigterm_exits_0() -> None:
    proc = _spawn("--port", "0", "--seed", "in-sync", "--token", "cli-test-token-1")
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        second = proc.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:")
        assert second == "token: cli-test-token-1"
        url = first.removeprefix("listening on ")
        with httpx.Client(trust_env=False) as client:
            r = client.get(url + "/api/v1/users/me",
                           headers={"Authorization": "SSWS cli-test-token-1"})
        assert r.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_seed_file_exits_2_naming_the_file_without_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "org.yaml"
    broken.write_text("org: {name: demo}\nusers: [{id: nope}]\n", encoding="utf-8")
    out, err = (proc := _spawn("--seed", str(broken))).communicate(timeout=20)
    assert proc.returncode == 2
    assert str(broken) in err and "users[0]" in err and "Traceback" not in err
    assert out == ""


@pytest.mark.parametrize("args, fragment", [
    (["--seed", "no-such-seed"], "no such seed file"),
    (["--rate-limit", "/api/v1=lots"], "rate limits"),
    (["--faults", "/api/v1:boom"], "unknown kind"),
    (["--port", "-5"], "port"),
    (["--latency-ms", "-1"], "latency_ms"),
])
def test_bad_flags_exit_2_with_a_message(capsys, args: list[str], fragment: str) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("sarguard emulator: error: ") and fragment in captured.err
