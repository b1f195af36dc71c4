"""Fail closed: live evidence that was not read never turns into `missing` or "in sync"."""

from __future__ import annotations

import pytest

from sarguard.drift import compare_states
from sarguard.model import (
    REPORT_EVENT,
    REPORT_NOTIFICATION,
    SECTION_BRANDS,
    SECTION_EVENT_HOOKS,
    SECTION_NOTIFICATIONS,
    SECTION_ROLE_SUBSCRIPTIONS,
    SECTION_THREAT_INSIGHT,
)
from tests.drift.builders import OTHER_BRAND, declared_state, live_state

NSO = "brand/default/template/NewSignOnNotification"
BRAND_KEYS = [
    f"{NSO}/customization/en",
    f"{NSO}/customization/fr",
    f"brand/{OTHER_BRAND}/template/PasswordChanged/settings",
]


def _unread(result) -> dict[str, str]:
    return {u.resource: u.reason for u in result.unread}


def test_unread_hook_section_reports_declared_hook_unread_not_missing():
    declared, live = declared_state(), live_state()
    live.event_hooks = []
    live.unread[SECTION_EVENT_HOOKS] = "403: missing scope okta.eventHooks.read"
    result = compare_states(declared, live)
    assert result.items == []
    assert list(_unread(result)) == ["eventHook/soc-siem"]
    assert "okta.eventHooks.read" in result.unread[0].reason
    assert not result.in_sync
    assert any(n.startswith("eventHooks: unmanaged hooks") for n in result.notes)


def test_unread_brand_section_covers_every_declared_brand_resource():
    declared, live = declared_state(), live_state()
    live.brands = {}
    live.unread[SECTION_BRANDS] = "timeout"
    result = compare_states(declared, live)
    assert result.items == []
    assert sorted(_unread(result)) == sorted(BRAND_KEYS)


def test_a_failed_customization_listing_names_its_cause():
    """The live reader records a failed customization listing as ``…/customization/*`` after the
    template itself was listed (with its count): every declared language is unread with that
    cause, not with a bare "only 0 were read" that hides why."""
    declared, live = declared_state(), live_state()
    template = live.brands["default"].templates["NewSignOnNotification"]
    template.customization_count, template.customizations = 2, []
    live.unread[f"{NSO}/customization/*"] = "Okta asked to wait 31536001 s for /api/v1"
    result = compare_states(declared, live)
    assert result.items == []
    unread = _unread(result)
    assert sorted(unread) == BRAND_KEYS[:2]
    assert all("Okta asked to wait" in reason for reason in unread.values()), unread


def test_unread_parent_key_covers_children():
    declared, live = declared_state(), live_state()
    live.brands["default"].templates["NewSignOnNotification"].customizations = []
    live.unread[NSO] = "500 from customizations"
    result = compare_states(declared, live)
    assert result.items == []
    assert sorted(_unread(result)) == BRAND_KEYS[:2]


def test_unread_brand_by_id_covers_the_declared_key():
    declared, live = declared_state(), live_state()
    del live.brands["default"]
    live.unread["brand/bnd0default"] = "404 on templates"
    result = compare_states(declared, live)
    assert result.items == []
    assert sorted(_unread(result)) == BRAND_KEYS[:2]


def test_exact_resource_key_unread():
    declared, live = declared_state(), live_state()
    key = f"roleSubscription/ORG_ADMIN/{REPORT_NOTIFICATION}"
    live.role_subscriptions = live.role_subscriptions[:1]
    live.unread[key] = "429 rate limited"
    result = compare_states(declared, live)
    assert result.items == []
    assert _unread(result) == {key: "not read from the live org: 429 rate limited"}


@pytest.mark.parametrize(
    ("section", "resource", "clear"),
    [
        (SECTION_NOTIFICATIONS, "securityNotificationEmails", "notifications"),
        (SECTION_THREAT_INSIGHT, "threatInsight", "threat_insight"),
    ],
)
def test_unread_singleton_sections(section, resource, clear):
    declared, live = declared_state(), live_state()
    setattr(live, clear, None)
    live.unread[section] = "401 E0000011 (OAuth cannot read this)"
    result = compare_states(declared, live)
    assert result.items == []
    assert list(_unread(result)) == [resource]


@pytest.mark.parametrize("clear", ["notifications", "threat_insight"])
def test_absent_singleton_without_a_reason_is_unread_not_in_sync(clear):
    declared, live = declared_state(), live_state()
    setattr(live, clear, None)
    result = compare_states(declared, live)
    assert result.items == [] and len(result.unread) == 1
    assert not result.in_sync


def test_unread_role_section_is_unread_and_skips_unmanaged():
    declared, live = declared_state(), live_state()
    live.role_subscriptions = []
    live.unread[SECTION_ROLE_SUBSCRIPTIONS] = "403"
    result = compare_states(declared, live)
    assert result.items == []
    assert sorted(_unread(result)) == [
        f"roleSubscription/ORG_ADMIN/{REPORT_NOTIFICATION}",
        f"roleSubscription/SUPER_ADMIN/{REPORT_NOTIFICATION}",
    ]


def test_partially_read_customizations_are_unread_not_missing():
    declared, live = declared_state(), live_state()
    t = live.brands["default"].templates["NewSignOnNotification"]
    t.customizations = t.customizations[:1]  # Okta counted 2, only "en" was read
    result = compare_states(declared, live)
    assert result.items == []
    assert list(_unread(result)) == [f"{NSO}/customization/fr"]
    assert "reports 2 customization(s)" in result.unread[0].reason


def test_unread_section_unrelated_to_declared_resources_adds_no_unread_item():
    declared, live = declared_state(), live_state()
    declared.event_hooks = []
    live.event_hooks = []
    live.unread[SECTION_EVENT_HOOKS] = "403"
    result = compare_states(declared, live)
    assert result.unread == []
    assert any(REPORT_EVENT in n and "not checked" in n for n in result.notes)
