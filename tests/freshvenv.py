"""Fresh virtual environments for the ``network`` tests: what a user's machine or Pulumi Cloud's
enforcement gets, built from the package index and nothing else on this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

INSTALL_LIMIT_S = 1200  # a hang guard for pip on a slow index, not a performance assertion


def clean_env() -> dict[str, str]:
    """The environment without anything that would let a child see this checkout or its venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def fresh_venv(where: Path) -> Path:
    """A new venv at ``where``; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300, env=clean_env())
    return where / "bin" / "python"


def pip_install_requirements(python: Path, cwd: Path) -> None:
    """``pip install -r requirements.txt`` from inside ``cwd``, as the Pulumi CLI runs it."""
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
                            cwd=cwd, env=clean_env(), capture_output=True, text=True,
                            timeout=INSTALL_LIMIT_S)
    assert result.returncode == 0, f"pip install -r requirements.txt failed:\n{result.stderr[-4000:]}"
