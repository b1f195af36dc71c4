"""Ignore file: known, accepted drift or unreadable evidence.

A YAML list::

    - resource: eventHook/soc-siem            # glob over resource keys (see globmatch)
      field: channel.config.headers.*         # optional: dotted Okta field name or glob
      reason: Header rotated by the SOAR platform

An entry without ``field`` covers every drift item of the matching resources *and* their unread
entries; an entry with ``field`` covers only drift items of that field. Ignored items are kept
in reports (flagged, with the reason) but no longer affect the exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sarguard.report.model import DriftItem, UnreadItem
from sarguard.util.suggest import did_you_mean
from sarguard.verdicts.globmatch import FIELD_SEP, glob_match
from sarguard.verdicts.rulefile import (
    RuleFileError,
    check_keys,
    locates_errors,
    read_entries,
    require_text,
    text_value,
)

IGNORE_KEYS = ("resource", "field", "reason")


class IgnoreError(RuleFileError):
    """The ignore file is unusable; the message names file, ``[index].key`` and expectation."""


@dataclass(frozen=True)
class IgnoreRule:
    resource: str  # glob over resource keys
    reason: str
    field: str | None = None  # glob over dotted field names; None = whole resource
    source: str = ""
    index: int = 0

    def matches_drift(self, item: DriftItem) -> bool:
        if not glob_match(self.resource, item.resource):
            return False
        return self.field is None or glob_match(self.field, item.field, FIELD_SEP)

    def matches_unread(self, item: UnreadItem) -> bool:
        return self.field is None and glob_match(self.resource, item.resource)

    def describe(self) -> str:
        target = f"'{self.resource}'" + (f" field '{self.field}'" if self.field else "")
        where = f" ({self.source} [{self.index}])" if self.source else ""
        return target + where


@locates_errors
def load_ignores(path: str | Path) -> list[IgnoreRule]:
    """Load and validate an ignore file; raise :class:`IgnoreError` on any problem."""
    name = str(path)
    rules: list[IgnoreRule] = []
    for index, entry in enumerate(read_entries(path, IgnoreError, IGNORE_KEYS)):
        check_keys(entry, index, name, IgnoreError, IGNORE_KEYS)
        field = None
        if "field" in entry:
            field = text_value(entry["field"], index, "field", name, IgnoreError)
        rules.append(
            IgnoreRule(
                resource=require_text(entry, index, "resource", name, IgnoreError),
                reason=require_text(entry, index, "reason", name, IgnoreError),
                field=field,
                source=name,
                index=index,
            )
        )
    return rules


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def apply_ignores(
    drift: list[DriftItem], unread: list[UnreadItem], rules: list[IgnoreRule]
) -> None:
    """Flag matching items in place (``ignored=True`` plus the first matching rule's reason)."""
    for item in drift:
        if not item.ignored and (rule := _first(rules, item, IgnoreRule.matches_drift)):
            item.ignored, item.reason = True, rule.reason
    for entry in unread:
        if not entry.ignored and (rule := _first(rules, entry, IgnoreRule.matches_unread)):
            entry.ignored, entry.ignore_reason = True, rule.reason


def _first(rules: list[IgnoreRule], item: Any, matches: Callable[[IgnoreRule, Any], bool]) -> IgnoreRule | None:
    return next((r for r in rules if matches(r, item)), None)


def unused_ignore_warnings(
    drift: list[DriftItem], unread: list[UnreadItem], rules: list[IgnoreRule]
) -> list[str]:
    """Warnings for rules that matched no drift or unread item (stale entries).

    Only meaningful for a run that compared the whole org (``drift``/``audit``); callers decide
    whether to add these to the report.
    """
    warnings: list[str] = []
    for rule in rules:
        if any(rule.matches_drift(d) for d in drift) or any(rule.matches_unread(u) for u in unread):
            continue
        seen = [d.resource for d in drift] + [u.resource for u in unread]
        warnings.append(
            f"ignore entry for {rule.describe()} matched no drift or unread item"
            f"{'' if _is_glob(rule.resource) else did_you_mean(rule.resource, seen)}; remove it "
            "if it is no longer needed"
        )
    return warnings
