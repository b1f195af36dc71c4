"""The CLI's wiring: every command registers, every "could not run" error shares one base.

These guard the failure mode the old wiring had: a command whose module failed to import was
silently left out of ``sarguard --help``, and the list of error classes the CLI caught was a list
of strings whose misses were dropped, so a renamed class turned a clear message into a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

import pytest

import sarguard
from sarguard import cli
from sarguard.errors import SarguardError, UsageError

# Every error that means "this input, these settings or this org cannot be used": each must be a
# SarguardError so ``cli.main`` turns it into exit 2 with its message.
_REPO = Path(__file__).resolve().parents[2]

COULD_NOT_RUN = [
    ("sarguard.pulumi.stack", "StackFileError"),
    ("sarguard.settings.errors", "SettingsError"),
    ("sarguard.verdicts.policy_config", "PolicyConfigError"),
    ("sarguard.verdicts.waivers", "WaiverError"),
    ("sarguard.verdicts.ignores", "IgnoreError"),
    ("sarguard.verdicts.rulefile", "RuleFileError"),
    ("sarguard.okta.errors", "OktaError"),
    ("sarguard.okta.errors", "OktaConfigError"),
    ("sarguard.okta.errors", "OktaAuthError"),
    ("sarguard.evidence.stack_export", "StackExportError"),
    ("sarguard.systemlog.filters", "FilterError"),
    ("sarguard.systemlog.durations", "DurationError"),
    ("sarguard.systemlog.evidence", "SystemLogUnavailable"),
    ("sarguard.emulator.errors", "EmulatorError"),
    ("sarguard.errors", "UsageError"),
    ("sarguard.adopt.errors", "AdoptError"),
]


@pytest.mark.parametrize(("module", "name"), COULD_NOT_RUN, ids=[n for _, n in COULD_NOT_RUN])
def test_could_not_run_errors_share_one_base(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, SarguardError)


def test_every_module_imports() -> None:
    """A module that cannot import would break a command at run time: import them all."""
    for info in pkgutil.walk_packages(sarguard.__path__, prefix="sarguard."):
        if info.name.endswith("__main__"):
            continue  # running them is their job (python -m sarguard exits)
        importlib.import_module(info.name)


def test_every_command_is_registered() -> None:
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) == set(cli.COMMANDS)
    for name in cli.COMMANDS:
        assert subparsers.choices[name].get_default("_run") is not None, name


def test_a_broken_command_module_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli.COMMANDS, "ghost", ("sarguard.commands.no_such_module", "never"))
    with pytest.raises(ModuleNotFoundError):
        cli.build_parser()


def test_main_turns_any_sarguard_error_into_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    class NewKindOfError(SarguardError):
        """One that no list anywhere names: the base alone must be enough."""

    def boom(args: argparse.Namespace) -> int:
        raise NewKindOfError("the org said no")

    import sarguard.commands.events as events

    monkeypatch.setattr(events, "run", boom)
    assert cli.main(["events"]) == 2
    err = capsys.readouterr().err
    assert "sarguard events: error: the org said no" in err
    assert "Traceback" not in err


def test_usage_error_is_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sarguard.commands.events as events

    def bad(args: argparse.Namespace) -> int:
        raise UsageError("--since and --until disagree")

    monkeypatch.setattr(events, "run", bad)
    assert cli.main(["events"]) == 2
    assert "--since and --until disagree" in capsys.readouterr().err


def test_import_contracts_hold() -> None:
    """The architecture's rules in pyproject.toml (controls and drift do no I/O, renderers are
    pure, adapters import no command, no cycles between packages) hold for this tree.

    In a process of its own: import-linter's logging set-up (``dictConfig`` with
    ``disable_existing_loggers``) would otherwise silence every logger of the test process, and
    the tests that read the responder's log lines after it would see nothing."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(exe), "--no-cache"],  # reads pyproject.toml in cwd
                            cwd=_REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
