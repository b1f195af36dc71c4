"""Issue 19 §6: ignore files get the "did you mean" the settings give (difflib's closest match,
``; did you mean 'x'?``): for a misspelt key, and for an entry whose resource matched nothing
while a resource of the run is close to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sarguard.report.model import DriftItem, UnreadItem
from sarguard.verdicts.ignores import IgnoreError, load_ignores, unused_ignore_warnings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ignore.yaml"
    path.write_text(text, "utf-8")
    return path


def test_a_misspelt_key_names_the_key_it_meant(tmp_path: Path) -> None:
    path = _write(tmp_path, "- resource: threatInsight\n  feild: action\n  reason: accepted\n")
    with pytest.raises(IgnoreError) as info:
        load_ignores(path)
    message = str(info.value)
    assert "[0].feild: unknown key; did you mean 'field'?" in message
    assert info.value.line == 2  # located like every rule-file error


def test_a_key_like_none_of_them_is_refused_without_a_guess(tmp_path: Path) -> None:
    path = _write(tmp_path, "- resource: threatInsight\n  colour: blue\n  reason: accepted\n")
    with pytest.raises(IgnoreError, match=r"\[0\]\.colour: unknown key; expected one of") as info:
        load_ignores(path)
    assert "did you mean" not in str(info.value)


def test_a_resource_that_matched_nothing_suggests_the_close_one(tmp_path: Path) -> None:
    rules = load_ignores(_write(tmp_path, "- resource: eventHook/soc-siem\n  reason: rotated\n"
                                          "- resource: 'eventHook/*'\n  field: x\n  reason: y\n"))
    drift = [DriftItem("changed", "eventHook/soc-siem2", "channel.config.uri", "a", "b")]
    unread = [UnreadItem("threatInsight", "HTTP 403")]
    warnings = unused_ignore_warnings(drift, unread, rules)
    assert warnings[0].startswith("ignore entry for 'eventHook/soc-siem'")
    assert "did you mean 'eventHook/soc-siem2'?" in warnings[0]
    assert "did you mean" not in warnings[1]  # a glob is not a typo of one key
