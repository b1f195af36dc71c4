"""``sarguard controls``: the control catalog and its framework mappings, as text or JSON.

Pure: controls in, a string out. Without a framework, one row per control with the requirements
it supports; with one, one row per requirement of that framework with the controls that support
it and why. Every view says the mapping is sarguard's own (no framework publishes one).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sarguard.controls.base import Control
from sarguard.controls.frameworks import (
    FRAMEWORK_NAMES,
    MAPPING_NOTE,
    MAPPING_SOURCE,
    by_requirement,
)
from sarguard.util.texttable import table_to_text, wrap_whole


def catalog_json(controls: Sequence[Control], framework: str | None = None) -> str:
    """``{"source", "note", "controls": [...]}``, or for one framework ``{"framework", "name",
    "source", "note", "requirements": [{"id", "controls": [{"control", "title", "rationale"}]}]}``."""
    head: dict[str, Any] = {"source": MAPPING_SOURCE, "note": MAPPING_NOTE}
    if framework is None:
        doc = {**head, "frameworks": dict(FRAMEWORK_NAMES), "controls": [{
            "id": c.id, "policyName": c.policy_name, "title": c.title, "severity": c.severity,
            "level": c.default_level,
            "frameworks": [{"framework": r.framework, "id": r.requirement, "rationale": r.rationale}
                           for r in c.frameworks],
        } for c in controls]}
    else:
        doc = {"framework": framework, "name": FRAMEWORK_NAMES[framework], **head, "requirements": [
            {"id": requirement, "controls": [
                {"control": c.id, "title": c.title, "rationale": r.rationale} for c, r in pairs]}
            for requirement, pairs in by_requirement(controls, framework)]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def catalog_text(controls: Sequence[Control], framework: str | None = None,
                 width: int | None = None) -> str:
    """The catalog as a table, or one framework's requirements with the controls behind each."""
    if framework is None:
        rows = [[c.id, c.severity, c.default_level, c.title,
                 "\n".join(_framework_line(c, key) for key in FRAMEWORK_NAMES
                           if _framework_line(c, key))] for c in controls]
        table = _table(["Control", "Severity", "Level", "Title", "Frameworks"], rows, width)
        return f"{table}\n{_fit(f'{len(controls)} controls. Frameworks: {MAPPING_NOTE}.', width)}\n"
    rows = [[requirement, "\n".join(f"{c.id}: {r.rationale}" for c, r in pairs)]
            for requirement, pairs in by_requirement(controls, framework)]
    table = _table([FRAMEWORK_NAMES[framework], "Supported by (why)"], rows, width)
    return f"{table}\n{_fit(f'{len(rows)} requirements. {MAPPING_NOTE}.', width)}\n"


def _fit(line: str, width: int | None) -> str:
    return line if width is None else "\n".join(wrap_whole(line, width))


def _framework_line(control: Control, framework: str) -> str:
    ids = [r.requirement for r in control.frameworks if r.framework == framework]
    return f"{framework}: {', '.join(ids)}" if ids else ""


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None) -> str:
    return table_to_text(None, headers, rows, width, show_lines=True, multiline=True).rstrip("\n")
