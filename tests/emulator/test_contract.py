"""Contract tests: the emulator's answers, validated against Okta's published OpenAPI spec.

Every endpoint sarguard uses is exercised for its success answers and its documented errors,
and each response (and, where the spec allows it, each request) is validated with openapi-core.
Not in the spec, so not validated here: the internal notification endpoint, 401 answers, the
OAuth token endpoint and the X-Rate-Limit-* headers.

Known disagreements between recorded reality and the spec are listed in ``DEVIATIONS`` /
``REQUEST_EXCEPTION`` (and the 204 note in :func:`check`); only the named field or check is
skipped, never the whole answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from sarguard.emulator import Emulator
from sarguard.emulator.state import STANDARD_ROLES
from tests.emulator.helpers import REFERENCE, client_for, oauth_client

SPEC_FILE = REFERENCE / "okta-management-openapi.yaml"
HOST = "https://subdomain.okta.com"
DEFAULT = "bnd1dfltBrand00000001"
HOOK = "who1sarHook000000001"
TEMPLATES = f"/api/v1/brands/{DEFAULT}/templates/email"
RSA = "REPORT_SUSPICIOUS_ACTIVITY"
ALICE, BRUNO, CHLOE = "00u1alice0000demo002", "00u1bruno0000demo003", "00u1chloe0000demo004"


def _strip_examples(node: Any) -> Any:
    """The published spec has dangling ``examples`` refs: drop examples before loading."""
    if isinstance(node, dict):
        return {k: _strip_examples(v) for k, v in node.items() if k not in ("examples", "example")}
    if isinstance(node, list):
        return [_strip_examples(v) for v in node]
    return node


def _load_spec() -> dict[str, Any]:
    """Parse the 3.5 MB spec once per machine: cache the stripped dict as JSON (no pickle, so a
    planted cache file cannot run code), keyed by the spec file's digest."""
    raw = SPEC_FILE.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"sarguard-okta-openapi-{digest}.json"
    try:
        spec = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(spec, dict) and "paths" in spec:
            return spec
    except (OSError, ValueError):
        pass
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    spec = _strip_examples(yaml.load(raw, Loader=loader))
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(spec), encoding="utf-8")
        tmp.replace(cache)  # atomic: parallel workers never read a half-written cache
    except (OSError, TypeError, ValueError):
        tmp.unlink(missing_ok=True)
    return spec


@pytest.fixture(scope="module")
def openapi() -> Any:
    if not SPEC_FILE.is_file():
        pytest.skip(f"Okta's OpenAPI spec is not available at {SPEC_FILE}")
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_dict(_load_spec(), config=Config(spec_validator_cls=None))


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed="demo") as running:
        yield running
    assert running.errors == []


@pytest.fixture(scope="module")
def api(emu: Emulator) -> Iterator[httpx.Client]:
    with client_for(emu) as client:
        yield client


# -- recorded reality vs the spec ---------------------------------------------------------


def _drop_null_privacy_url(body: Any) -> Any:
    for brand in body if isinstance(body, list) else [body]:
        if "customPrivacyPolicyUrl" in brand and brand["customPrivacyPolicyUrl"] is None:
            del brand["customPrivacyPolicyUrl"]
    return body


# (method, concrete path pattern) -> (why, how the body is adjusted before validation)
DEVIATIONS: list[tuple[str, re.Pattern[str], str, Callable[[Any], Any]]] = [
    # Real brand responses carry "customPrivacyPolicyUrl": null; the spec types it as a
    # non-nullable string. Only that null field is removed; the rest is validated.
    ("get", re.compile(r"^/api/v1/brands(/[^/]+)?$"), "customPrivacyPolicyUrl: null",
     _drop_null_privacy_url),
]
# Request checks skipped: the roleRef path parameter is a oneOf(RoleType, RoleId) and a
# standard role such as SUPER_ADMIN matches both branches, so a strict validator rejects every
# valid request. Custom role ids are validated; all responses are validated.
REQUEST_EXCEPTION = re.compile(r"^/api/v1/roles/(" + "|".join(STANDARD_ROLES) + ")/")


def _documented_content(method: str, path: str, status: int) -> Any:
    """The spec's ``content`` for ``status`` of the operation whose template matches ``path``."""
    for template, item in _load_spec()["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method in item:
            return item[method]["responses"][str(status)].get("content")
    raise AssertionError(f"no operation in the spec for {method} {path}")


def check(openapi: Any, response: httpx.Response, expect: int) -> httpx.Response:
    """Assert the status, then validate the response (and the request) against the spec."""
    from openapi_core.testing import MockRequest, MockResponse

    assert response.status_code == expect, response.text
    request = response.request
    method, path = request.method.lower(), request.url.path
    query = {k: v for k, v in request.url.params.multi_items()}
    mock_request = MockRequest(
        HOST, method, path, args=query, headers=dict(request.headers),
        data=request.content or None,
        content_type=request.headers.get("content-type", "application/json"),
    )
    # a request that is invalid on purpose (to provoke a 400/422) is not checked itself
    if expect not in (400, 422) and not REQUEST_EXCEPTION.match(path):
        openapi.validate_request(mock_request)
    body = response.content
    if response.status_code == 204:
        # The spec writes 204 answers as "content: {}", which openapi-core reads as "a body is
        # required". Okta sends no body with 204 and neither does the emulator: check that only.
        assert body == b""
        return response
    if response.status_code == 200 and body == b"":
        # Same for the 200 answers the spec writes as "content: {}" (suspend, unsuspend) or
        # without content: an empty answer is right only where the spec documents no content.
        assert _documented_content(method, path, 200) in (None, {}), f"{method} {path}: empty 200"
        return response
    for dev_method, pattern, _why, adjust in DEVIATIONS:
        if dev_method == method and pattern.match(path) and response.status_code == 200:
            body = json.dumps(adjust(response.json())).encode()
    mock_response = MockResponse(
        body, status_code=response.status_code,
        headers=dict(response.headers),
        content_type=response.headers.get("content-type", "application/json") if body else None,
    )
    openapi.validate_response(mock_request, mock_response)
    return response


# -- the endpoints sarguard uses -----------------------------------------------------------


def test_users_me(openapi, api) -> None:
    check(openapi, api.get("/api/v1/users/me"), 200)
    check(openapi, api.get("/api/v1/users/00uNobody0000000001"), 404)


def test_users_list_search_and_read(openapi, api) -> None:
    page = check(openapi, api.get("/api/v1/users", params={"limit": 2}), 200)
    assert len(page.json()) == 2 and set(page.json()[0]["_links"]) == {"self"}
    check(openapi, api.get(page.links["next"]["url"]), 200)
    check(openapi, api.get("/api/v1/users", params={"filter": 'status eq "ACTIVE"'}), 200)
    found = check(openapi, api.get("/api/v1/users",
                                   params={"search": 'profile.login sw "ALICE"'}), 200)
    assert [u["id"] for u in found.json()] == [ALICE]
    check(openapi, api.get(f"/api/v1/users/{ALICE}"), 200)
    check(openapi, api.get("/api/v1/users/alice.nguyen@example.com"), 200)


def test_user_sessions_and_lifecycle(openapi, api) -> None:
    base = f"/api/v1/users/{BRUNO}"
    check(openapi, api.delete(f"{base}/sessions", params={"oauthTokens": "true"}), 204)
    check(openapi, api.delete("/api/v1/users/00uNobody0000000001/sessions"), 404)
    link = check(openapi, api.post(f"{base}/lifecycle/reset_password",
                                   params={"sendEmail": "false"}), 200)
    assert link.json()["resetPasswordUrl"].startswith("http")
    check(openapi, api.post(f"{base}/lifecycle/reset_password", params={"sendEmail": "true"}), 200)
    check(openapi, api.post(f"{base}/lifecycle/expire_password"), 200)
    check(openapi, api.post(f"{base}/lifecycle/suspend"), 400)  # PASSWORD_EXPIRED, not ACTIVE
    chloe = f"/api/v1/users/{CHLOE}"
    check(openapi, api.post(f"{chloe}/lifecycle/suspend"), 200)
    check(openapi, api.post(f"{chloe}/lifecycle/reset_password", params={"sendEmail": "true"}), 403)
    check(openapi, api.post(f"{chloe}/lifecycle/unsuspend"), 200)
    check(openapi, api.post(f"{chloe}/lifecycle/unsuspend"), 400)  # ACTIVE, not SUSPENDED
    check(openapi, api.post("/api/v1/users/00uNobody0000000001/lifecycle/suspend"), 404)


def test_brands(openapi, api) -> None:
    page = check(openapi, api.get("/api/v1/brands", params={"limit": 1}), 200)
    check(openapi, api.get(page.links["next"]["url"]), 200)
    check(openapi, api.get(f"/api/v1/brands/{DEFAULT}"), 200)
    check(openapi, api.get("/api/v1/brands/bndNope"), 404)


def test_templates_and_settings(openapi, api) -> None:
    listed = check(openapi, api.get(TEMPLATES, params={"expand": "settings,customizationCount",
                                                       "limit": 200}), 200)
    assert listed.json()[0]["_embedded"]["settings"]["recipients"]
    check(openapi, api.get(TEMPLATES, params={"limit": 5}), 200)
    check(openapi, api.get(f"{TEMPLATES}/NewSignOnNotification",
                           params={"expand": "customizationCount"}), 200)
    check(openapi, api.get(f"{TEMPLATES}/Nope"), 404)
    settings = f"{TEMPLATES}/AuthenticatorReset/settings"
    check(openapi, api.get(settings), 200)
    check(openapi, api.put(settings, json={"recipients": "ALL_USERS"}), 200)
    check(openapi, api.put(settings, json={"recipients": "SOME"}), 422)


def test_customizations(openapi, api) -> None:
    base = f"{TEMPLATES}/AuthenticatorReset/customizations"
    content = {"subject": "Reset", "body": "<p>${request.authenticators}</p>"}
    check(openapi, api.get(f"{TEMPLATES}/NewSignOnNotification/customizations"), 200)
    first = check(openapi, api.post(base, json={"language": "en", **content}), 201).json()
    second = check(openapi, api.post(base, json={"language": "fr", **content}), 201).json()
    check(openapi, api.post(base, json={"language": "en", **content}), 409)  # E0000183
    check(openapi, api.post(base, json={"language": "it", "isDefault": True, **content}), 409)
    check(openapi, api.post(base, json={"language": "xx", **content}), 400)
    check(openapi, api.get(f"{base}/{first['id']}"), 200)
    check(openapi, api.get(f"{base}/oelNope"), 404)
    check(openapi, api.put(f"{base}/{first['id']}",
                           json={"language": "en", "isDefault": False, **content}), 409)
    check(openapi, api.put(f"{base}/{second['id']}",
                           json={"language": "fr", "isDefault": False, **content}), 200)
    check(openapi, api.delete(f"{base}/{first['id']}"), 409)  # E0000184
    check(openapi, api.delete(f"{base}/{second['id']}"), 204)
    check(openapi, api.delete(base), 204)


def test_event_hooks(openapi, api) -> None:
    check(openapi, api.get("/api/v1/eventHooks"), 200)
    check(openapi, api.get(f"/api/v1/eventHooks/{HOOK}"), 200)
    check(openapi, api.get("/api/v1/eventHooks/whoNope"), 404)
    body = {"name": "contract", "events": {"type": "EVENT_TYPE",
                                           "items": ["user.account.lock"]},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": {
                "uri": "https://siem.example.com/okta",
                "headers": [{"key": "X-Env", "value": "test"}],
                "authScheme": {"type": "HEADER", "key": "Authorization", "value": "secret"}}}}
    hook = check(openapi, api.post("/api/v1/eventHooks", json=body), 200).json()
    url = f"/api/v1/eventHooks/{hook['id']}"
    check(openapi, api.post(url + "/lifecycle/verify"), 200)
    body["channel"]["config"]["uri"] = "https://siem.example.com/okta2"
    check(openapi, api.put(url, json=body), 200)
    body["channel"]["config"]["uri"] = "http://siem.example.com/plain"
    check(openapi, api.put(url, json=body), 400)
    check(openapi, api.delete(url), 403)  # still ACTIVE
    check(openapi, api.post(url + "/lifecycle/deactivate"), 200)
    check(openapi, api.post(url + "/lifecycle/activate"), 200)
    check(openapi, api.post(url + "/lifecycle/deactivate"), 200)
    check(openapi, api.delete(url), 204)


def test_role_subscriptions(openapi, api) -> None:
    check(openapi, api.get("/api/v1/roles/SUPER_ADMIN/subscriptions"), 200)
    check(openapi, api.get(f"/api/v1/roles/ORG_ADMIN/subscriptions/{RSA}"), 200)
    check(openapi, api.get(f"/api/v1/roles/APP_ADMIN/subscriptions/{RSA}"), 404)
    check(openapi, api.post(f"/api/v1/roles/ORG_ADMIN/subscriptions/{RSA}/subscribe"), 200)
    check(openapi, api.post(f"/api/v1/roles/ORG_ADMIN/subscriptions/{RSA}/unsubscribe"), 200)


def test_threat_insight(openapi, api) -> None:
    check(openapi, api.get("/api/v1/threats/configuration"), 200)
    check(openapi, api.post("/api/v1/threats/configuration",
                            json={"action": "audit", "excludeZones": []}), 200)
    check(openapi, api.post("/api/v1/threats/configuration", json={"action": "loud"}), 400)


@pytest.mark.parametrize("reported", ["user.session.start", "user.mfa.factor.activate",
                                      "user.mfa.factor.reset_all", "user.account.update_password"])
def test_acted_out_reports_are_spec_log_events(openapi, api, reported: str) -> None:
    """The events ``POST /__emulator/report-suspicious-activity`` writes are LogEvents the
    spec accepts, served by ``GET /api/v1/logs`` like any other."""
    answer = api.post("/__emulator/report-suspicious-activity",
                      json={"userId": ALICE, "reportedEventType": reported})
    assert answer.status_code == 200, answer.text
    written = answer.json()
    uuids = list(dict.fromkeys([written["activityEvent"], written["reportedEvent"],
                                written["reportEvent"]]))
    found = check(openapi, api.get("/api/v1/logs", params={
        "filter": " or ".join(f'uuid eq "{u}"' for u in uuids), "since": "2000-01-01T00:00:00Z"}),
        200)
    assert [e["uuid"] for e in found.json()] == uuids


def test_system_log(openapi, api, emu: Emulator) -> None:
    since = emu.state.logs[0]["published"]
    page = check(openapi, api.get("/api/v1/logs", params={"since": since, "limit": 10}), 200)
    assert len(page.json()) == 10
    everything = check(openapi, api.get("/api/v1/logs", params={"since": since, "limit": 1000}),
                       200)
    assert len(everything.json()) == len(emu.state.logs)  # every seeded event validated
    check(openapi, api.get("/api/v1/logs", params={
        "filter": 'eventType eq "user.account.report_suspicious_activity_by_enduser"',
        "since": since, "sortOrder": "DESCENDING"}), 200)
    check(openapi, api.get("/api/v1/logs", params={"filter": "eventType eq"}), 400)


def test_scope_and_rate_limit_errors(openapi, emu: Emulator) -> None:
    with oauth_client(emu, ["okta.brands.read", "okta.users.read"]) as client:
        check(openapi, client.get("/api/v1/brands"), 200)
        check(openapi, client.get("/api/v1/eventHooks"), 403)
        check(openapi, client.get("/api/v1/users"), 200)
        check(openapi, client.post(f"/api/v1/users/{ALICE}/lifecycle/suspend"), 403)
    emu.set_rate_limits("/api/v1/threats=1/min")
    try:
        with client_for(emu) as api:
            check(openapi, api.get("/api/v1/threats/configuration"), 200)
            check(openapi, api.get("/api/v1/threats/configuration"), 429)
    finally:
        emu.set_rate_limits(None)


def test_write_only_secret_would_be_caught(openapi, api) -> None:
    """The validator really enforces writeOnly: a leaked authScheme.value fails the contract."""
    from openapi_core.testing import MockRequest, MockResponse

    hook = api.get(f"/api/v1/eventHooks/{HOOK}").json()
    hook["channel"]["config"]["authScheme"]["value"] = "leaked"
    request = MockRequest(HOST, "get", f"/api/v1/eventHooks/{HOOK}")
    with pytest.raises(Exception, match="(?i)invalid|write"):
        openapi.validate_response(request, MockResponse(json.dumps(hook).encode()))


def test_network_zones_list_read_and_replace(openapi, api, emu) -> None:
    """Okta's spec: /api/v1/zones (okta.networkZones.read) and PUT /api/v1/zones/{zoneId}
    (okta.networkZones.manage) answer IP zones; a PUT replaces the whole zone and writes the
    System Log's zone.update."""
    zones = check(openapi, api.get("/api/v1/zones"), 200).json()
    blocked = next(z for z in zones if z["usage"] == "BLOCKLIST")
    zone = check(openapi, api.get(f"/api/v1/zones/{blocked['id']}"), 200).json()
    check(openapi, api.get("/api/v1/zones/nzoNobody0000000001"), 404)
    body = {"type": "IP", "name": zone["name"],
            "gateways": [{"type": "CIDR", "value": "192.0.2.10/32"}]}
    replaced = check(openapi, api.put(f"/api/v1/zones/{blocked['id']}", json=body), 200).json()
    assert replaced["gateways"] == body["gateways"]
    check(openapi, api.put(f"/api/v1/zones/{blocked['id']}", json={
        "type": "IP", "name": zone["name"], "gateways": [{"type": "CIDR", "value": "nope"}]}), 400)
    logged = api.get("/api/v1/logs", params={"filter": 'eventType eq "zone.update"',
                                             "since": "2000-01-01T00:00:00.000Z"}).json()
    assert [t["id"] for e in logged for t in e["target"]] == [blocked["id"]]
