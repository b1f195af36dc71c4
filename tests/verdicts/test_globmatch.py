import pytest

from sarguard.verdicts.globmatch import FIELD_SEP, glob_match

CUST_FR = "brand/default/template/NewSignOnNotification/customization/fr"


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("brand/*/template/*/customization/fr", CUST_FR, True),
        ("brand/*/customization/fr", CUST_FR, False),  # * stays within one segment
        ("brand/**/customization/fr", CUST_FR, True),  # ** crosses segments
        ("brand/**/customization/de", CUST_FR, False),
        ("brand/**/default/template/**", CUST_FR, True),  # ** matches zero segments
        ("**", CUST_FR, True),
        ("**/fr", CUST_FR, True),
        ("**/fr", "fr", True),
        ("*", CUST_FR, False),
        ("brand/**", "brand", False),  # a trailing /** covers what is below, not the prefix
        ("brand/**", "brand/x", True),
        ("brand/**/**/fr", CUST_FR, True),
        ("brand/default/template/New*/customization/*", CUST_FR, True),
        ("brand/default/template/New*", "brand/default/template/NewSignOnNotification/x", False),
        ("eventHook/so?", "eventHook/soc", True),
        ("eventHook/so?", "eventHook/so/c", False),
        ("eventHook/[ab]", "eventHook/a", False),  # no character classes: literal [
        ("eventHook/[ab]", "eventHook/[ab]", True),
        ("eventHook/a.b", "eventHook/axb", False),  # regex metacharacters are literal
        ("EventHook/soc", "eventHook/soc", False),  # case-sensitive
        ("eventHook/soc", "eventHook/soc/extra", False),  # anchored
    ],
)
def test_resource_glob(pattern: str, key: str, expected: bool) -> None:
    assert glob_match(pattern, key) is expected


@pytest.mark.parametrize(
    ("pattern", "field", "expected"),
    [
        ("channel.config.*", "channel.config.uri", True),
        ("channel.*", "channel.config.uri", False),
        ("channel.**", "channel.config.uri", True),
        ("channel.config.uri", "channel.config.uri", True),
        ("channel.config.uri", "channel.config.urix", False),
        ("*", "recipients", True),
    ],
)
def test_field_glob_uses_dots(pattern: str, field: str, expected: bool) -> None:
    assert glob_match(pattern, field, FIELD_SEP) is expected
