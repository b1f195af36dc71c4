"""The packaged event catalog agrees with Okta's published catalog and covers what sarguard uses."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sarguard.systemlog import eventcatalog

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference"
SEEDS = SHARED / "seeds"
CSV_PATH = REFERENCE / "okta-event-types.csv"


@pytest.fixture(scope="module")
def reference_rows() -> dict[str, set[str]]:
    if not CSV_PATH.is_file():
        pytest.skip(f"Okta's event catalog is not available at {CSV_PATH}")
    with CSV_PATH.open(newline="", encoding="utf-8") as fh:
        return {
            row["Event Type"].strip(): {t.strip() for t in row["Tags"].split(",") if t.strip()}
            for row in csv.DictReader(fh)
        }


def test_every_entry_agrees_with_the_reference(reference_rows: dict[str, set[str]]) -> None:
    for entry in eventcatalog.all_types():
        assert entry.name in reference_rows, f"{entry.name} is not in Okta's catalog"
        tags = reference_rows[entry.name]
        assert entry.hook_eligible == ("event-hook-eligible" in tags), entry.name
        assert entry.oie_only == ("oie-only" in tags), entry.name


def test_every_reference_type_is_present(reference_rows: dict[str, set[str]]) -> None:
    # All public types are packaged, so every eligible one is too.
    missing = sorted(set(reference_rows) - {e.name for e in eventcatalog.all_types()})
    assert missing == []
    eligible = {n for n, tags in reference_rows.items() if "event-hook-eligible" in tags}
    assert eligible and all(eventcatalog.is_hook_eligible(n) for n in eligible)


def test_every_type_named_in_the_seeds_is_present() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed documents are not available at {SEEDS}")
    named: set[str] = set()
    for seed in SEEDS.glob("*.txt"):
        text = seed.read_text(encoding="utf-8")
        named |= set(re.findall(r'eventType eq "([^"]+)"', text))
        named |= set(re.findall(r"^\| ([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+) \|", text, re.M))
        named |= set(re.findall(r"\b(user\.account\.report_suspicious_activity_by_enduser)\b", text))
    assert len(named) >= 60, "the seed parser found fewer event types than the seeds name"
    assert sorted(n for n in named if eventcatalog.lookup(n) is None) == []


@pytest.mark.parametrize(
    "family",
    ["event_hook.*", "iam.role.subscriptions.*", "system.email.template.*", "system.brand.*",
     "system.log_stream.*", "security.threat.*"],
)
def test_required_families_are_covered(family: str) -> None:
    assert eventcatalog.list_types(family), f"no types for {family}"


def test_report_event_facts() -> None:
    entry = eventcatalog.lookup("user.account.report_suspicious_activity_by_enduser")
    assert entry is not None and entry.hook_eligible and not entry.oie_only
    assert entry.description
    assert eventcatalog.lookup("event_hook.delivery") is not None
    assert not eventcatalog.is_hook_eligible("event_hook.delivery")
    assert eventcatalog.lookup("user.account.no_such_event") is None


def test_list_types_glob_substring_and_eligible() -> None:
    hooks = eventcatalog.list_types("event_hook.*")
    assert {e.name for e in hooks} >= {"event_hook.deactivated", "event_hook.delivery"}
    assert all(e.name.startswith("event_hook.") for e in hooks)
    # A substring matches anywhere, case-insensitively.
    sub = eventcatalog.list_types("LOG_STREAM")
    assert sub and all("log_stream" in e.name for e in sub)
    eligible = eventcatalog.list_types(None, eligible_only=True)
    assert eligible and all(e.hook_eligible for e in eligible)
    assert len(eligible) < len(eventcatalog.list_types(None))
    assert eventcatalog.list_types("event_hook.*", eligible_only=True) == []
    assert eventcatalog.list_types("zzz-nothing") == []


def test_all_types_sorted_and_unique() -> None:
    names = [e.name for e in eventcatalog.all_types()]
    assert names == sorted(set(names))


def test_generator_reproduces_the_committed_file(tmp_path: Path) -> None:
    if not (REFERENCE / "okta-event-types.json").is_file() or not CSV_PATH.is_file():
        pytest.skip(f"Okta's event catalog is not available at {REFERENCE}")
    out = tmp_path / "catalog.json"
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_event_catalog.py"), "--out", str(out)],
        check=True, capture_output=True,
    )
    committed = REPO / "sarguard" / "data" / "event_catalog.json"
    assert json.loads(out.read_text()) == json.loads(committed.read_text())


def test_generator_reports_missing_reference_clearly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_event_catalog.py"),
         "--reference", str(tmp_path), "--out", str(tmp_path / "x.json")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "okta-event-types.csv" in result.stderr and "Traceback" not in result.stderr
