"""Investigation filters: the cheat-sheet's shape, strict subject validation, no injection."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sarguard.systemlog import scopes
from sarguard.systemlog.filters import (
    FilterError,
    build_filter,
    escape,
    event_types_filter,
    validate_ip,
    validate_session,
    validate_user_id,
)

from .logfactory import SESSION, USER

SUBJECTS = {
    "user": (USER, f'(actor.id eq "{USER}" or target.id eq "{USER}")'),
    "ip": ("203.0.113.7", '(client.ipAddress eq "203.0.113.7")'),
    "session": (SESSION, f'(authenticationContext.externalSessionId eq "{SESSION}")'),
}


def _event_types(filter_text: str) -> list[str]:
    return re.findall(r'\(eventType eq "([^"]+)"\)', filter_text)


@pytest.mark.parametrize("scope", list(scopes.SCOPES))
@pytest.mark.parametrize("subject", list(SUBJECTS))
def test_every_scope_and_subject(scope: str, subject: str) -> None:
    value, clause = SUBJECTS[subject]
    text = build_filter(**{subject: value}, scope=scope)
    types = scopes.SCOPES[scope]
    if types is None:
        assert text == clause
    else:
        assert text.startswith(clause + " and ((eventType eq ")
        assert text.endswith('"))')
        assert _event_types(text) == list(types)
        assert text.count(" or (eventType eq ") == len(types) - 1


def test_subjects_combine_with_and() -> None:
    text = build_filter(user=USER, ip="2001:db8::7", session=SESSION, scope="logout")
    assert text == (
        f'(actor.id eq "{USER}" or target.id eq "{USER}") and '
        '(client.ipAddress eq "2001:db8::7") and '
        f'(authenticationContext.externalSessionId eq "{SESSION}") and '
        '((eventType eq "user.session.end") or (eventType eq "user.authentication.slo"))'
    )


def test_surrounding_whitespace_is_ignored() -> None:
    assert build_filter(user=f"  {USER}\n", scope="all") == SUBJECTS["user"][1]


def test_a_subject_is_required() -> None:
    with pytest.raises(FilterError, match="at least one of --user, --ip or --session"):
        build_filter(scope="signin")


def test_unknown_scope_raises_filter_error() -> None:
    with pytest.raises(FilterError, match="--scope"):
        build_filter(user=USER, scope="everything")


INJECTIONS = [
    '" or eventType pr or "',
    f'{USER}" or eventType pr or "',
    f'{USER}") or (actor.id pr',
    f"{USER}\\",
    f"{USER} or 1",
    f"{SESSION}\nor",
]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("option", ["user", "ip", "session"])
def test_injection_attempts_are_rejected(option: str, value: str) -> None:
    with pytest.raises(FilterError, match=f"--{option}"):
        build_filter(**{option: value}, scope="all")


@pytest.mark.parametrize(
    "value",
    ["", "ann@example.com", "00u123", "00u" + "a" * 40, "0OA" + "b" * 17, "x0ub0oNGTSWTBKOLGLNR",
     "00ub0oNGTSWTBK-LGLNR", "00ub0oNGTSWTBKOLGLN\u0410", "00ub0oNGTSWTBKOLGLNR\n00u"],
)
def test_malformed_user_ids(value: str) -> None:
    with pytest.raises(FilterError, match="--user: .* is not an Okta id"):
        validate_user_id(value)


def test_login_gets_a_hint() -> None:
    with pytest.raises(FilterError, match="looks like a login"):
        validate_user_id("ann@example.com")


@pytest.mark.parametrize("value", ["00ub0oNGTSWTBKOLGLNR", "0oa1b2c3d4e5f6g7h8i9", "00u1234567890abcd"])
def test_valid_okta_ids(value: str) -> None:
    assert validate_user_id(value) == value


@pytest.mark.parametrize(
    "value", ["", "203.0.113", "203.0.113.256", "203.0.113.0/24", "fe80::1%eth0", "localhost",
              "203.0.113.7 ", "203.0.113.7\x00", "::g"],
)
def test_malformed_ips(value: str) -> None:
    if value == "203.0.113.7 ":  # trailing whitespace is trimmed, not an error
        assert validate_ip(value) == "203.0.113.7"
        return
    with pytest.raises(FilterError, match="--ip: .* is not an IP address"):
        validate_ip(value)


@pytest.mark.parametrize("value", ["203.0.113.7", "2001:db8::7", "::ffff:203.0.113.7"])
def test_valid_ips(value: str) -> None:
    assert validate_ip(value) == value


@pytest.mark.parametrize(
    "value", ["", "short", "has space inside", "idx" + "a" * 200, "102abc/def1", "102abc\"def1",
              "102abcdef1;rm"],
)
def test_malformed_sessions(value: str) -> None:
    with pytest.raises(FilterError, match="--session: .* is not an external session id"):
        validate_session(value)


def test_error_messages_bound_the_echoed_value() -> None:
    with pytest.raises(FilterError) as info:
        validate_session("x" * 5000)
    assert len(str(info.value)) < 300


def test_escape_backslash_then_quote() -> None:
    assert escape('a"b\\c') == 'a\\"b\\\\c'
    assert escape('\\"') == '\\\\\\"'


def test_event_types_filter_and_its_validation() -> None:
    assert event_types_filter(["a.b", "c.d_e"]) == '(eventType eq "a.b") or (eventType eq "c.d_e")'
    with pytest.raises(FilterError):
        event_types_filter(['a.b" or "x'])
    with pytest.raises(FilterError):
        event_types_filter([])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(lambda base, junk: base + junk,
                  st.sampled_from([USER, "203.0.113.7", "2001:db8::7", SESSION]),
                  st.text(max_size=8)),
    ),
    st.sampled_from(["user", "ip", "session"]),
)
def test_any_accepted_value_leaves_the_filter_structure_unchanged(value: str, option: str) -> None:
    """Whatever is accepted is a plain value: replacing it gives the reference filter."""
    try:
        text = build_filter(**{option: value}, scope="mfa")
    except FilterError:
        return
    reference_value = SUBJECTS[option][0]
    reference = build_filter(**{option: reference_value}, scope="mfa")
    assert text == reference.replace(reference_value, value.strip())
    assert "\\" not in text and text.count('"') == reference.count('"')
