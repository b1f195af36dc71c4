"""The SCIM filter parser: what it accepts, how it evaluates, and how it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sarguard.emulator import scim

EVENT = {
    "eventType": "user.session.start",
    "published": "2024-05-01T10:00:00.000Z",
    "actor": {"id": "00uAlice", "type": "User", "alternateId": "alice@example.com"},
    "target": [{"id": "00uBob", "type": "User"}, {"id": "0oaApp", "type": "AppInstance"}],
    "client": {"ipAddress": "203.0.113.5", "geographicalContext": {"country": "France"}},
    "authenticationContext": {"externalSessionId": "102abc"},
    "outcome": {"result": "SUCCESS"},
    "debugContext": {"debugData": {"requestUri": "/idp/idx/identify", "risk": 3,
                                   "threatSuspected": "false"}},
    "severity": "INFO",
}


@pytest.mark.parametrize("text, expected", [
    ('eventType eq "user.session.start"', True),
    ('eventType eq "user.session.end"', False),
    ('EVENTTYPE eq "user.session.start"', False),  # attribute names are exact
    ('eventType EQ "user.session.start"', True),  # operators are not
    ('eventType eq "USER.SESSION.START"', False),  # values compare exactly
    ('eventType sw "user.session"', True),
    ('eventType ew ".start"', True),
    ('actor.alternateId co "@example"', True),
    ('target.id eq "0oaApp"', True),  # any target
    ('target.id eq "00uAlice"', False),
    ('client.geographicalContext.country eq "France"', True),
    ("debugContext.debugData.requestUri pr", True),
    ("debugContext.debugData.missing pr", False),
    ('debugContext.debugData.requestUri sw "/idp/"', True),
    ("debugContext.debugData.risk gt 2", True),
    ("debugContext.debugData.risk le 2", False),
    ('debugContext.debugData.threatSuspected eq "false"', True),
    ("debugContext.debugData.threatSuspected eq false", False),  # a string is not a boolean
    ('published gt "2024-05-01T09:59:59.000Z"', True),
    ('published lt "2024-05-01T09:59:59.000Z"', False),
    ('outcome.result ne "FAILURE"', True),
    ('not (outcome.result eq "SUCCESS")', False),
    ('authenticationContext.externalSessionId eq "102abc" and severity eq "INFO"', True),
    ('eventType eq "x" or eventType eq "user.session.start"', True),
    ('eventType eq "x" or eventType eq "y" and actor.id eq "00uAlice"', False),  # and binds tighter
    ('(eventType eq "x" or eventType eq "user.session.start") and actor.id eq "00uAlice"', True),
    ('(actor.id eq "00uAlice" or target.id eq "00uAlice") and ((eventType eq '
     '"user.session.start") or (eventType eq "policy.evaluate_sign_on"))', True),
    ("client.ipAddress eq null", False),
    ("client.zone eq null", True),
    ('actor.displayName eq "A \\"quoted\\" name"', False),
])
def test_evaluation(text: str, expected: bool) -> None:
    assert scim.matches(scim.parse(text), EVENT) is expected


def test_long_or_chains_parse_without_deep_recursion() -> None:
    text = " or ".join(f'(eventType eq "type.{i}")' for i in range(300))
    node = scim.parse(text)
    assert isinstance(node, scim.Or) and len(node.items) == 300
    assert not scim.matches(node, EVENT)


def test_escaped_quotes_are_part_of_the_value() -> None:
    node = scim.parse('actor.id eq "x\\" or actor.id pr or \\"y"')
    assert isinstance(node, scim.Compare)
    assert node.value == 'x" or actor.id pr or "y'
    assert not scim.matches(node, EVENT)


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("eventType", "operator"),
    ('eventType eq', "value"),
    ('eventType eq "x" and', "attribute"),
    ('eventType eq "x" xor eventType eq "y"', "unexpected"),
    ('eventType like "x"', "operator"),
    ('(eventType eq "x"', "')'"),
    ('eventType eq "x")', "unexpected"),
    ('eventType eq "unterminated', "string"),
    ('target[type eq "User"].id eq "x"', "[ ]"),
    ("eventType eq __import__('os')", "character"),
    ('eventType eq "x"; drop table logs', "character"),
    ("eventType co 5", "string value"),
    ("not eventType eq \"x\"", "'('"),
    ("(" * 40 + 'eventType eq "x"' + ")" * 40, "nested"),
    ('eventType eq "' + "x" * 17000 + '"', "longer"),
])
def test_invalid_filters(text: str, fragment: str) -> None:
    with pytest.raises(scim.FilterError) as info:
        scim.parse(text)
    assert fragment in str(info.value)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list('abeqnotrsw .()"\\[]01-') + [" and ", " or ", " eq ",
                                                                "a.b", '"v"', " pr"]),
                max_size=25).map("".join))
def test_any_input_parses_or_fails_cleanly(text: str) -> None:
    try:
        node = scim.parse(text)
    except scim.FilterError as exc:
        assert exc.position >= 0
        return
    assert isinstance(scim.matches(node, EVENT), bool)
