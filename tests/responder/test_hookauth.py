"""The auth header check: constant-time, current and previous secret, never printable."""

from __future__ import annotations

import hmac
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sarguard.responder.hookauth import HookSecretError, HookSecrets, secrets_from_env

CURRENT = "current-secret-value-0123456789"
PREVIOUS = "previous-secret-value-987654321"


@pytest.fixture
def compares(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


@pytest.mark.parametrize("previous", [None, PREVIOUS])
@pytest.mark.parametrize("given_value", [None, "", CURRENT, PREVIOUS, "x", CURRENT[:-1], CURRENT + "x"])
def test_every_check_does_the_same_constant_time_work(compares, previous, given_value) -> None:
    """Whatever is sent, exactly two ``hmac.compare_digest`` calls run (no early exit, no
    ``==``): the timing cannot tell a near miss from a far one, or which secret matched."""
    HookSecrets(CURRENT, previous).accepts(given_value)
    assert len(compares) == 2
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in compares)


def test_which_values_are_accepted() -> None:
    rotating = HookSecrets(CURRENT, PREVIOUS)
    assert rotating.accepts(CURRENT) and rotating.accepts(PREVIOUS)
    assert not rotating.accepts(None) and not rotating.accepts("") and not rotating.accepts("x")
    single = HookSecrets(CURRENT)
    assert single.accepts(CURRENT) and not single.accepts(PREVIOUS)


@given(st.text(max_size=64))
def test_nothing_but_the_secret_is_accepted(value: str) -> None:
    assert HookSecrets(CURRENT).accepts(value) is (value == CURRENT)


def test_non_ascii_secrets_compare_as_the_bytes_okta_sends() -> None:
    secret = "clé-secrète-ünïcode-0123456789"
    # Starlette hands over header bytes decoded as latin-1.
    received = secret.encode("utf-8").decode("latin-1")
    assert HookSecrets(secret).accepts(received)


def test_the_secrets_never_show_in_a_repr() -> None:
    shown = repr(HookSecrets(CURRENT, PREVIOUS))
    assert CURRENT not in shown and PREVIOUS not in shown and "2 value(s)" in shown


def test_the_secret_comes_from_the_environment_variable_the_config_names(caplog,
                                                                         monkeypatch) -> None:
    # The architecture test runs import-linter in this process, whose logging set-up disables
    # every logger that exists (dictConfig's disable_existing_loggers): undo that here.
    monkeypatch.setattr(logging.getLogger("sarguard.responder"), "disabled", False)
    caplog.set_level(logging.WARNING, logger="sarguard.responder")
    with pytest.raises(HookSecretError, match="SARGUARD_EVENT_HOOK_SECRET is not set"):
        secrets_from_env({}, "SARGUARD_EVENT_HOOK_SECRET", None)
    secrets_from_env({"S": "short"}, "S", "OLD")
    assert "OLD is not set" in caplog.text and "shorter than 16" in caplog.text
    assert "short" not in caplog.text.replace("shorter", "")
