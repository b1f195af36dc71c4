"""The settings schema's fast path (jsonschema-rs) only ever says "valid" where jsonschema —
whose errors are the messages users read — finds no error: over the same mutated documents and
the same every-position sweep as the loaders' fuzzing."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from sarguard.settings.loader import _settings_validator, schema_accepts
from tests.reliability.mutations import WEIRD, mutated
from tests.reliability.test_fuzz_loaders import (
    CONFUSING,
    SETTINGS,
    _get_path,
    _replaced,
    _shapes,
    fuzz,
)

# Strings where regular-expression dialects and length counting differ.
EDGE_STRINGS = ("abc\n", "abc\r\n", "\nabc", "ab c", "日本", "a\u0301", "🙂", "x" * 70, "A-b_9",
                "Authorization\n", "sig:nature", "1", "0")


def _agrees(raw: Any) -> bool:
    errors = list(_settings_validator().iter_errors(raw))
    if schema_accepts(raw):
        assert errors == [], [e.message for e in errors]
    return not errors


def test_the_fast_path_is_used_for_valid_settings() -> None:
    """Not a path that never runs: the shipped demo settings are accepted by it."""
    assert schema_accepts(SETTINGS)
    assert _agrees(SETTINGS)


@fuzz(400)
@given(raw=mutated(SETTINGS))
def test_an_acceptance_holds_for_jsonschema_too(raw: Any) -> None:
    _agrees(raw)


def test_every_position_with_every_troublesome_value() -> None:
    accepted = rejected = 0
    for path in _shapes(SETTINGS):
        current = _get_path(SETTINGS, path)
        values = (*CONFUSING, *WEIRD, *(EDGE_STRINGS if isinstance(current, str) else ()))
        for value in values:
            if _agrees(_replaced(SETTINGS, path, value)):
                accepted += 1
            else:
                rejected += 1
    assert accepted > 50 and rejected > 500  # both sides of the verdict were exercised
