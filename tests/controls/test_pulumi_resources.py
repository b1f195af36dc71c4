"""Evidence from Pulumi resources: normalization, defaults, linking, and no secret leaks."""

import dataclasses

import pytest
from pulumi_policy import Secret as PolicySecret
from pulumi_policy.proxy import unknown_checking_proxy

from sarguard.controls.runner import evaluate_catalog
from sarguard.evidence.pulumi_resources import (
    DeclaredResource,
    Secret,
    normalize,
    state_from_resources,
)
from sarguard.model import UNKNOWN
from tests.controls.conftest import good_resources, res, secret

RPC_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
HOOK_T = "okta:index/eventHook:EventHook"
VERIFY_T = "okta:index/eventHookVerification:EventHookVerification"


def _replace(resources, name, **changes):
    out = []
    for r in resources:
        if r.name == name:
            inputs = {**r.inputs, **changes.pop("inputs", {})}
            r = dataclasses.replace(r, inputs=inputs, **changes)
        out.append(r)
    return out


def _status(state, control):
    return {f.resource: f.status for f in evaluate_catalog(state) if f.control == control}


def test_a_good_declaration_passes_every_control():
    state = state_from_resources(good_resources(), "declared")
    assert [f for f in evaluate_catalog(state) if f.status not in ("pass", "not_applicable")] == []
    assert set(state.brands) == {"default"}


@pytest.mark.parametrize("raw,expected", [
    (secret("x"), Secret(True)),
    (secret(""), Secret(False)),
    ({"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"},
     Secret(None)),
    (PolicySecret("x"), Secret(True)),
    (RPC_UNKNOWN, UNKNOWN),
    ("1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", UNKNOWN),
    (secret(RPC_UNKNOWN), UNKNOWN),
    ({"a": [RPC_UNKNOWN, "b"]}, {"a": [UNKNOWN, "b"]}),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_unwraps_the_pack_proxies():
    proxied = unknown_checking_proxy({"channel": {"uri": RPC_UNKNOWN}, "events": ["e1", "e2"]})
    assert normalize(proxied) == {"channel": {"uri": UNKNOWN}, "events": ["e1", "e2"]}


def test_secret_plaintext_never_reaches_the_state_or_findings():
    resources = _replace(good_resources(), "soc", inputs={
        "headers": [{"key": "X-Token", "value": secret("hdr-s3cr3t")}]})
    state = state_from_resources(resources, "declared")
    text = repr(state) + repr(evaluate_catalog(state))
    assert "s3cr3t-value" not in text and "hdr-s3cr3t" not in text
    assert repr(Secret(True)) == "[secret]"


def test_unset_switches_use_the_provider_default_and_say_so():
    state = state_from_resources(good_resources(), "declared")
    assert state.notifications.get("sendEmailForNewDeviceEnabled") is True
    assert "sendEmailForNewDeviceEnabled" in state.notifications.defaulted
    assert "reportSuspiciousActivityEnabled" not in state.notifications.defaulted
    sar02 = [f for f in evaluate_catalog(state) if f.control == "SAR-02"][0]
    assert "provider default" in sar02.message


def test_unknown_switch_from_a_preview_is_not_evaluated():
    resources = _replace(good_resources(), "notifications",
                         inputs={"reportSuspiciousActivityEnabled": RPC_UNKNOWN})
    assert _status(state_from_resources(resources, "pack"), "SAR-01") == {
        "securityNotificationEmails": "not_evaluated"}


def test_hook_status_unset_defaults_to_active():
    resources = good_resources()
    hook = next(r for r in resources if r.name == "soc")
    del hook.inputs["status"]
    state = state_from_resources(resources, "declared")
    assert state.event_hooks[0].status == "ACTIVE"


def test_verification_linked_by_mock_id():
    state = state_from_resources(good_resources(), "declared")
    assert state.event_hooks[0].verification_status == "VERIFIED"


def test_verification_linked_by_property_dependency_when_the_id_is_unknown():
    resources = good_resources()
    hook_urn = next(r.urn for r in resources if r.name == "soc")
    resources = _replace(resources, "soc-verification", inputs={"eventHookId": RPC_UNKNOWN},
                         property_dependencies={"eventHookId": [hook_urn]})
    resources = _replace(resources, "soc", id=None, property_dependencies={})
    state = state_from_resources(resources, "pack")
    assert state.event_hooks[0].verification_status == "VERIFIED"
    assert _status(state, "SAR-05") == {"eventHook/soc": "pass"}


def test_verification_that_cannot_be_linked_is_unknown_not_pass():
    resources = _replace(good_resources(), "soc-verification", inputs={"eventHookId": RPC_UNKNOWN},
                         property_dependencies={})
    resources = _replace(resources, "soc", id=None)
    state = state_from_resources(resources, "pack")
    assert state.event_hooks[0].verification_status is UNKNOWN
    assert _status(state, "SAR-05") == {"eventHook/soc": "not_evaluated"}


def test_missing_verification_fails_sar05():
    resources = [r for r in good_resources() if r.type != VERIFY_T]
    state = state_from_resources(resources, "declared")
    assert state.event_hooks[0].verification_status == "UNVERIFIED"
    assert _status(state, "SAR-05") == {"eventHook/soc": "fail"}


def test_verification_of_another_hook_does_not_count():
    resources = _replace(good_resources(), "soc-verification", inputs={"eventHookId": "other-id"})
    assert _status(state_from_resources(resources, "declared"), "SAR-05") == {"eventHook/soc": "fail"}


def test_plaintext_hook_secret_fails_offline_but_the_pack_cannot_tell():
    auth = {"type": "HEADER", "key": "Authorization", "value": "plain-text-value"}
    resources = _replace(good_resources(), "soc", inputs={"auth": auth})
    declared = state_from_resources(resources, "declared")
    [sar06] = [f for f in evaluate_catalog(declared) if f.control == "SAR-06"]
    assert sar06.status == "fail" and "plaintext" in sar06.message
    assert "plain-text-value" not in sar06.message
    pack = state_from_resources(resources, "pack")
    assert pack.event_hooks[0].auth_value_secret is None
    assert _status(pack, "SAR-06") == {"eventHook/soc": "pass"}


def test_whole_auth_object_secret_as_mocks_send_it():
    auth = secret({"type": "HEADER", "key": "Authorization", "value": "[secret]"})
    state = state_from_resources(_replace(good_resources(), "soc", inputs={"auth": auth}), "declared")
    hook = state.event_hooks[0]
    assert (hook.auth_key, hook.auth_value_set, hook.auth_value_secret) == ("Authorization", True, True)


def test_brand_keys_and_the_offline_placeholder():
    state = state_from_resources(good_resources("bnd123"), "declared", brand_keys={"bnd123": "default"})
    assert set(state.brands) == {"default"} and state.brands["default"].id == "bnd123"
    assert set(state_from_resources(good_resources("bnd123"), "declared").brands) == {"bnd123"}
    assert set(state_from_resources(good_resources("default-brand-id"), "declared").brands) == {"default"}


def test_unknown_brand_id_groups_by_the_resource_it_comes_from():
    resources = []
    for r in good_resources(brand_id=RPC_UNKNOWN):
        deps = {"brandId": ["urn:pulumi:demo::sarguard::okta:index/brand:Brand::emea"]} \
            if "brandId" in r.inputs else {}
        resources.append(dataclasses.replace(r, property_dependencies=deps))
    state = state_from_resources(resources, "pack")
    assert set(state.brands) == {"unknown:emea"} and state.brands["unknown:emea"].id is UNKNOWN
    assert _status(state, "SAR-09")["brand/unknown:emea/template/PasswordChanged/settings"] == "pass"


def test_role_subscription_existence_is_the_subscription_and_unknown_types_are_ignored():
    resources = good_resources() + [
        res("okta:index/roleSubscription:RoleSubscription", "app-admin",
            {"roleRef": "APP_ADMIN", "notificationType": "REPORT_SUSPICIOUS_ACTIVITY"}),
        res("okta:index/user:User", "someone", {"login": "a@example.com"}),
        DeclaredResource(type="pulumi:providers:okta", name="default", inputs={}),
    ]
    state = state_from_resources(resources, "declared")
    assert {s.status for s in state.role_subscriptions} == {"subscribed"}
    assert _status(state, "SAR-08")["roleSubscription/APP_ADMIN/REPORT_SUSPICIOUS_ACTIVITY"] == "fail"
