"""Org URL resolution: precedence, the -admin host rules, and http only for loopback."""

from __future__ import annotations

import pytest

from sarguard.okta.connection import OrgEndpoint, resolve_org
from sarguard.okta.errors import OktaConfigError

ENV = {"OKTA_ORG_NAME": "env-org", "OKTA_BASE_URL": "oktapreview.com"}
CONFIG = {"okta:orgName": "cfg-org", "okta:baseUrl": "okta-emea.com"}


def test_org_url_flag_wins_over_config_and_env() -> None:
    endpoint = resolve_org("https://flag-org.okta.com/", CONFIG, ENV)
    assert endpoint == OrgEndpoint("https://flag-org.okta.com", "https://flag-org-admin.okta.com")


def test_stack_config_wins_over_env() -> None:
    endpoint = resolve_org(None, CONFIG, ENV)
    assert endpoint.url == "https://cfg-org.okta-emea.com"
    assert endpoint.admin_url == "https://cfg-org-admin.okta-emea.com"


def test_whole_stack_file_with_config_key_is_accepted() -> None:
    assert resolve_org(None, {"config": CONFIG}, {}).url == "https://cfg-org.okta-emea.com"


def test_env_is_the_last_resort_and_base_url_defaults_to_okta_com() -> None:
    assert resolve_org(None, None, ENV).url == "https://env-org.oktapreview.com"
    assert resolve_org(None, {}, {"OKTA_ORG_NAME": "dev-1"}).url == "https://dev-1.okta.com"


def test_each_setting_falls_back_to_env_like_the_provider() -> None:
    endpoint = resolve_org(None, {"okta:orgName": "cfg-org"}, ENV)
    assert endpoint.url == "https://cfg-org.oktapreview.com"


def test_nothing_configured_names_every_way_to_set_it() -> None:
    with pytest.raises(OktaConfigError) as info:
        resolve_org(None, {"okta:baseUrl": "okta.com"}, {})
    message = str(info.value)
    for name in ("--org-url", "okta:orgName", "OKTA_ORG_NAME"):
        assert name in message


@pytest.mark.parametrize(
    ("url", "admin"),
    [
        ("https://acme.okta.com", "https://acme-admin.okta.com"),
        ("https://acme.oktapreview.com", "https://acme-admin.oktapreview.com"),
        ("https://acme.okta-emea.com", "https://acme-admin.okta-emea.com"),
        ("https://acme.okta-gov.com", "https://acme-admin.okta-gov.com"),
        ("https://acme.okta.mil", "https://acme-admin.okta.mil"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("http://localhost:9000", "http://localhost:9000"),
    ],
)
def test_admin_host_rules(url: str, admin: str) -> None:
    assert resolve_org(url, None, {}).admin_url == admin


def test_custom_domain_needs_admin_url() -> None:
    endpoint = resolve_org("https://login.acme.example", None, {})
    assert endpoint.admin_url is None
    assert "--admin-url" in (endpoint.admin_missing_reason or "")
    given = resolve_org("https://login.acme.example", None, {},
                        admin_url="https://acme-admin.okta.com")
    assert given.admin_url == "https://acme-admin.okta.com"
    assert given.admin_missing_reason is None


def test_pasted_admin_console_url_is_mapped_to_the_org() -> None:
    endpoint = resolve_org("https://acme-admin.okta.com", None, {})
    assert endpoint == OrgEndpoint("https://acme.okta.com", "https://acme-admin.okta.com")


@pytest.mark.parametrize(
    "url",
    ["http://acme.okta.com", "http://10.0.0.1:8080", "http://login.example.com",
     "http://127.0.0.1.nip.io", "http://evil.localhost", "http://localhost.",
     "http://127.1", "http://2130706433", "http://[::ffff:7f00:1]"],
)
def test_plain_http_is_refused_for_non_loopback_hosts(url: str) -> None:
    """Only loopback *literals* (and ``localhost``) take plain http: ``*.localhost`` names and
    shorthand/decimal IPv4 forms go to the system resolver (or inet_aton) and are refused."""
    with pytest.raises(OktaConfigError, match="plain http is only allowed for loopback"):
        resolve_org(url, None, {})


def test_plain_http_admin_url_is_refused_too() -> None:
    with pytest.raises(OktaConfigError, match="--admin-url"):
        resolve_org("https://login.acme.example", None, {}, admin_url="http://admin.example")


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://127.9.9.9", "http://[::1]:8080",
                                 "http://localhost"])
def test_plain_http_is_allowed_for_loopback(url: str) -> None:
    endpoint = resolve_org(url, None, {})
    assert endpoint.url.startswith("http://")
    assert endpoint.is_loopback


@pytest.mark.parametrize(
    ("url", "fragment"),
    [("https://acme.okta.com/admin/dashboard", "without a path"),
     ("ftp://acme.okta.com", "expected a URL"),
     ("acme.okta.com", "expected a URL"),
     ("https://user:pw@acme.okta.com", "credentials must not be embedded")],
)
def test_malformed_org_urls_say_what_was_expected(url: str, fragment: str) -> None:
    with pytest.raises(OktaConfigError, match=fragment) as info:
        resolve_org(url, None, {})
    assert "pw" not in str(info.value)


def test_bad_stack_config_values_name_the_key() -> None:
    with pytest.raises(OktaConfigError, match=r"config\.okta:orgName: expected a non-empty string"):
        resolve_org(None, {"okta:orgName": 42}, {})
    with pytest.raises(OktaConfigError, match="okta:orgName"):
        resolve_org(None, {"okta:orgName": "https://acme.okta.com"}, {})
    with pytest.raises(OktaConfigError, match=r"config\.okta:baseUrl: expected plain text"):
        resolve_org(None, {"okta:orgName": "a", "okta:baseUrl": {"secure": "v1:abc"}}, {})
