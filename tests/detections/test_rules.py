"""The Sigma rules in detections/: well-formed, consistent with sarguard, and compilable."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from sarguard.model import REPORT_EVENT
from sarguard.systemlog import eventcatalog
from sarguard.systemlog.evidence import TAMPERING_TYPES

RULES_DIR = Path(__file__).resolve().parents[2] / "detections"
RULE_FILES = sorted(RULES_DIR.glob("*.yml"))
REQUIRED = ("title", "id", "status", "description", "logsource", "detection", "level", "tags",
            "falsepositives", "author", "date", "references")
STATUSES = {"stable", "test", "experimental", "deprecated", "unsupported"}
LEVELS = {"informational", "low", "medium", "high", "critical"}
TACTICS = {
    "reconnaissance", "resource-development", "initial-access", "execution", "persistence",
    "privilege-escalation", "defense-evasion", "credential-access", "discovery",
    "lateral-movement", "collection", "command-and-control", "exfiltration", "impact",
}
# pySigma validators that download reference data (no network here): covered by our own checks.
NETWORK_VALIDATORS = {"attacktag", "d3_fendtag"}


def _load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), f"{path.name}: a rule must be a YAML mapping"
    return doc


def _event_types(node: Any, key: str | None = None) -> list[str]:
    """Every value of an ``eventtype``/``eventType`` field anywhere in a detection."""
    found: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            found += _event_types(v, str(k))
    elif isinstance(node, list):
        for item in node:
            found += _event_types(item, key)
    elif key is not None and key.split("|")[0].lower() == "eventtype":
        found.append(str(node))
    return found


@pytest.fixture(scope="module")
def rules() -> dict[str, dict[str, Any]]:
    assert RULE_FILES, f"no Sigma rules found in {RULES_DIR}"
    return {p.name: _load(p) for p in RULE_FILES}


def test_required_fields_and_values(rules: dict[str, dict[str, Any]]) -> None:
    for name, rule in rules.items():
        missing = [f for f in REQUIRED if not rule.get(f)]
        assert not missing, f"{name}: missing {missing}"
        assert str(uuid.UUID(str(rule["id"]))) == rule["id"], f"{name}: id must be a UUID"
        assert rule["status"] in STATUSES and rule["level"] in LEVELS, name
        assert rule["author"] == "sarguard", name
        assert isinstance(rule["date"], date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", rule["date"])
        assert rule["logsource"] == {"product": "okta", "service": "okta"}, name
        assert isinstance(rule["falsepositives"], list) and rule["falsepositives"], name
        assert "condition" in rule["detection"], name


def test_ids_and_titles_are_unique(rules: dict[str, dict[str, Any]]) -> None:
    ids = [r["id"] for r in rules.values()]
    titles = [r["title"] for r in rules.values()]
    assert len(set(ids)) == len(ids) and len(set(titles)) == len(titles)


def test_tags_name_an_attack_tactic_and_technique(rules: dict[str, dict[str, Any]]) -> None:
    for name, rule in rules.items():
        tags = rule["tags"]
        assert len(set(tags)) == len(tags), f"{name}: duplicate tags"
        tactics = [t for t in tags if t.removeprefix("attack.") in TACTICS]
        techniques = [t for t in tags if re.fullmatch(r"attack\.t\d{4}(\.\d{3})?", t)]
        assert tactics and techniques, f"{name}: needs an attack.<tactic> and an attack.tNNNN tag"
        assert len(tactics) + len(techniques) == len(tags), f"{name}: unknown tag in {tags}"


def test_every_event_type_exists_in_the_catalog(rules: dict[str, dict[str, Any]]) -> None:
    for name, rule in rules.items():
        types = _event_types(rule["detection"])
        assert types, f"{name}: detects on no eventtype"
        unknown = [t for t in types if eventcatalog.lookup(t) is None]
        assert not unknown, f"{name}: not in Okta's event catalog: {unknown}"


def test_rules_cover_the_report_event_and_every_tampering_type(
    rules: dict[str, dict[str, Any]],
) -> None:
    covered = {t for r in rules.values() for t in _event_types(r["detection"])}
    assert REPORT_EVENT in covered
    assert set(TAMPERING_TYPES) <= covered, sorted(set(TAMPERING_TYPES) - covered)


def test_pysigma_loads_validates_and_splunk_compiles() -> None:
    from sigma.backends.splunk import SplunkBackend
    from sigma.collection import SigmaCollection
    from sigma.plugins import InstalledSigmaPlugins
    from sigma.validation import SigmaValidator

    collection = SigmaCollection.load_ruleset([RULES_DIR])
    assert len(collection.rules) == len(RULE_FILES)
    assert [str(e) for r in collection.rules for e in r.errors] == []
    validators = InstalledSigmaPlugins.autodiscover().validators
    offline = [cls for name, cls in validators.items() if name not in NETWORK_VALIDATORS]
    issues = SigmaValidator(offline).validate_rules(collection.rules)
    assert [str(i) for i in issues] == []
    backend = SplunkBackend()
    for rule in collection.rules:
        queries = backend.convert_rule(rule)
        assert len(queries) == 1, rule.title
        types = _event_types(_load(Path(str(rule.source.path))).get("detection"))
        for event_type in types:
            assert f'"{event_type}"' in queries[0], (rule.title, queries[0])
