"""The Velocity matcher accepts rendered references only."""

import pytest

from sarguard.controls.velocity import (
    fold_condition,
    has_reference,
    references,
    rendered_references,
    rendering,
    strip_non_rendered,
)

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


# ---- what renders: Velocity blocks ------------------------------------------------------------

@pytest.mark.parametrize(("condition", "value"), [
    ("true", True), ("false", False), ("!true", False), (" ! false ", True), ("not true", False),
    ("true && false", False), ("true and true", True), ("false || true", True),
    ("false or false", False), ("(false || true) && !false", True),
    ("$x", None), ("$x == 'false'", None), ("false && $x", False), ("$x && false", False),
    ("true || $x.y($z)", True), ("$x || false", None), ("!$x", None), ("'false'", None),
    ("", None), ("(", None), ("true)", None), ("0", None),
])
def test_fold_condition_folds_only_constants(condition, value):
    assert fold_condition(condition) is value


def test_rendering_keeps_what_may_render_and_names_what_never_does():
    result = rendering("a#if(false)X#{else}Y#end#if($u)M#end#macro(m)Q#end b")
    assert "Y" in result.text and "M" in result.text and "X" not in result.text
    assert [chunk for chunk, _ in result.dead] == ["X", "Q"]
    assert result.dead[0][1] == "#if(false) is never true" and result.malformed is None


def test_rendering_keeps_branches_apart():
    """A directive becomes a space, so two branches inside one attribute are two URLs."""
    assert rendering("x#if($a)1#{else}2#end").text == "x 1 2 "


@pytest.mark.parametrize(("body", "why"), [
    ("#if(true) x", "#if(true) has no #end"),
    ("x #end", "an #end closes no block"),
    ("#elseif(true)", "#elseif outside any #if"),
    ("#foreach($i in $list", "#foreach has no complete (…) argument"),
])
def test_rendering_of_a_body_velocity_cannot_parse_is_all_dead(body, why):
    result = rendering(body)
    assert result.text == "" and why in (result.malformed or "")


def test_rendered_references_skip_escaped_ones():
    assert [name for name, _, _ in rendered_references("\\$a $b \\\\$c")] == ["b", "c"]
