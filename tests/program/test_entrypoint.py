"""``__main__.py`` as the Pulumi CLI runs it: config from the engine, not from sarguard's reader."""

from __future__ import annotations

import runpy

import pulumi
import pytest

from sarguard.pulumi.declared import run_program
from sarguard.pulumi.mockengine import run_under_mocks
from sarguard.pulumi.program import COMPONENT_TYPE
from sarguard.pulumi.stack import load_stack_config
from tests.conftest import REPO_ROOT


def run_main(monkeypatch, config: dict) -> list[str]:
    monkeypatch.chdir(REPO_ROOT)

    def declare():
        runpy.run_path(str(REPO_ROOT / "__main__.py"))
        return {}

    run = run_under_mocks(declare, project="sarguard", stack="demo", config=config, parent_type=COMPONENT_TYPE)
    return sorted(r.name for r in run.resources)


def test_main_declares_what_the_offline_run_declares(monkeypatch):
    config = load_stack_config("demo", REPO_ROOT).values
    assert run_main(monkeypatch, config) == sorted(r.name for r in run_program("demo", REPO_ROOT).mock.resources)


def test_main_rejects_a_plaintext_hook_secret(monkeypatch):
    config = dict(load_stack_config("demo", REPO_ROOT).values)
    config["sarguard:eventHookSecret"] = "plain-value"  # not a SecureValue: not a secret key
    with pytest.raises(pulumi.RunError) as info:
        run_main(monkeypatch, config)
    message = str(info.value)
    assert "sarguard:eventHookSecret: is plaintext" in message
    assert "plain-value" not in message


def test_main_reports_settings_errors_with_the_stack_file(monkeypatch):
    config = dict(load_stack_config("demo", REPO_ROOT).values)
    config["sarguard:settings"] = {"brands": [{"id": "default", "templatez": {}}]}
    with pytest.raises(pulumi.RunError, match=r"stacks/Pulumi\.demo\.yaml.*brands\[0\]\.templatez: unknown key"):
        run_main(monkeypatch, config)
