"""End-to-end: the CLI against the bundled emulator on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from sarguard.cli import main
from sarguard.emulator import Emulator
from tests.conftest import REPO_ROOT


@pytest.fixture
def emulator(monkeypatch):
    """A fresh emulator per test (seeded 'demo'); the SSWS token goes in the environment."""
    started: list[Emulator] = []

    def start(seed: str = "demo", **kwargs) -> Emulator:
        emu = Emulator(seed=seed, **kwargs)
        emu.start(port=0)
        started.append(emu)
        monkeypatch.setenv("OKTA_API_TOKEN", emu.token)
        for name in ("OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "OKTA_API_PRIVATE_KEY_ID",
                     "OKTA_API_SCOPES", "OKTA_ORG_NAME", "OKTA_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("SARGUARD_NO_PROGRESS", "1")
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture
def run_json(capsys):
    """Run a sarguard command with --format json; return (exit code, parsed report)."""

    def run(*argv: str) -> tuple[int, dict]:
        code = main([*argv, "--project-dir", str(REPO_ROOT), "--format", "json"])
        out = capsys.readouterr().out
        return code, json.loads(out)

    return run
