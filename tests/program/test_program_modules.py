"""After running a project's program, sarguard forgets the project's own modules (another
project in the same process may have a module of the same name) — but never an installed
package or sarguard itself: a project's ``.venv`` is often inside the project (Pulumi's own
``virtualenv`` option puts it there), and forgetting ``pulumi_okta`` makes its next import
register the package twice, which Pulumi refuses ("Cannot re-register package okta")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pulumi_okta

import sarguard.pulumi.program
from sarguard.pulumi.userprogram import _project_module
from tests.conftest import REPO_ROOT


def test_installed_packages_and_sarguard_are_never_forgotten(tmp_path: Path) -> None:
    venv_inside = Path(pulumi_okta.__file__).resolve()
    assert not _project_module("pulumi_okta", venv_inside, venv_inside.parents[3])
    assert not _project_module("sarguard.pulumi.program",
                               Path(sarguard.pulumi.program.__file__).resolve(), REPO_ROOT)
    (tmp_path / "helpers.py").write_text("X = 1\n")
    assert _project_module("helpers", (tmp_path / "helpers.py").resolve(), tmp_path.resolve())


def test_two_runs_in_one_process_with_the_venv_inside_the_project(tmp_path: Path) -> None:
    """The first run imports pulumi_okta (from this checkout's .venv when it is inside it); the
    second must still run."""
    code = ("from sarguard.cli import main\n"
            f"print(main(['check', '--stack', 'minimal', '--project-dir', {str(REPO_ROOT)!r}, "
            f"'--format', 'json', '--output', {str(tmp_path / 'a.json')!r}]))\n"
            f"print(main(['check', '--stack', 'demo', '--project-dir', {str(REPO_ROOT)!r}, "
            f"'--format', 'json', '--output', {str(tmp_path / 'b.json')!r}]))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, cwd=REPO_ROOT)
    assert result.stdout.split() == ["0", "0"], result.stderr[-3000:]
