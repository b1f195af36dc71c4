"""Fixtures shared by the report tests."""

from __future__ import annotations

import json

import pytest

from tests.report.sample import reference_dir


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    """The SARIF 2.1.0 schema from ../shared/reference (skip when it is absent)."""
    path = reference_dir() / "sarif-schema-2.1.0.json"
    if not path.is_file():
        pytest.skip(f"SARIF schema not found at {path} (../shared/reference is absent)")
    return json.loads(path.read_text(encoding="utf-8"))
