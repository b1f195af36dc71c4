"""Strings from the org or the stack cannot steer whoever reads a report.

GitHub's runner (actions/runner, src/Runner.Common/ActionCommand.cs) runs a log line as a
workflow command when, after ``TrimStart()``, it starts with ``::`` (``TryParseV2``), and it
still honours the legacy form ``##[command]`` found *anywhere* in a line (``TryParse`` uses
``IndexOf("##[")``). ``ActionCommandManager.TryProcessCommand`` tries both on every line.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sarguard.drift.result import DriftItem
from sarguard.report import render
from sarguard.report.model import Report, UnreadItem
from sarguard.report.values import MARKDOWN_LIMIT, clean_text
from tests.report.sample import CONTROLS, finding

EVIL = ("Acme\x1b[2J\x1b[31m \x1b]0;pwned\x07 \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
        "\r\n  ::add-mask::x\n\t::error file=a::forged\r::set-output name=ok::1\u2028::stop-commands::t"
        " ##[warning]legacy \x00\x07\x7f\x85\x9b\u202eevil\u2066 cc @octocat #123 GH-7 "
        "org/repo#9\n##[group]g")
COMMAND_NAMES = ("error", "warning", "notice")


def hostile_report() -> Report:
    findings = [
        finding("SAR-03", "fail", f"brand/{EVIL}/template/NewSignOnNotification", EVIL),
        finding("SAR-05", "not_evaluated", f"eventHook/{EVIL}", EVIL),
        finding("SAR-09", "waived", "brand/x", EVIL, waiver={"reason": EVIL, "expires": EVIL}),
    ]
    return Report(
        kind="drift", findings=findings, controls=list(CONTROLS), stack="demo",
        org="https://example.okta.com", warnings=[EVIL], errors=[EVIL],
        drift=[DriftItem("changed", f"eventHook/{EVIL}", "name", EVIL, {"name": EVIL}, note=EVIL),
               DriftItem("changed", "brand/y", "x", "a", "b", ignored=True, reason=EVIL)],
        unread=[UnreadItem(f"brand/{EVIL}", EVIL),
                UnreadItem("threatInsight", EVIL, ignored=True, ignore_reason=EVIL)],
        stack_file="stacks/Pulumi.demo.yaml",
    )


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\n|\r", text)  # how the runner's StreamReader.ReadLine splits


@pytest.mark.parametrize(("fmt", "color"), [("text", False), ("text", True), ("markdown", False),
                                            ("junit", False), ("github", False), ("html", False)])
def test_no_control_character_and_no_workflow_command_from_data(fmt: str, color: bool) -> None:
    """Colour is a text-only option, so only text is rendered both ways."""
    out = render(hostile_report(), fmt, color=color)
    escapes = re.findall(r"\x1b\[[0-9;]*m", out)
    without_colour = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                         without_colour), repr(without_colour[:400])
    assert bool(escapes) == color
    assert "##[" not in out
    assert "pwned" not in out and "evil.example" not in out  # OSC title / hyperlink removed
    for line in _lines(out):
        if line.lstrip().startswith("::"):
            assert fmt == "github", repr(line)
            name = line[2:].split(" ", 1)[0].split("::", 1)[0]
            assert name in COMMAND_NAMES, repr(line)  # only sarguard's own annotations


def test_github_annotations_keep_data_inside_one_command() -> None:
    out = render(hostile_report(), "github")
    lines = out.splitlines()
    assert all(line.startswith(tuple(f"::{n} " for n in COMMAND_NAMES)) or
               line.startswith(tuple(f"::{n}::" for n in COMMAND_NAMES)) for line in lines)
    assert len(lines) == 3 + 2 + 2 + 1 + 1  # findings, drift, unread, warning, error


def test_markdown_cannot_mention_or_link_issues() -> None:
    out = render(hostile_report(), "markdown")
    prose = re.sub(r"`[^`]*`", "", out)  # code spans are never linked by GitHub
    assert "@octocat" not in prose and "@&#8203;octocat" in prose
    assert not re.search(r"(?<![&\w])#\\?\d", prose.replace("\\#", "#")), "a #123 reference survived"
    assert not re.search(r"\bGH-\d", prose)


def test_clean_text_keeps_ordinary_text_and_newlines() -> None:
    assert clean_text("Grüße — 日本語 a::b ## [x] #1 tab\there\nnext") == \
        "Grüße — 日本語 a::b ## [x] #1 tab\there\nnext"


def test_json_keeps_data_but_no_escape_sequences() -> None:
    import json

    doc = json.loads(render(hostile_report(), "json"))
    message = doc["findings"][0]["message"]
    assert "\x1b" not in message and "@octocat" in message and "Acme" in message


def big_report(count: int) -> Report:
    findings = [finding("SAR-03", "fail", f"brand/b{i}/template/NewSignOnNotification",
                        "x" * 200) for i in range(count)]
    return Report(kind="check", findings=findings, controls=list(CONTROLS))


@pytest.mark.parametrize("full", [None, "out/report.json"])
def test_markdown_is_capped_at_githubs_comment_limit_with_a_pointer(full: str | None) -> None:
    out = render(big_report(2000), "markdown", full_report=full)
    assert len(out) <= MARKDOWN_LIMIT
    assert "cut at 65,536 characters" in out
    assert (f"`{full}`" in out) if full else ("--also json=report.json" in out)
    assert out.count("<details>") == out.count("</details>")


def test_a_small_markdown_report_is_not_cut() -> None:
    out = render(big_report(3), "markdown", full_report="r.json")
    assert "cut at" not in out and len(out) < MARKDOWN_LIMIT


_PIECES = ["::", "##[", "\x1b[31m", "\x1b]0;t\x07", "\r\n", "\r", "\u2028", "\u202e", "\x00",
           "\x85", "\t", "\n", " ", ":", "#", "[", "a", "é", "日"]


@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join) | st.text(max_size=40))
@settings(max_examples=400, deadline=None)
def test_clean_text_skips_only_text_it_would_not_change(text: str) -> None:
    """``clean_text`` returns most strings untouched after one scan: that shortcut must agree
    with the full pass (escapes, controls, line separators, workflow commands) on any text."""
    from sarguard.report.values import defuse_workflow_commands, strip_controls

    assert clean_text(text) == defuse_workflow_commands(strip_controls(text))
