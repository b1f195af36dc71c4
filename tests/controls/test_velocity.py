"""The Velocity matcher accepts rendered references only."""

import pytest

from sarguard.controls.velocity import has_reference, references, strip_non_rendered

NAME = "request.reportSuspiciousActivityToken"


@pytest.mark.parametrize("body", [
    "$request.reportSuspiciousActivityToken",
    "${request.reportSuspiciousActivityToken}",
    "$!request.reportSuspiciousActivityToken",
    "$!{request.reportSuspiciousActivityToken}",
    '<a href="https://x/report?t=${request.reportSuspiciousActivityToken}">Report</a>',
    "Token: $request.reportSuspiciousActivityToken.",  # a trailing period is text
    "\\\\$request.reportSuspiciousActivityToken",  # \\ is a literal backslash, then a reference
    "#* comment *# ${request.reportSuspiciousActivityToken}",
    "## a note\n${request.reportSuspiciousActivityToken}",
])
def test_rendered_forms_are_found(body):
    assert has_reference(body, NAME)


@pytest.mark.parametrize("body", [
    "## ${request.reportSuspiciousActivityToken}",
    "text ## old link: $request.reportSuspiciousActivityToken\nmore text",
    "#* ${request.reportSuspiciousActivityToken} *#",
    "#*\n multi-line\n <a href=\"${request.reportSuspiciousActivityToken}\">x</a>\n*#",
    "#* unterminated ${request.reportSuspiciousActivityToken}",
    "#[[ ${request.reportSuspiciousActivityToken} ]]#",
    "\\${request.reportSuspiciousActivityToken}",  # escaped: rendered literally
    "\\$request.reportSuspiciousActivityToken",
    "${request.reportSuspiciousActivityTokn}",  # misspelled
    "$request.reportSuspiciousActivityTokenX",  # a different identifier
    "${request.reportsuspiciousactivitytoken}",  # case matters
    "${request.reportSuspiciousActivityToken",  # unclosed formal reference
    "request.reportSuspiciousActivityToken",  # no $
    "$ {request.reportSuspiciousActivityToken}",
])
def test_non_rendered_or_wrong_forms_are_rejected(body):
    assert not has_reference(body, NAME)


def test_line_comment_keeps_the_newline_and_following_lines():
    assert strip_non_rendered("a ## c\nb") == "a \nb"


def test_block_comment_inside_line_comment_does_not_swallow_the_next_line():
    # Velocity reads "##" first; the "#*" after it is part of the line comment.
    assert has_reference("## note #* \n$request.reportSuspiciousActivityToken", NAME)


def test_prefix_match_is_by_whole_identifier():
    body = "${request.factors} $request.factor.name"
    assert has_reference(body, "request.factor")
    assert has_reference(body, "request.factors")
    assert not has_reference("${request.factors}", "request.factor")
    assert references("$a.b ${c} $!d.e.f") == {"a.b", "c", "d.e.f"}
