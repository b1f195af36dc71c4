"""Regenerate ``sarguard/data/event_catalog.json`` from Okta's published event type catalog.

Why a generator: the reference files are large and stay out of the repo; sarguard only needs a
few derived facts per event type (name, category, event-hook eligibility, Identity-Engine-only,
a one-line title). Run it when Okta publishes a new catalog and commit the output:

    .venv/bin/python tools/build_event_catalog.py [--reference DIR] [--out FILE]

The CSV decides which types exist (Okta's public, non-beta, non-internal list) and their tags;
the JSON adds each type's category and the catalog release. Both must agree on the tags.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
DEFAULT_OUT = REPO / "sarguard" / "data" / "event_catalog.json"

ELIGIBLE_TAG = "event-hook-eligible"
OIE_TAG = "oie-only"
MAX_DESCRIPTION = 160


class CatalogSourceError(Exception):
    """The reference files are missing or not shaped as expected."""


def _tags(raw: str) -> set[str]:
    return {t.strip() for t in raw.split(",") if t.strip()}


def short_description(text: str) -> str:
    """The catalog entry's first sentence (its title), bounded so the data file stays small."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    first = match.group(1) if match else text
    if len(first) > MAX_DESCRIPTION:
        first = first[: MAX_DESCRIPTION - 1].rstrip() + "…"
    return first


def read_csv(path: Path) -> dict[str, dict[str, object]]:
    """Event type -> {tags, description} from the CSV (the authoritative public list)."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            fields = {(f or "").strip() for f in reader.fieldnames or []}
            for needed in ("Event Type", "Description", "Tags"):
                if needed not in fields:
                    raise CatalogSourceError(f"{path}: expected a column named {needed!r}")
            out: dict[str, dict[str, object]] = {}
            for row in reader:
                row = {(k or "").strip(): (v or "") for k, v in row.items()}
                name = row["Event Type"].strip()
                if name:
                    out[name] = {"tags": _tags(row["Tags"]), "description": row["Description"]}
            return out
    except OSError as exc:
        raise CatalogSourceError(f"{path}: cannot read ({exc.strerror})") from exc


def read_json(path: Path) -> tuple[str, dict[str, dict[str, object]]]:
    """(release, event type -> {category, tags}) from the JSON catalog."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogSourceError(f"{path}: cannot read ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise CatalogSourceError(f"{path}: not valid JSON ({exc})") from exc
    try:
        versions = doc["versions"]
        types = [t for v in versions for t in v["eventTypes"]]
        release = str(doc.get("release", ""))
        return release, {
            t["id"]: {"category": t.get("category") or "", "tags": set(t.get("tags") or [])}
            for t in types
        }
    except (KeyError, TypeError) as exc:
        raise CatalogSourceError(
            f"{path}: expected versions[].eventTypes[] with id/category/tags ({exc})"
        ) from exc


def build(reference: Path) -> dict[str, object]:
    """The compact catalog document written to ``event_catalog.json``."""
    listed = read_csv(reference / "okta-event-types.csv")
    release, detail = read_json(reference / "okta-event-types.json")
    rows: list[list[object]] = []
    for name in sorted(listed):
        entry = listed[name]
        tags = entry["tags"]
        assert isinstance(tags, set)
        extra = detail.get(name)
        if extra is None:
            raise CatalogSourceError(f"okta-event-types.json: no entry for {name!r} from the CSV")
        if extra["tags"] != tags:
            raise CatalogSourceError(f"{name}: CSV and JSON tags disagree")
        rows.append(
            [
                name,
                extra["category"],
                int(ELIGIBLE_TAG in tags),
                int(OIE_TAG in tags),
                short_description(str(entry["description"])),
            ]
        )
    return {
        "about": "Derived from Okta's event type catalog by tools/build_event_catalog.py",
        "release": release,
        "columns": ["name", "category", "hook_eligible", "oie_only", "description"],
        "types": rows,
    }


def write(doc: dict[str, object], out: Path) -> None:
    """One event type per line: compact, yet reviewable in a diff."""
    rows = doc["types"]
    assert isinstance(rows, list)
    head = {k: v for k, v in doc.items() if k != "types"}
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows]
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    text += ',"types":[\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(text)  # never write a file the loader cannot read
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        doc = build(args.reference)
    except CatalogSourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write(doc, args.out)
    print(f"wrote {len(doc['types'])} event types to {args.out}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
