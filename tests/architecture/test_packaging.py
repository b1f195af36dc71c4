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
