"""Assertion helpers shared by the drift tests."""

from __future__ import annotations

from sarguard.drift import DriftResult
from sarguard.report.model import DriftItem


def only_item(result: DriftResult) -> DriftItem:
    """The single drift item of a result (fails with the full list otherwise)."""
    assert len(result.items) == 1, result.items
    return result.items[0]


def triples(result: DriftResult) -> list[tuple[str, str, str]]:
    return [(i.kind, i.resource, i.field) for i in result.items]
