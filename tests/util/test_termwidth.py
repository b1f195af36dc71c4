"""On a terminal every text table and wrapped line fits its width (``COLUMNS``, else the
terminal's own); long ids and e-mail addresses are kept whole or shortened with an ellipsis, never
split mid-word. Anywhere else (a pipe, ``--output``, CI) nothing is folded unless ``COLUMNS`` is
set. The commands are also run on a real pseudo-terminal with its window size set, no
``COLUMNS``, as a user's terminal would run them."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest
from rich.text import Text

from sarguard.report.render_text import fit, render_text
from sarguard.systemlog.render import table_to_text
from sarguard.util.termwidth import UNFOLDED, table_width, text_width
from tests.report.sample import finding, full_report

EMAILS = ["first.middle.lastname.with-a-long-suffix@subsidiary.example-corporation.com",
          "x@y.io", "00u1verylongidentifier0000000000000000demo002"]
LIMIT_S = 60  # hang guard only


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_columns_wins_everywhere_and_pipes_are_unfolded() -> None:
    assert text_width(environ={"COLUMNS": "72"}) == 72
    assert text_width(to_stdout=False, environ={"COLUMNS": "72"}) == 72
    assert text_width(environ={"COLUMNS": "3"}) == 20  # never narrower than a readable page
    assert text_width(stream=io.StringIO(), environ={}) == UNFOLDED  # a pipe
    assert text_width(stream=_Tty(), environ={"COLUMNS": "bogus"}) == UNFOLDED  # no real fd
    assert text_width(to_stdout=False, stream=_Tty(), environ={}) == UNFOLDED  # --output FILE


def _whole_or_shortened(text: str, word: str) -> None:
    """``word`` appears whole, or as its own prefix ending in an ellipsis — never split over
    two lines."""
    if word in text:
        return
    shortened = [w for w in re.split(r"[\s│┃]+", text) if w.endswith("…")
                 and word.startswith(w[:-1]) and len(w) > 2]
    assert shortened, f"{word} was split or lost:\n{text}"


@pytest.mark.parametrize("width", [20, 40, 60, 80, 120])
def test_tables_fit_and_never_split_a_word(width: int) -> None:
    rows = [[email, "user.account.report_suspicious_activity_by_enduser", "Mozilla/5.0 (X11)"]
            for email in EMAILS]
    text = table_to_text("reports", ["User", "Event", "Browser"], rows, width=width)
    assert max(len(line) for line in text.splitlines()) <= width, text
    for email in EMAILS:
        _whole_or_shortened(text, email)


def test_an_unfolded_table_keeps_every_cell_whole_on_one_line() -> None:
    rows = [[email, "y" * 150] for email in EMAILS]
    text = table_to_text(None, ["User", "Note"], rows, width=None)
    for email in EMAILS:
        assert any(email in line and "y" * 150 in line for line in text.splitlines())


@pytest.mark.parametrize("width", [20, 40, 60, 80])
def test_text_reports_fit_their_width(width: int) -> None:
    report = full_report("audit")
    report.findings.append(finding("SAR-08", "fail", f"user/{EMAILS[0]}", f"owner {EMAILS[0]} left"))
    text = render_text(report, width=width, verbose=True)
    assert max(len(line) for line in text.splitlines()) <= width, text
    _whole_or_shortened(text, EMAILS[0])


def test_fit_breaks_at_spaces_under_a_hanging_indent() -> None:
    pieces = [p.plain for p in fit(Text("  alpha beta gamma delta epsilon"), 14)]
    assert pieces == ["  alpha beta", "    gamma", "    delta", "    epsilon"]
    [only] = fit(Text("x" * 30), 10)
    assert only.plain == "x" * 9 + "…"


def _on_a_terminal(argv: list[str], columns: int) -> str:
    """Run ``argv`` on a pseudo-terminal ``columns`` wide (TIOCSWINSZ), without COLUMNS."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env["NO_COLOR"] = "1"
    proc = subprocess.Popen(argv, stdin=child, stdout=child, stderr=subprocess.DEVNULL, env=env,
                            close_fds=True)
    os.close(child)
    chunks: list[bytes] = []
    deadline = time.monotonic() + LIMIT_S
    poller = select.poll()  # not select(): a long test run may hand out descriptors above 1024
    poller.register(main, select.POLLIN)
    while time.monotonic() < deadline:
        if poller.poll(1000):
            try:
                data = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=LIMIT_S)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [60, 80])
def test_commands_on_a_real_terminal_fit_it(columns: int) -> None:
    events = _on_a_terminal([sys.executable, "-m", "sarguard", "events", "user.account.*"], columns)
    assert "user.account.report_suspicious_activity_by_enduser" in events
    assert max(len(line) for line in events.splitlines()) <= columns, events
    for argv, needle in ((["check", "--stack", "demo", "--verbose"], "SAR-01"),
                         (["controls"], "SAR-12"), (["controls", "--framework", "nist-800-53"], "IR-6"),
                         (["plan", "--stack", "demo"], "security-notification-emails")):
        out = _on_a_terminal([sys.executable, "-m", "sarguard", *argv], columns)
        assert needle in out, (argv, out)
        assert max(len(line) for line in out.splitlines()) <= columns, (argv, out)


def test_the_same_command_in_a_pipe_is_not_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    out = subprocess.run([sys.executable, "-m", "sarguard", "events", "user.account.*"],
                         capture_output=True, text=True, env=env, timeout=LIMIT_S, check=True).stdout
    assert max(len(line) for line in out.splitlines()) > 120  # the table as wide as its cells
    monkeypatch.delenv("COLUMNS", raising=False)
    assert table_width("report.txt") is None  # --output FILE: never folded
