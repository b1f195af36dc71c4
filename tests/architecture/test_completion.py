"""``sarguard completion SHELL`` completes what ``--help`` shows, in the real shells: each script
is loaded by bash, zsh and fish themselves (Debian packages, installed by .ci/run; a shell that is
absent skips with its name) and asked to complete a partial command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sarguard.cli import COMMANDS

LIMIT_S = 60  # hang guard only


def _script(shell: str, tmp_path: Path) -> Path:
    result = subprocess.run([sys.executable, "-m", "sarguard", "completion", shell],
                            capture_output=True, text=True, timeout=LIMIT_S, check=True)
    path = tmp_path / f"sarguard.{shell}"
    path.write_text(result.stdout)
    return path


def _shell(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} is not installed (Debian package {name}; .ci/run installs it)")
    return exe


def _bash_complete(script: Path, words: list[str]) -> list[str]:
    line = " ".join(words)
    code = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; "
            f"COMP_LINE='{line}'; COMP_POINT={len(line)}; _shtab_sarguard; "
            'printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run([_shell("bash"), "-c", code], capture_output=True, text=True,
                         timeout=LIMIT_S)
    return out.stdout.split()


def test_bash_completes_every_subcommand_and_their_flags(tmp_path: Path) -> None:
    script = _script("bash", tmp_path)
    assert sorted(_bash_complete(script, ["sarguard", ""])) == sorted(COMMANDS)
    assert _bash_complete(script, ["sarguard", "dr"]) == ["drift", "drill"]
    assert "--org-url" in _bash_complete(script, ["sarguard", "drift", "--"])


def test_zsh_loads_the_script(tmp_path: Path) -> None:
    script = _script("zsh", tmp_path)
    result = subprocess.run([_shell("zsh"), "-n", str(script)], capture_output=True, text=True,
                            timeout=LIMIT_S)
    assert result.returncode == 0, result.stderr
    assert "#compdef sarguard" in script.read_text()


def test_fish_completes_subcommands_and_flags(tmp_path: Path) -> None:
    script = _script("fish", tmp_path)
    fish = _shell("fish")

    def complete(line: str) -> list[str]:
        out = subprocess.run([fish, "-c", f"source {script}; complete -C '{line}'"],
                             capture_output=True, text=True, timeout=LIMIT_S)
        assert out.returncode == 0, out.stderr
        return [row.split("\t")[0] for row in out.stdout.splitlines()]

    assert complete("sarguard dr") == ["drift", "drill"]
    assert "--format" in complete("sarguard check --for")
    assert {"json", "sarif", "text"} <= set(complete("sarguard check --format "))


def test_an_unknown_shell_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "sarguard", "completion", "powershell"],
                            capture_output=True, text=True, timeout=LIMIT_S)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
