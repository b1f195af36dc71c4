"""Okta's System Log event type catalog, as facts sarguard can check names against.

Why: hooks may only subscribe to event-hook-eligible types, and every System Log query, Sigma
rule and scope sarguard writes must name a type that exists. The data is derived from Okta's
published catalog by ``tools/build_event_catalog.py`` into ``sarguard/data/event_catalog.json``
(all public types; loaded once, on first use).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_DATA_FILE = "event_catalog.json"


@dataclass(frozen=True)
class EventType:
    """One System Log event type and the facts sarguard needs about it."""

    name: str
    category: str
    hook_eligible: bool
    oie_only: bool
    description: str


class CatalogDataError(RuntimeError):
    """The packaged catalog file is missing or malformed (a packaging bug, not user input)."""


@dataclass(frozen=True)
class _Catalog:
    release: str
    by_name: dict[str, EventType]


@lru_cache(maxsize=1)
def _catalog() -> _Catalog:
    where = f"sarguard/data/{_DATA_FILE}"
    try:
        text = resources.files("sarguard.data").joinpath(_DATA_FILE).read_text(encoding="utf-8")
        doc = json.loads(text)
    except (OSError, ModuleNotFoundError, json.JSONDecodeError) as exc:
        raise CatalogDataError(f"{where}: cannot load the event catalog ({exc})") from exc
    columns = doc.get("columns") if isinstance(doc, dict) else None
    expected = ["name", "category", "hook_eligible", "oie_only", "description"]
    if columns != expected or not isinstance(doc.get("types"), list):
        raise CatalogDataError(f"{where}: expected columns {expected} and a 'types' list")
    by_name: dict[str, EventType] = {}
    for index, row in enumerate(doc["types"]):
        if not (isinstance(row, list) and len(row) == len(expected)):
            raise CatalogDataError(f"{where}: types[{index}]: expected a {len(expected)}-item row")
        name, category, eligible, oie, description = row
        by_name[name] = EventType(name, category, bool(eligible), bool(oie), description)
    return _Catalog(release=str(doc.get("release", "")), by_name=by_name)


def lookup(event_type: str) -> EventType | None:
    """The catalog entry for ``event_type``, or None when Okta publishes no such type."""
    return _catalog().by_name.get(event_type)


def exists(event_type: str) -> bool:
    """True when ``event_type`` is a published event type."""
    return event_type in _catalog().by_name


def is_hook_eligible(event_type: str) -> bool:
    """True when an event hook may subscribe to ``event_type``."""
    entry = lookup(event_type)
    return bool(entry and entry.hook_eligible)


def all_types() -> list[EventType]:
    """Every published event type, sorted by name."""
    return sorted(_catalog().by_name.values(), key=lambda e: e.name)


def catalog_release() -> str:
    """The Okta release the packaged catalog was derived from (e.g. ``2026.08.1``)."""
    return _catalog().release


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def list_types(pattern: str | None = None, eligible_only: bool = False) -> list[EventType]:
    """Types for ``sarguard events [PATTERN] [--eligible]``.

    ``pattern`` is a glob (``event_hook.*``) when it holds ``*``, ``?`` or ``[``, otherwise a
    case-insensitive substring of the name. None or empty lists everything.
    """
    needle = (pattern or "").strip().lower()
    out = []
    for entry in all_types():
        if eligible_only and not entry.hook_eligible:
            continue
        if needle:
            name = entry.name.lower()
            if _is_glob(needle):
                if not fnmatch.fnmatchcase(name, needle):
                    continue
            elif needle not in name:
                continue
        out.append(entry)
    return out
