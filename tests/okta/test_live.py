"""The live reader: what it reads, with how few calls, and how failures become ``unread``."""

from __future__ import annotations

import pytest

from sarguard.evidence.live import (
    SSWS_ONLY_REASON,
    read_live_state,
    read_live_state_sync,
)
from sarguard.model import (
    SECTION_BRANDS,
    SECTION_EVENT_HOOKS,
    SECTION_NOTIFICATIONS,
    SECTION_ROLE_SUBSCRIPTIONS,
    SECTION_THREAT_INSIGHT,
    key_customization,
    key_role_subscription,
    key_template_settings,
)
from sarguard.okta.connection import OrgEndpoint
from sarguard.okta.errors import OktaAuthError
from tests.okta import demo_org
from tests.okta.fakeokta import ORG, FakeClock, FakeOkta, error, make_client, run

NOTIF_PATH = "/api/internal/org/settings/security-notification-settings"
DENIED = lambda r: error(403, "E0000006", "You do not have permission")  # noqa: E731


def demo() -> FakeOkta:
    return demo_org.install(FakeOkta(FakeClock()))


def test_reads_the_whole_org_with_the_fewest_calls() -> None:
    fake = demo()
    client = make_client(fake)
    state = read_live_state_sync(client)

    assert state.source == "live" and state.unread == {}
    assert state.meta["org"] == ORG
    assert state.notifications is not None
    assert state.notifications.values == {
        k: v for k, v in demo_org.NOTIFICATIONS.items() if isinstance(v, bool)}
    assert set(state.brands) == {"default", "bndSUB"}
    default = state.brands["default"]
    assert (default.id, default.name, default.is_default) == ("bndDEFAULT", "Acme", True)
    assert set(default.templates) == {"NewSignOnNotification", "AuthenticatorEnrolled",
                                      "AuthenticatorReset", "PasswordChanged"}
    signon = default.templates["NewSignOnNotification"]
    assert signon.recipients == "ALL_USERS" and signon.customization_count == 2
    assert [(c.language, c.is_default, c.id) for c in signon.customizations] == [
        ("en", True, "c1"), ("fr", False, "c2")]
    assert "reportSuspiciousActivityToken" in (signon.customizations[0].body or "")
    assert default.templates["PasswordChanged"].recipients == "ADMINS_ONLY"
    assert state.brands["bndSUB"].templates["AuthenticatorEnrolled"].recipients == "NO_USERS"
    assert default.templates["AuthenticatorEnrolled"].customizations == []

    (hook,) = state.event_hooks
    assert (hook.name, hook.status, hook.verification_status) == ("soc-report", "ACTIVE",
                                                                  "VERIFIED")
    assert (hook.channel_type, hook.channel_version, hook.uri) == ("HTTP", "1.0.0",
                                                                   "https://soc.example/okta")
    assert hook.headers == {"X-Env": "prod"}
    assert (hook.auth_type, hook.auth_key, hook.auth_value_set) == ("HEADER", "Authorization",
                                                                    None)
    assert hook.events == ["user.account.report_suspicious_activity_by_enduser"]
    assert {(s.role, s.notification_type, s.status) for s in state.role_subscriptions} == {
        ("SUPER_ADMIN", "REPORT_SUSPICIOUS_ACTIVITY", "subscribed"),
        ("ORG_ADMIN", "REPORT_SUSPICIOUS_ACTIVITY", "unsubscribed")}
    assert state.threat_insight is not None
    assert (state.threat_insight.action, state.threat_insight.exclude_zones) == ("block",
                                                                                ["nzo1"])

    # Customizations only where a link template is customized (not UserActivation, not count 0).
    assert sorted(p for p in fake.paths() if p.endswith("/customizations")) == [
        "/api/v1/brands/bndDEFAULT/templates/email/NewSignOnNotification/customizations",
        "/api/v1/brands/bndDEFAULT/templates/email/PasswordChanged/customizations"]
    # me + switches + brands + 2 template lists + 2 customizations + hooks + 2 roles + threats
    assert len(fake.requests) == 11
    assert state.meta["api"]["calls"] == 11
    for request in fake.requests:
        if request.url.path in ("/api/v1/brands",) or "templates" in request.url.path:
            assert request.url.params["limit"] == "200"


def test_progress_reports_every_phase_to_completion() -> None:
    seen: dict[str, tuple[int, int]] = {}
    read_live_state_sync(make_client(demo()), progress=lambda p, d, t: seen.__setitem__(p, (d, t)))
    assert set(seen) == {"notifications", "brands", "templates", "customizations", "eventHooks",
                         "roleSubscriptions", "threatInsight"}
    assert all(done == total > 0 for done, total in seen.values())
    assert seen["customizations"] == (2, 2)


def test_the_same_client_can_read_twice() -> None:
    client = make_client(demo())
    first, second = read_live_state_sync(client), read_live_state_sync(client)
    assert set(first.brands) == set(second.brands)


def test_brand_filter_reads_only_the_named_brands() -> None:
    fake = demo()
    state = read_live_state_sync(make_client(fake), brands=["default", "nope"])
    assert set(state.brands) == {"default"}
    assert "brand/nope" in state.unread
    assert not any("bndSUB" in p for p in fake.paths())


def test_missing_template_scope_marks_exactly_the_template_settings() -> None:
    fake = demo()
    fake.route("/api/v1/brands/bndSUB/templates/email", DENIED)
    state = read_live_state_sync(demo_org.oauth_client(fake))
    affected = {key_template_settings("bndSUB", name) for name in
                ("NewSignOnNotification", "AuthenticatorEnrolled", "AuthenticatorReset",
                 "PasswordChanged")}
    assert set(state.unread) == affected
    for key in affected:
        assert "missing OAuth scope okta.templates.read" in state.unread[key]
    assert state.brands["default"].templates  # the other brand was read


def test_missing_scopes_per_section() -> None:
    fake = demo()
    for path in ("/api/v1/brands", "/api/v1/eventHooks", "/api/v1/threats/configuration"):
        fake.route(path, DENIED)
    state = read_live_state_sync(demo_org.oauth_client(fake))
    assert state.unread[SECTION_BRANDS].count("okta.brands.read") == 1
    assert "okta.eventHooks.read" in state.unread[SECTION_EVENT_HOOKS]
    assert "okta.threatInsights.read" in state.unread[SECTION_THREAT_INSIGHT]
    assert state.brands == {} and state.event_hooks == [] and state.threat_insight is None
    assert len(state.role_subscriptions) == 2


def test_internal_endpoint_under_oauth_names_the_ssws_token() -> None:
    fake = demo()
    fake.route(NOTIF_PATH, lambda r: error(401, "E0000011", "Invalid token provided"))
    state = read_live_state_sync(demo_org.oauth_client(fake))
    assert state.notifications is None
    assert state.unread == {SECTION_NOTIFICATIONS: SSWS_ONLY_REASON}
    assert "OKTA_API_TOKEN" in SSWS_ONLY_REASON


def test_custom_domain_without_admin_url_skips_the_switches() -> None:
    fake = demo()
    endpoint = OrgEndpoint(ORG, None, "pass --admin-url for a custom domain")
    state = read_live_state_sync(make_client(fake, endpoint=endpoint))
    assert state.unread == {SECTION_NOTIFICATIONS: "pass --admin-url for a custom domain"}
    assert NOTIF_PATH not in fake.paths()


def test_role_subscription_failures_map_to_the_role_or_the_section() -> None:
    path = "/api/v1/roles/{}/subscriptions/REPORT_SUSPICIOUS_ACTIVITY"
    fake = demo()
    fake.route(path.format("ORG_ADMIN"), DENIED)
    state = read_live_state_sync(demo_org.oauth_client(fake))
    assert "okta.roles.read" in state.unread[key_role_subscription("ORG_ADMIN")]
    assert key_role_subscription("SUPER_ADMIN") not in state.unread
    assert [s.role for s in state.role_subscriptions] == ["SUPER_ADMIN"]

    fake.route(path.format("SUPER_ADMIN"), DENIED)
    state = read_live_state_sync(demo_org.oauth_client(fake))
    assert "okta.roles.read" in state.unread[SECTION_ROLE_SUBSCRIPTIONS]
    assert state.role_subscriptions == []


def test_customization_failure_is_unread_not_empty() -> None:
    fake = demo()
    fake.route("/api/v1/brands/bndDEFAULT/templates/email/PasswordChanged/customizations",
               lambda r: error(500, "E0000009", "Internal Server Error"))
    state = read_live_state_sync(make_client(fake))
    key = key_customization("default", "PasswordChanged", "*")
    assert "HTTP 500" in state.unread[key] and set(state.unread) == {key}


def test_malformed_sections_fail_closed() -> None:
    fake = demo()
    fake.route(NOTIF_PATH, {"sendEmailForNewDeviceEnabled": True})
    fake.route("/api/v1/roles/ORG_ADMIN/subscriptions/REPORT_SUSPICIOUS_ACTIVITY", {})
    state = read_live_state_sync(make_client(fake))
    assert state.notifications is None
    assert "reportSuspiciousActivityEnabled" in state.unread[SECTION_NOTIFICATIONS]
    assert key_role_subscription("ORG_ADMIN") in state.unread


def test_refused_credential_is_fatal() -> None:
    fake = demo()
    fake.route("/api/v1/users/me", lambda r: error(401, "E0000011", "Invalid token provided"))
    with pytest.raises(OktaAuthError):
        read_live_state_sync(make_client(fake))
    assert fake.paths() == ["/api/v1/users/me"]


def test_async_reader_can_share_a_running_loop() -> None:
    async def main():
        async with make_client(demo()) as client:
            return await read_live_state(client)

    assert set(run(main()).brands) == {"default", "bndSUB"}


def test_a_non_default_brand_with_the_id_default_is_refused() -> None:
    """Issue 19 §3: brands are keyed ``default`` (the default brand) or by id, so a non-default
    brand whose id is literally ``default`` would replace the default brand's evidence. The
    brands are unread, the impostor named, and none of them is judged."""
    fake = demo()
    fake.route("/api/v1/brands", [{"id": "bndDEFAULT", "name": "Acme", "isDefault": True},
                                  {"id": "default", "name": "Impostor Co", "isDefault": False}])
    state = read_live_state_sync(make_client(fake))
    reason = state.unread[SECTION_BRANDS]
    assert "'Impostor Co'" in reason and "has the id 'default'" in reason
    assert state.brands == {}
    assert not any("/templates/" in p for p in fake.paths()), "no brand's templates are read"


def test_the_deadline_leaves_what_was_not_read_unread() -> None:
    """Issue 19 §1: every section still waiting when the run's deadline passes is unread with
    the contract's wording; nothing is sent past it."""
    fake = demo()
    clock = fake.clock
    client = make_client(fake, deadline=10)
    run(client.check_credentials())
    clock.now += 11
    state = read_live_state_sync(client)
    assert state.unread and all(
        reason.startswith("the run's deadline passed while reading ") and "(--deadline 10 s)" in reason
        for reason in state.unread.values()), state.unread
    assert set(state.unread) >= {SECTION_BRANDS, SECTION_EVENT_HOOKS, SECTION_THREAT_INSIGHT,
                                 SECTION_NOTIFICATIONS, SECTION_ROLE_SUBSCRIPTIONS}
    assert state.unread[SECTION_BRANDS] == ("the run's deadline passed while reading the brands "
                                            "(--deadline 10 s)")
    assert fake.paths() == ["/api/v1/users/me"] and client.deadline_passed
