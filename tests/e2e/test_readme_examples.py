"""The runnable examples of the README and the docs pages run, and exit as the page says.

A fenced block preceded by ``<!-- example: exit N -->`` is runnable: the test copies the project
to a scratch directory, runs the block there with ``bash -e -o pipefail`` (so the block's exit
code is its first failing command's, or 0) and checks it is N. ``<!-- example: exit N; emulator:
SEED -->`` first starts the bundled emulator with that seed, accepting the token the README
exports (``sarguard-demo-token``), and points the block's ``127.0.0.1:8080`` at it (the port is
free-chosen: other test workers run at the same time). Blocks that need the Pulumi CLI or a real
org stay unmarked.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sarguard.emulator import Emulator
from tests.conftest import DOC_FILES, REPO_ROOT

EMULATOR_TOKEN = "sarguard-demo-token"
README_ADDRESS = "127.0.0.1:8080"
_MARKER = re.compile(r"<!--\s*example:\s*exit\s+(\d+)\s*(?:;\s*emulator:\s*([\w-]+)\s*)?-->")
_FENCE = re.compile(r"^```(\w*)\s*$")
# What a scratch copy leaves out: caches, the venv, VCS data and the test suite itself.
_SKIP = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache",
                               "*.egg-info", "node_modules", "tests", "build", "dist", "site")


@dataclass(frozen=True)
class Example:
    line: int
    code: int
    emulator: str | None
    script: str
    page: str = "README.md"

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def examples(text: str, page: str = "README.md") -> list[Example]:
    """Every marked block: the marker must sit right before the opening fence."""
    out: list[Example] = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _MARKER.search(line)
        if not match:
            continue
        fence = index + 1
        assert fence < len(lines) and _FENCE.match(lines[fence]), \
            f"{page}:{index + 1}: an example marker must be followed by a fenced block"
        end = next(i for i in range(fence + 1, len(lines)) if lines[i].startswith("```"))
        out.append(Example(fence + 1, int(match.group(1)), match.group(2),
                           "\n".join(lines[fence + 1:end]) + "\n", page))
    return out


EXAMPLES = [example for path in DOC_FILES
            for example in examples(path.read_text(encoding="utf-8"),
                                    path.relative_to(REPO_ROOT).as_posix())]


def test_the_readme_has_runnable_examples() -> None:
    assert len(EXAMPLES) >= 6
    assert {e.code for e in EXAMPLES} >= {0, 1, 2}
    assert any(e.emulator for e in EXAMPLES)
    assert all(EMULATOR_TOKEN in e.script for e in EXAMPLES if e.emulator)


@pytest.fixture(scope="module")
def scratch_template(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("readme-project") / "sarguard"
    shutil.copytree(REPO_ROOT, target, ignore=_SKIP)
    return target


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_readme_example(example: Example, scratch_template: Path, tmp_path: Path) -> None:
    project = tmp_path / "sarguard"
    shutil.copytree(scratch_template, project)
    script = example.script
    emulator = None
    if example.emulator:
        emulator = Emulator(seed=example.emulator, token=EMULATOR_TOKEN)
        emulator.start(port=0)
        script = script.replace(README_ADDRESS, emulator.url.split("://", 1)[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKTA_", "SARGUARD_"))}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               SARGUARD_NO_PROGRESS="1", NO_COLOR="1")
    try:
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=project, env=env,
                              capture_output=True, text=True, timeout=180, check=False)
    finally:
        if emulator is not None:
            emulator.stop()
    assert done.returncode == example.code, (
        f"{example}: exit {done.returncode}, the page says {example.code}\n"
        f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}")
    assert "Traceback" not in done.stderr
