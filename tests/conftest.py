"""Shared test helpers: the repo root, the reference folder, and throwaway Pulumi projects."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are part of the normal suite: the same examples every run (no flaky CI), no
# per-example deadline on a busy two-core machine.
settings.register_profile("sarguard", derandomize=True, deadline=None)
settings.load_profile("sarguard")

# The reliability fault matrix prints its table in the summary of any run that includes it.
pytest_plugins = ["tests.reliability.summary"]

REPO_ROOT = Path(__file__).resolve().parents[1]
# What a user reads: the README (the landing page) and the docs site's handwritten pages.
DOC_FILES = [REPO_ROOT / "README.md",
             *sorted(p for p in (REPO_ROOT / "docs").rglob("*.md") if "hooks" not in p.parts)]


def docs_text() -> str:
    """The README and every docs page, one after the other."""
    return "\n\n".join(p.read_text(encoding="utf-8") for p in DOC_FILES)
REFERENCE = REPO_ROOT.parent / "shared" / "reference"
# The start of a throwaway stack file: an org, the hook secret (a Pulumi secret), the settings key.
STACK_HEAD = """\
config:
  okta:orgName: acme
  sarguard:eventHookSecret:
    secure: AAABAGNpcGhlcnRleHQ=
  sarguard:settings:
"""


def reference_file(name: str) -> Path:
    """A file from ../shared/reference, or skip: a user's clone has no ../shared."""
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip(f"reference file {name} not available (../shared/reference is absent in this checkout)")
    return path


@pytest.fixture
def make_project(tmp_path: Path):
    """Write a Pulumi project with one stack file; returns the project directory."""

    def make(stack_yaml: str, stack: str = "test", files: dict[str, str] | None = None) -> Path:
        project = tmp_path / "project"
        (project / "stacks").mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
        (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(textwrap.dedent(stack_yaml), "utf-8")
        for rel, text in (files or {}).items():
            target = project / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        return project

    return make


@pytest.fixture(autouse=True)
def _no_inherited_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text output follows ``COLUMNS`` (util/termwidth): a value inherited from whoever runs the
    suite must not change what a test sees. Tests about widths set it themselves."""
    monkeypatch.delenv("COLUMNS", raising=False)
