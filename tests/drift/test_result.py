"""Result-level guarantees: order, JSON-safety, argument checks."""

from __future__ import annotations

import json
import random
from dataclasses import asdict

import pytest

from sarguard.drift import compare_states
from sarguard.model import Template
from tests.drift.builders import OTHER_BRAND, customization, declared_state, hook, live_state


def _drifted_pair():
    """A pair with drift in every family, every kind."""
    declared, live = declared_state(), live_state()
    live.notifications.values["reportSuspiciousActivityEnabled"] = False
    live.brands[OTHER_BRAND].templates["PasswordChanged"].recipients = "NO_USERS"
    nso = live.brands["default"].templates["NewSignOnNotification"]
    nso.customizations = [c for c in nso.customizations if c.language != "fr"]
    nso.customizations.append(customization("de"))
    live.brands[OTHER_BRAND].templates["AuthenticatorReset"] = Template(
        name="AuthenticatorReset", customizations=[customization("en", default=True)]
    )
    live.event_hooks[0].events = ["only.this"]
    live.event_hooks.append(hook("rogue", id="who9"))
    live.role_subscriptions[0].status = "unsubscribed"
    live.threat_insight.exclude_zones = []
    return declared, live


def test_every_kind_appears_and_items_are_sorted_by_resource_then_field():
    result = compare_states(*_drifted_pair())
    assert {i.kind for i in result.items} == {"changed", "missing", "unmanaged"}
    keys = [(i.resource, i.field) for i in result.items]
    assert keys == sorted(keys)
    assert len(result.items) == 9


def test_order_does_not_depend_on_input_order():
    declared, live = _drifted_pair()
    baseline = compare_states(declared, live)
    rng = random.Random(7)
    for lst in (live.event_hooks, live.role_subscriptions, declared.role_subscriptions):
        rng.shuffle(lst)
    live.brands = dict(reversed(list(live.brands.items())))
    assert compare_states(declared, live) == baseline


def test_result_is_json_serializable():
    result = compare_states(*_drifted_pair())
    decoded = json.loads(json.dumps(asdict(result)))
    assert len(decoded["items"]) == len(result.items)


def test_swapped_arguments_are_rejected_with_a_clear_error():
    declared, live = declared_state(), live_state()
    with pytest.raises(ValueError, match="first argument must be declared"):
        compare_states(live, declared)
    with pytest.raises(ValueError, match="second argument must be live"):
        compare_states(declared, declared_state())
