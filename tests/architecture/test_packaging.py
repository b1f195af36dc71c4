"""pyproject.toml's license metadata is the PEP 639 form, with a build backend that reads it.

setuptools 77.0.0 added the ``project.license`` SPDX expression (changelog v77.0.0, "Added
initial support for license expression (PEP 639)") and warns on every build that "project.license
as a TOML table is deprecated ... Please use a simple string containing a SPDX expression
(available on setuptools>=77.0.0)" (setuptools ``config/_apply_pyprojecttoml.py``); versions
before 77 reject the string form, so the build requirement must say ``>=77``. PEP 639 also
deprecates ``License ::`` classifiers next to an expression.
"""

from __future__ import annotations

import re
import tomllib

from tests.conftest import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_expression_string() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert not any(c.startswith("License ::") for c in PYPROJECT["project"].get("classifiers", []))


def test_the_build_backend_requirement_reads_it() -> None:
    [setuptools] = [r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    match = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools.replace(" ", ""))
    assert match and int(match.group(1)) >= 77, setuptools


def test_the_version_lives_in_one_place_and_the_cli_prints_it() -> None:
    """pyproject.toml reads the version from sarguard/__init__.py (setuptools' ``attr:``), so a
    release changes one line; ``sarguard --version`` and the installed metadata agree with it."""
    import importlib.metadata
    import subprocess
    import sys

    import sarguard

    assert "version" not in PYPROJECT["project"], "the version is dynamic, read from the package"
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "sarguard.__version__"}
    printed = subprocess.run([sys.executable, "-m", "sarguard", "--version"], capture_output=True,
                             text=True, timeout=60, check=True).stdout.strip()
    assert printed == f"sarguard {sarguard.__version__}"
    assert importlib.metadata.version("sarguard") == sarguard.__version__


def test_the_open_source_files_are_there() -> None:
    license_text = (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in license_text
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in changelog and "## [Unreleased]" in changelog
    security = (REPO_ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "Reporting a vulnerability" in security and "Threat model" in security
    assert "## Adding a control" in (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_an_index_shows_urls_and_classifiers() -> None:
    project = PYPROJECT["project"]
    assert {"Homepage", "Documentation", "Repository", "Issues", "Changelog"} <= set(project["urls"])
    assert "Topic :: Security" in project["classifiers"]
    assert project["readme"] == "README.md"
