"""Small helpers shared by the report tests."""

from __future__ import annotations

from pathlib import Path


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
