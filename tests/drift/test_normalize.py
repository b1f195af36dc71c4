"""What whitespace in a template body is and is not drift."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sarguard.drift import compare_states, normalize_body, normalize_subject
from tests.drift.builders import BODY, TOKEN, declared_state, live_customization, live_state
from tests.drift.helpers import only_item

LAYOUT = " \t\r\n"


def _drift_for_live_body(body: str):
    declared, live = declared_state(), live_state()
    live_customization(live, "NewSignOnNotification", "en").body = body
    return compare_states(declared, live)


def test_crlf_trailing_spaces_indentation_and_blank_lines_are_not_drift():
    reformatted = (
        "\r\n\r\n".join("\t" + line.strip() + "   " for line in BODY.split("\n")) + "\r\n\r\n\r\n"
    )
    assert reformatted != BODY
    assert _drift_for_live_body(reformatted).items == []


def test_lone_cr_line_endings_are_not_drift():
    assert _drift_for_live_body(BODY.replace("\n", "\r")).items == []


def test_tags_reflowed_onto_one_line_are_not_drift():
    one_line = "".join(line.strip() for line in BODY.split("\n"))
    assert _drift_for_live_body(one_line).items == []


def test_changed_word_is_drift_and_carries_raw_values_and_a_hint():
    changed = BODY.replace("New sign-on", "New login")
    item = only_item(_drift_for_live_body(changed))
    assert (item.kind, item.field) == ("changed", "body")
    assert item.resource == "brand/default/template/NewSignOnNotification/customization/en"
    assert item.declared == BODY and item.live == changed
    assert item.note is not None and "New login" in item.note


def test_removed_token_is_drift():
    item = only_item(_drift_for_live_body(BODY.replace(TOKEN, "#")))
    assert item.field == "body"


def test_damaged_token_is_drift():
    damaged = BODY.replace(TOKEN, "${request.reportSuspiciousActivityTokn}")
    assert only_item(_drift_for_live_body(damaged)).field == "body"


def test_whitespace_inserted_inside_token_is_drift():
    spaced = BODY.replace(TOKEN, "${ request.reportSuspiciousActivityToken }")
    assert only_item(_drift_for_live_body(spaced)).field == "body"


def test_whitespace_inside_a_line_of_text_is_drift():
    assert only_item(_drift_for_live_body(BODY.replace("to your", "to  your"))).field == "body"


def test_text_split_across_lines_is_drift():
    assert only_item(_drift_for_live_body(BODY.replace("to your", "to\nyour"))).field == "body"


def test_non_breaking_space_is_content():
    assert normalize_body("<p>\u00a0</p>") != normalize_body("<p></p>")


def test_subject_ignores_only_surrounding_whitespace():
    assert normalize_subject("  Hello there \r\n") == "Hello there"
    assert normalize_subject("Hello  there") != normalize_subject("Hello there")


_text = st.text(alphabet="<>/ab${}.\u00a0" + LAYOUT, max_size=60)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_normalization_never_touches_content_characters(text: str):
    def content(s: str) -> str:
        return "".join(c for c in s if c not in LAYOUT)

    assert content(normalize_body(text)) == content(text)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_normalization_is_idempotent(text: str):
    once = normalize_body(text)
    assert normalize_body(once) == once


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="<>ab$ ", max_size=12), max_size=8), st.sampled_from(["\r\n", "\r"])
)
def test_line_endings_and_layout_blanks_never_matter(lines: list[str], newline: str):
    plain = "\n".join(lines)
    reformatted = newline.join("  " + line + "\t" for line in lines)
    assert normalize_body(reformatted) == normalize_body(plain)
