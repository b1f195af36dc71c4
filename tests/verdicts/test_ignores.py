import pytest

from sarguard.report.model import DriftItem, UnreadItem
from sarguard.verdicts.ignores import (
    IgnoreError,
    IgnoreRule,
    apply_ignores,
    load_ignores,
    unused_ignore_warnings,
)
from tests.report.helpers import write

VALID = """
- resource: eventHook/soc
  field: channel.config.headers.*
  reason: Header rotated by the SOAR platform
- resource: brand/*/template/*/settings
  reason: Second brand managed by marketing
"""


def test_load_valid_file(tmp_path) -> None:
    rules = load_ignores(write(tmp_path, VALID))
    assert [(r.resource, r.field) for r in rules] == [
        ("eventHook/soc", "channel.config.headers.*"),
        ("brand/*/template/*/settings", None),
    ]
    assert rules[1].reason == "Second brand managed by marketing"


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ("- resource: eventHook/soc\n", ["[0].reason", "missing"]),
        ("- resource: eventHook/soc\n  reason: ''\n", ["[0].reason", "non-empty string"]),
        ("- reason: r\n", ["[0].resource", "missing"]),
        ("- resource: x\n  field: 3\n  reason: r\n", ["[0].field", "non-empty string", "int 3"]),
        ("- resource: x\n  reason: r\n  fields: a\n", ["[0].fields", "unknown key"]),
        ("resource: x\n", ["expected a YAML list"]),
        ("- - nested\n", ["[0]", "expected a mapping"]),
        ("- resource: x\n  reason: 'unterminated\n", ["invalid YAML", "line"]),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path, body: str, fragments: list[str]) -> None:
    path = write(tmp_path, body, "ignore.yaml")
    with pytest.raises(IgnoreError) as info:
        load_ignores(path)
    assert str(info.value).startswith(str(path))
    for fragment in fragments:
        assert fragment in str(info.value)


def _drift() -> list[DriftItem]:
    return [
        DriftItem("changed", "eventHook/soc", "channel.config.headers.X-Tenant", "a", "b"),
        DriftItem("changed", "eventHook/soc", "channel.config.uri", "https://a", "https://b"),
        DriftItem(
            "changed",
            "brand/b2/template/PasswordChanged/settings",
            "recipients",
            "ALL_USERS",
            "NO_USERS",
        ),
        DriftItem(
            "changed", "brand/default/template/PasswordChanged/customization/en", "body", "x", "y"
        ),
    ]


def test_field_rule_matches_only_that_field_and_no_unread() -> None:
    drift = _drift()
    unread = [UnreadItem("eventHook/soc", "403")]
    rule = IgnoreRule(resource="eventHook/soc", field="channel.config.headers.*", reason="rotated")
    apply_ignores(drift, unread, [rule])
    assert [d.ignored for d in drift] == [True, False, False, False]
    assert drift[0].reason == "rotated"
    assert drift[1].reason is None
    assert unread[0].ignored is False


def test_rule_without_field_covers_all_fields_and_unread() -> None:
    drift = _drift()
    unread = [
        UnreadItem("brand/b2/template/PasswordChanged/settings", "scope"),
        UnreadItem("eventHooks", "403"),
    ]
    apply_ignores(drift, unread, [IgnoreRule(resource="brand/*/template/*/settings", reason="mkt")])
    assert [d.ignored for d in drift] == [False, False, True, False]
    assert unread[0].ignored and unread[0].ignore_reason == "mkt"
    assert not unread[1].ignored


def test_star_vs_double_star_and_first_rule_wins() -> None:
    drift = _drift()
    rules = [
        IgnoreRule(resource="brand/*/customization/en", reason="never matches"),
        IgnoreRule(resource="brand/**/customization/en", reason="first"),
        IgnoreRule(resource="**", reason="catch-all"),
    ]
    apply_ignores(drift, [], rules)
    assert drift[3].reason == "first"
    assert drift[0].reason == "catch-all"


def test_unused_rules_are_reported() -> None:
    drift = _drift()
    rules = [
        IgnoreRule(resource="eventHook/soc", reason="used"),
        IgnoreRule(
            resource="eventHook/gone", field="status", reason="stale", source="i.yaml", index=1
        ),
    ]
    warnings = unused_ignore_warnings(drift, [], rules)
    assert len(warnings) == 1
    assert "'eventHook/gone' field 'status'" in warnings[0] and "i.yaml [1]" in warnings[0]
