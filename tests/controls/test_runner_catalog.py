"""The catalog's public contract and the runner's shared behaviour."""

import dataclasses

import pytest

from sarguard.controls.base import ALL_SOURCES, LIVE_ONLY, Control, Finding
from sarguard.controls.catalog import CATALOG, find_control, get_control
from sarguard.controls.runner import evaluate_catalog
from sarguard.model import Location
from sarguard.verdicts.policy_config import PolicyConfig
from tests.controls.conftest import good_state

EXPECTED = [
    ("SAR-01", "sar-01-report-suspicious-activity-enabled", "mandatory"),
    ("SAR-02", "sar-02-link-emails-enabled", "mandatory"),
    ("SAR-03", "sar-03-templates-keep-report-link", "mandatory"),
    ("SAR-04", "sar-04-templates-reach-end-users", "mandatory"),
    ("SAR-05", "sar-05-report-hook-active", "mandatory"),
    ("SAR-06", "sar-06-report-hook-authenticated", "mandatory"),
    ("SAR-07", "sar-07-hook-events-valid", "mandatory"),
    ("SAR-08", "sar-08-admins-notified", "mandatory"),
    ("SAR-09", "sar-09-templates-acceptable", "mandatory"),
    ("SAR-10", "sar-10-threatinsight-enabled", "advisory"),
]


def test_catalog_ids_names_and_levels_are_the_public_contract():
    assert [(c.id, c.policy_name, c.default_level) for c in CATALOG][:10] == EXPECTED


def test_every_control_documents_itself():
    for c in CATALOG:
        assert c.severity in ("critical", "high", "medium", "low")
        assert c.rationale and c.remediation and c.references
        assert all(r.startswith("https://") for r in c.references)
        for name, schema in c.options_schema.items():
            assert "default" in schema, f"{c.id}.{name} needs a default"


def test_lookup_by_id_or_policy_name():
    assert get_control("sar-08-admins-notified") is get_control("SAR-08") is find_control("sar-08")
    assert find_control("SAR-99") is None
    with pytest.raises(KeyError, match="SAR-99"):
        get_control("SAR-99")


def test_good_state_passes_everything_for_every_source():
    for source in ("declared", "stack-export", "pack", "live"):
        state = good_state(source)
        if source == "live":
            state.event_hooks[0].auth_value_set = None
            state.event_hooks[0].auth_value_secret = None
        # SAR-11/12 read the System Log, which this state does not carry (tested on their own).
        bad = [f for f in evaluate_catalog(state) if f.status not in ("pass", "not_applicable")
               and f.control not in ("SAR-11", "SAR-12")]
        assert bad == [], source


def test_runner_fills_level_severity_remediation_and_location():
    state = good_state()
    state.notifications.values["reportSuspiciousActivityEnabled"] = False
    state.locations["securityNotificationEmails"] = Location("stacks/Pulumi.demo.yaml", 9)
    state.locations["org"] = Location("stacks/Pulumi.demo.yaml", 1)
    state.locations["eventHooks"] = Location("stacks/Pulumi.demo.yaml", 50)
    findings = evaluate_catalog(state)
    sar01 = next(f for f in findings if f.control == "SAR-01")
    assert (sar01.status, sar01.level, sar01.severity) == ("fail", "mandatory", "critical")
    assert "reportSuspiciousActivity" in sar01.remediation
    assert sar01.location == Location("stacks/Pulumi.demo.yaml", 9)
    hook = next(f for f in findings if f.control == "SAR-05")
    assert hook.location.line == 50  # section fallback
    sar10 = next(f for f in findings if f.control == "SAR-10")
    assert (sar10.level, sar10.location.line) == ("advisory", 1)  # org fallback


def test_runner_applies_config_levels_options_and_disabled():
    state = good_state()
    state.notifications.values["sendEmailForFactorResetEnabled"] = False
    config = PolicyConfig.from_mapping({"all": "advisory", "SAR-10": "disabled",
                                        "sar-02-link-emails-enabled": {"required": ["newSignOn"]}})
    findings = evaluate_catalog(state, config)
    assert not any(f.control == "SAR-10" for f in findings)
    sar02 = next(f for f in findings if f.control == "SAR-02")
    assert (sar02.status, sar02.level) == ("pass", "advisory")


def test_runner_gives_not_applicable_for_other_sources_and_survives_a_crash():
    def boom(state, options):
        raise ValueError("bad data")

    live_only = Control(id="SAR-98", policy_name="sar-98-live", title="t", severity="low",
                        default_level="mandatory", rationale="r", remediation="m",
                        evaluate=lambda s, o: [], sources=LIVE_ONLY)
    crashing = dataclasses.replace(live_only, id="SAR-97", policy_name="sar-97", evaluate=boom,
                                   sources=ALL_SOURCES)
    [na, crash] = evaluate_catalog(good_state(), controls=[live_only, crashing])
    assert (na.status, na.resource, na.level) == ("not_applicable", "org", "mandatory")
    assert crash.status == "not_evaluated" and "bad data" in crash.message
    assert isinstance(crash, Finding)


def test_options_are_not_shared_between_runs():
    state = good_state()
    control = get_control("SAR-02")
    before = control.default_options()
    evaluate_catalog(state)
    assert control.default_options() == before


def test_duplicate_resources_merge_worst_first():
    def twice(state, options):
        return [Finding("SAR-96", "pass", "k", "fine", urn="u1"),
                Finding("SAR-96", "fail", "k", "broken", urn=None)]

    control = Control(id="SAR-96", policy_name="sar-96", title="t", severity="low",
                      default_level="mandatory", rationale="r", remediation="m", evaluate=twice)
    [f] = evaluate_catalog(good_state(), controls=[control])
    assert (f.status, f.urn) == ("fail", "u1") and "broken" in f.message and "fine" in f.message
