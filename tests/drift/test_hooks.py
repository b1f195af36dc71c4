"""Event hook drift: every compared field, sets, header maps, secrets and the write-only note."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from sarguard.drift import SECRET_MASK, compare_states
from sarguard.model import REPORT_EVENT, UNKNOWN
from sarguard.util.credentials import fingerprint, masked_value
from tests.drift.builders import declared_state, hook, live_state
from tests.drift.helpers import only_item, triples

HOOK = "eventHook/soc-siem"
WRITE_ONLY = "eventHook/soc-siem: channel.config.authScheme.value is write-only in Okta and cannot be compared"


class Secret:
    """Stands in for a secret wrapper from the declared evidence (matched by class name)."""

    def __init__(self, value: str) -> None:
        self.value = value


class Flagged:
    """A secret-like value recognised by its ``is_secret`` attribute, revealing nothing."""

    is_secret = True


@pytest.mark.parametrize(
    ("attr", "field", "live_value"),
    [
        ("status", "status", "INACTIVE"),
        ("uri", "channel.config.uri", "https://elsewhere.example.com/hook"),
        ("auth_key", "channel.config.authScheme.key", "X-Api-Key"),
        ("auth_type", "channel.config.authScheme.type", "BEARER"),
    ],
)
def test_scalar_field_changed(attr: str, field: str, live_value: str):
    declared, live = declared_state(), live_state()
    setattr(live.event_hooks[0], attr, live_value)
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field, item.live) == ("changed", HOOK, field, live_value)


def test_unset_declared_status_means_active():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].status = None
    assert compare_states(declared, live).items == []
    live.event_hooks[0].status = "INACTIVE"
    item = only_item(compare_states(declared, live))
    assert (item.declared, item.live) == ("ACTIVE", "INACTIVE")


def test_declared_verification_expects_verified():
    declared, live = declared_state(), live_state()
    live.event_hooks[0].verification_status = "UNVERIFIED"
    item = only_item(compare_states(declared, live))
    assert (item.field, item.declared, item.live) == (
        "verificationStatus",
        "VERIFIED",
        "UNVERIFIED",
    )


@pytest.mark.parametrize("declared_verification", ["UNVERIFIED", None])
def test_no_declared_verification_is_not_compared(declared_verification):
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].verification_status = declared_verification
    live.event_hooks[0].verification_status = "UNVERIFIED"
    assert compare_states(declared, live).items == []


def test_events_compare_as_sets_and_show_sorted_lists():
    declared, live = declared_state(), live_state()
    live.event_hooks[0].events = list(reversed(declared.event_hooks[0].events))
    assert compare_states(declared, live).items == []
    live.event_hooks[0].events = ["user.session.start", "z.extra", REPORT_EVENT]
    item = only_item(compare_states(declared, live))
    assert item.field == "events"
    assert item.declared == sorted(declared.event_hooks[0].events)
    assert item.live == sorted(["user.session.start", "z.extra", REPORT_EVENT])


def test_headers_compare_as_map_ignoring_order():
    declared, live = declared_state(), live_state()
    live.event_hooks[0].headers = dict(reversed(list(declared.event_hooks[0].headers.items())))
    assert compare_states(declared, live).items == []


@pytest.mark.parametrize(
    "live_headers",
    [
        {"X-Source": "okta", "X-Tenant": "other"},
        {"X-Source": "okta"},
        {"X-Source": "okta", "X-Tenant": "acme", "X-Extra": "1"},
    ],
)
def test_header_value_or_key_difference_is_one_changed_item(live_headers):
    declared, live = declared_state(), live_state()
    live.event_hooks[0].headers = live_headers
    item = only_item(compare_states(declared, live))
    assert item.field == "channel.config.headers"
    assert item.declared == {"X-Source": "okta", "X-Tenant": "acme"}
    assert item.live == live_headers


def test_auth_value_gets_the_write_only_note_and_no_item():
    result = compare_states(declared_state(), live_state())
    assert result.items == []
    assert WRITE_ONLY in result.notes


def test_no_write_only_note_without_declared_auth():
    declared, live = declared_state(), live_state()
    for h in (declared.event_hooks[0], live.event_hooks[0]):
        h.auth_key = h.auth_type = None
        h.auth_value_set = False
    assert WRITE_ONLY not in compare_states(declared, live).notes


def test_secret_header_equal_live_is_not_drift():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers["X-Routing"] = Secret("s3cr3t-route")
    live.event_hooks[0].headers["X-Routing"] = "s3cr3t-route"
    assert compare_states(declared, live).items == []


def test_secret_header_is_masked_on_both_sides():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers["X-Routing"] = Secret("s3cr3t-route")
    live.event_hooks[0].headers["X-Routing"] = "s3cr3t-route"
    live.event_hooks[0].headers["X-Tenant"] = "other"
    result = compare_states(declared, live)
    item = only_item(result)
    assert item.declared["X-Routing"] == SECRET_MASK and item.live["X-Routing"] == SECRET_MASK
    assert "s3cr3t-route" not in json.dumps(asdict(result))


def test_secret_header_value_difference_is_reported_without_the_value():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers["X-Routing"] = Secret("s3cr3t-route")
    live.event_hooks[0].headers["X-Routing"] = "stale-route-value"
    result = compare_states(declared, live)
    item = only_item(result)
    assert item.note == "secret header value(s) differ: X-Routing"
    dumped = json.dumps(asdict(result))
    assert "s3cr3t-route" not in dumped and "stale-route-value" not in dumped


def test_pulumi_wrapped_secret_header_is_masked():
    declared, live = declared_state(), live_state()
    wrapped = {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "pw",
    }
    declared.event_hooks[0].headers["X-Routing"] = wrapped
    live.event_hooks[0].headers["X-Routing"] = "different"
    item = only_item(compare_states(declared, live))
    assert item.declared["X-Routing"] == SECRET_MASK and item.live["X-Routing"] == SECRET_MASK


def test_unrevealed_secret_header_is_noted_not_compared():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers["X-Routing"] = Flagged()
    live.event_hooks[0].headers["X-Routing"] = "whatever"
    result = compare_states(declared, live)
    assert result.items == []
    assert any("X-Routing is a secret" in n for n in result.notes)


CREDENTIAL_NAMES = ["X-Api-Key", "x-api_key", "Authorization", "X-Auth-Token", "X-Client-Secret",
                    "X-Password", "X-Hub-Signature-256"]


@pytest.mark.parametrize("name", CREDENTIAL_NAMES)
def test_credential_like_header_differs_by_name_and_fingerprint_never_value(name):
    """Okta returns custom header values in clear (EventHook channel.config.headers in the
    Management API spec has no write-only marker, unlike authScheme.value)."""
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers[name] = "declared-key-111"
    live.event_hooks[0].headers[name] = "live-key-222"
    result = compare_states(declared, live)
    item = only_item(result)
    dumped = json.dumps(asdict(result))
    assert "declared-key-111" not in dumped and "live-key-222" not in dumped
    assert item.declared[name] == masked_value("declared-key-111")
    assert item.live[name] == masked_value("live-key-222")
    assert item.declared[name] != item.live[name]
    assert name in item.note and "fingerprint" in item.note


def test_fingerprint_is_stable_sha256_prefix():
    import hashlib

    assert fingerprint("abc") == "sha256:" + hashlib.sha256(b"abc").hexdigest()[:8]
    assert fingerprint("abc") == fingerprint("abc") != fingerprint("abd")


def test_credential_like_header_equal_is_not_drift_and_other_drift_masks_it():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers["X-Api-Key"] = "same-key-333"
    live.event_hooks[0].headers["X-Api-Key"] = "same-key-333"
    assert compare_states(declared, live).items == []
    live.event_hooks[0].headers["X-Tenant"] = "other"
    item = only_item(compare_states(declared, live))
    assert item.live["X-Tenant"] == "other"  # other header values print as before
    assert item.declared["X-Api-Key"] == item.live["X-Api-Key"] == masked_value("same-key-333")
    assert "same-key-333" not in json.dumps(asdict(item))


def test_live_only_credential_header_is_masked():
    declared, live = declared_state(), live_state()
    live.event_hooks[0].headers["X-Api-Key"] = "sneaky-live-444"
    item = only_item(compare_states(declared, live))
    assert "sneaky-live-444" not in json.dumps(asdict(item))
    assert item.live["X-Api-Key"].startswith("[credential sha256:")


@pytest.mark.parametrize("secret", [Secret("revealed-555"), Flagged()])
def test_secret_credential_header_cannot_be_compared_note(secret):
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers["X-Api-Key"] = secret
    live.event_hooks[0].headers["X-Api-Key"] = "live-666"
    result = compare_states(declared, live)
    assert result.items == []
    assert any("X-Api-Key is a Pulumi secret" in n and "cannot be compared" in n
               for n in result.notes)
    assert "live-666" not in json.dumps(asdict(result))


def test_declared_hook_absent_live_is_missing():
    declared, live = declared_state(), live_state()
    live.event_hooks = []
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == ("missing", HOOK, "eventHook")
    assert item.declared["uri"] == declared.event_hooks[0].uri


def test_undeclared_live_hook_on_report_event_is_unmanaged():
    declared, live = declared_state(), live_state()
    live.event_hooks.append(hook("shadow", id="who2", events=[REPORT_EVENT]))
    live.event_hooks.append(hook("unrelated", id="who3", events=["user.session.start"]))
    item = only_item(compare_states(declared, live))
    assert (item.kind, item.resource, item.field) == ("unmanaged", "eventHook/shadow", "eventHook")
    assert item.live["id"] == "who2"


def test_unknown_declared_events_are_noted():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].events = UNKNOWN
    live.event_hooks[0].events = ["x"]
    result = compare_states(declared, live)
    assert result.items == []
    assert f"{HOOK}: events is unknown in the declared state; not compared" in result.notes


def test_several_fields_are_ordered_by_field():
    declared, live = declared_state(), live_state()
    lh = live.event_hooks[0]
    lh.uri, lh.status, lh.events = "https://x.example.com", "INACTIVE", []
    assert triples(compare_states(declared, live)) == [
        ("changed", HOOK, "channel.config.uri"),
        ("changed", HOOK, "events"),
        ("changed", HOOK, "status"),
    ]


def test_unknown_element_in_declared_events_is_noted():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].events = [REPORT_EVENT, UNKNOWN]
    result = compare_states(declared, live)
    assert result.items == []
    assert f"{HOOK}: events is unknown in the declared state; not compared" in result.notes


def test_secret_uri_is_compared_blind_and_masked():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].uri = Secret("https://hidden.example.com/t0ken")
    live.event_hooks[0].uri = "https://hidden.example.com/other-t0ken"
    result = compare_states(declared, live)
    item = only_item(result)
    assert (item.field, item.declared, item.live) == (
        "channel.config.uri",
        SECRET_MASK,
        SECRET_MASK,
    )
    assert "t0ken" not in json.dumps(asdict(result))
    live.event_hooks[0].uri = "https://hidden.example.com/t0ken"
    assert compare_states(declared, live).items == []


def test_unrevealed_secret_uri_is_noted_not_compared():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].uri = Flagged()
    result = compare_states(declared, live)
    assert result.items == []
    assert (
        f"{HOOK}: channel.config.uri is a secret the declared evidence does not reveal; "
        "not compared" in result.notes
    )


# ---- credentials in the URL (sig=, code=) and {secret:NAME} placeholders ---------------------

LOGIC = "https://prod-12.westus.logic.azure.com/workflows/a/invoke?api-version=2016-10-01&sv=1.0&sig="
LIVE_SIG = "LiveSigCanary0123456789abc"


def test_a_placeholder_matches_any_live_value_which_is_not_compared():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].uri = LOGIC + "{secret:sig}"
    live.event_hooks[0].uri = LOGIC + LIVE_SIG
    result = compare_states(declared, live)
    assert result.items == []
    assert any("sig come from sarguard:eventHookUrlSecrets and are not compared" in n for n in result.notes)


def test_a_url_that_differs_outside_its_placeholders_is_shown_without_the_credential():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].uri = LOGIC + "{secret:sig}"
    live.event_hooks[0].uri = LOGIC.replace("prod-12", "prod-99") + LIVE_SIG
    result = compare_states(declared, live)
    item = only_item(result)
    assert (item.kind, item.field, item.declared) == ("changed", "channel.config.uri", LOGIC + "{secret:sig}")
    assert LIVE_SIG not in json.dumps(asdict(result), default=str)
    assert f"sig=[credential {fingerprint(LIVE_SIG)}]" in item.live


def test_clear_url_credentials_are_compared_by_fingerprint():
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].uri = LOGIC + "DeclaredSigCanary987"
    live.event_hooks[0].uri = LOGIC + LIVE_SIG
    result = compare_states(declared, live)
    item = only_item(result)
    text = json.dumps(asdict(result), default=str)
    assert LIVE_SIG not in text and "DeclaredSigCanary987" not in text
    assert item.declared != item.live and fingerprint(LIVE_SIG) in item.live
    live.event_hooks[0].uri = declared.event_hooks[0].uri
    assert compare_states(declared, live).items == []


def test_an_unmanaged_hook_is_listed_without_its_url_credential():
    declared, live = declared_state(), live_state()
    extra = hook(name="azure", uri="https://fn.azurewebsites.net/api/x?code=" + LIVE_SIG)
    extra.id = "azure-id"
    live.event_hooks.append(extra)
    text = json.dumps(asdict(compare_states(declared, live)), default=str)
    assert "eventHook/azure" in text and LIVE_SIG not in text and "code=[credential sha256:" in text


@pytest.mark.parametrize("name", ["x-functions-key", "Ocp-Apim-Subscription-Key", "Cookie"])
def test_azure_style_credential_headers_are_fingerprinted(name):
    declared, live = declared_state(), live_state()
    declared.event_hooks[0].headers = {name: "DeclaredHeaderCanary1"}
    live.event_hooks[0].headers = {name: "LiveHeaderCanary22"}
    result = compare_states(declared, live)
    text = json.dumps(asdict(result), default=str)
    assert "DeclaredHeaderCanary1" not in text and "LiveHeaderCanary22" not in text
    assert only_item(result).live == {name: masked_value("LiveHeaderCanary22")}
