"""Colour follows the conventions: ``--color`` wins, then NO_COLOR, then FORCE_COLOR, then a TTY.

NO_COLOR: https://no-color.org ("when present and not an empty string ... prevents the addition
of ANSI color"); FORCE_COLOR: https://force-color.org ("when present and not an empty string
... forces the addition of ANSI color"), and NO_COLOR wins over it when both are set.
"""

from __future__ import annotations

import io
import json

import pytest

from sarguard.cli import main
from sarguard.commands.common import use_color

ANSI = "\x1b["


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("choice", "env", "tty", "expected"), [
    ("auto", {}, False, False),
    ("auto", {}, True, True),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),  # set but empty: no effect
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"FORCE_COLOR": ""}, False, False),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_rules(choice, env, tty, expected) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert use_color(choice, stream, env) is expected


def test_files_get_colour_only_when_forced() -> None:
    assert use_color("auto", None, {}) is False
    assert use_color("auto", None, {"FORCE_COLOR": "1"}) is True
    assert use_color("always", None, {}) is True


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": []}}))
    return str(path)


@pytest.mark.parametrize(("argv", "env", "colour"), [
    ([], {}, False),
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (["--color", "always"], {"NO_COLOR": "1"}, True),
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
])
def test_the_cli_text_report_follows_the_rules(export, monkeypatch, capsys, argv, env, colour):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    main(["check", "--state", export, *argv])
    out = capsys.readouterr().out
    assert out.startswith(("PASSED", "FAILED", "COULD NOT RUN", ANSI))
    assert (ANSI in out) is colour


def test_machine_formats_never_get_colour(export, monkeypatch, capsys):
    monkeypatch.setenv("FORCE_COLOR", "1")
    main(["check", "--state", export, "--format", "json", "--color", "always"])
    assert ANSI not in capsys.readouterr().out
