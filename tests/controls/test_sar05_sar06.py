"""SAR-05 (an active, verified https hook receives reports) and SAR-06 (it authenticates)."""

import pytest

from sarguard.model import UNKNOWN
from tests.controls.conftest import by_resource, good_state, hook, run


def _with_hooks(*hooks, source="declared"):
    state = good_state(source)
    state.event_hooks = list(hooks)
    return state


def test_sar05_passes_on_the_good_hook():
    [f] = run("SAR-05", good_state())
    assert (f.status, f.resource, f.urn) == ("pass", "eventHook/soc", "urn:test::hook-soc")


@pytest.mark.parametrize("uri", ["http://localhost:8080/hook", "http://127.0.0.1/x",
                                 "http://[::1]:9000/x", "https://soar.example.com/x"])
def test_sar05_accepts_https_and_loopback_http(uri):
    [f] = run("SAR-05", _with_hooks(hook(uri=uri)))
    assert f.status == "pass"


@pytest.mark.parametrize("overrides,phrase", [
    ({"uri": "http://soar.example.com/x"}, "plain http"),
    ({"uri": "http://127.0.0.1.example.com/x"}, "plain http"),
    ({"uri": "ftp://soar.example.com/x"}, "scheme"),
    ({"uri": None}, "no delivery URL"),
    ({"status": "INACTIVE"}, "not ACTIVE"),
    ({"verification_status": "UNVERIFIED"}, "not verified"),
])
def test_sar05_fails_a_hook_that_cannot_deliver(overrides, phrase):
    [f] = run("SAR-05", _with_hooks(hook(**overrides)))
    assert f.status == "fail" and phrase in f.message and f.resource == "eventHook/soc"


def test_sar05_message_never_shows_the_url_path_or_query():
    [f] = run("SAR-05", _with_hooks(hook(uri="http://soar.example.com/h?token=abc123")))
    assert "abc123" not in f.message


def test_sar05_no_subscribed_hook_fails_on_org():
    [f] = run("SAR-05", _with_hooks(hook(events=["user.session.start"])))
    assert (f.status, f.resource) == ("fail", "org")
    [f] = run("SAR-05", _with_hooks())
    assert (f.status, f.resource) == ("fail", "org")


def test_sar05_one_good_hook_is_enough():
    findings = by_resource(run("SAR-05", _with_hooks(hook("bad", status="INACTIVE"), hook("good"))))
    assert findings == {"eventHook/good": findings["eventHook/good"]}
    assert findings["eventHook/good"].status == "pass"


def test_sar05_unknown_verification_is_not_evaluated_not_pass():
    [f] = run("SAR-05", _with_hooks(hook(verification_status=UNKNOWN), source="pack"))
    assert f.status == "not_evaluated" and "verified" in f.message


def test_sar05_unknown_events_may_qualify():
    [f] = run("SAR-05", _with_hooks(hook(events=UNKNOWN), source="pack"))
    assert f.status == "not_evaluated"


def test_sar05_unread_hooks():
    state = _with_hooks(source="live")
    state.unread["eventHooks"] = "missing scope okta.eventHooks.read"
    [f] = run("SAR-05", state)
    assert f.status == "not_evaluated" and "okta.eventHooks.read" in f.message


def test_sar06_passes_with_secret_header():
    [f] = run("SAR-06", good_state())
    assert f.status == "pass"


@pytest.mark.parametrize("overrides,phrase", [
    ({"auth_value_secret": False}, "plaintext"),
    ({"auth_key": None}, "auth.key"),
    ({"auth_value_set": False, "auth_value_secret": None}, "auth.value"),
    ({"auth_type": "BASIC"}, "HEADER"),
    ({"headers": {"X-Api-Key": "plain-key"}}, "X-Api-Key"),
])
def test_sar06_declared_failures(overrides, phrase):
    [f] = run("SAR-06", _with_hooks(hook(**overrides)))
    assert f.status == "fail" and phrase in f.message
    assert "plain-key" not in f.message


def test_sar06_pack_cannot_see_secretness_and_says_so():
    [f] = run("SAR-06", _with_hooks(hook(auth_value_secret=None, headers={"X-Api-Key": "k"}),
                                    source="pack"))
    assert f.status == "pass" and "cannot show" in f.message


def test_sar06_unknown_auth_value_is_not_evaluated():
    [f] = run("SAR-06", _with_hooks(hook(auth_value_set=None, auth_value_secret=None), source="pack"))
    assert f.status == "not_evaluated"


def test_sar06_live_needs_header_scheme_and_key():
    live = hook(auth_value_set=None, auth_value_secret=None)
    [f] = run("SAR-06", _with_hooks(live, source="live"))
    assert f.status == "pass" and "never returns" in f.message
    [f] = run("SAR-06", _with_hooks(hook(auth_type=None, auth_value_set=None), source="live"))
    assert f.status == "fail" and "authScheme" in f.message


def test_sar06_without_report_hook_is_not_applicable():
    [f] = run("SAR-06", _with_hooks(hook(events=["user.session.start"])))
    assert (f.status, f.resource) == ("not_applicable", "org") and "SAR-05" in f.message
