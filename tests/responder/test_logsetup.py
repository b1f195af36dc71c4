"""Log lines carry strings from deliveries: each step's line is printable and encodable, so a
user id with a line break cannot forge a line and a lone surrogate cannot break the log (or the
test runner that ships captured logs between processes)."""

from __future__ import annotations

import logging

import pytest

from sarguard.responder.logsetup import IDS, step


def test_a_step_line_is_one_printable_utf8_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("sarguard.responder.test-steps")
    with caplog.at_level(logging.INFO, logger=logger.name):
        step(logger, logging.INFO, "received",
             "delivery #1: event e\ud800 received (user 00u\nINFO forged line)", uuid="e\ud800",
             user="00u\nforged")
    [record] = caplog.records
    line = record.getMessage()
    assert "\n" not in line and "\ud800" not in line
    line.encode("utf-8")  # would raise on a lone surrogate
    ids = getattr(record, IDS)
    assert all("\n" not in v and "\ud800" not in v for v in ids.values())


def test_any_responder_line_is_encodable(caplog: pytest.LogCaptureFixture) -> None:
    """Not only the step lines: an error whose text carries a delivery's lone surrogate."""
    import sarguard.responder.logsetup  # noqa: F401 - installs the filter on the logger

    logger = logging.getLogger("sarguard.responder")
    with caplog.at_level(logging.ERROR, logger="sarguard.responder"):
        logger.error("planning failed: %s", "bad \udcff value")
    caplog.records[-1].getMessage().encode("utf-8")


def test_the_log_follows_stderr_when_it_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """The handler writes to the stderr of the moment: a stream closed since start-up (a
    test runner's capture, an embedding program's redirect) never turns a line into a
    "Logging error" — seen in CI when a responder started under one test's capture."""
    import io

    from sarguard.responder.logsetup import configure_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    first, second = io.StringIO(), io.StringIO()
    try:
        monkeypatch.setattr("sys.stderr", first)
        configure_logging()
        first.close()
        monkeypatch.setattr("sys.stderr", second)
        logging.getLogger("sarguard.responder.test-stderr").info("after the swap")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    [line] = second.getvalue().splitlines()
    assert line.endswith("INFO sarguard.responder.test-stderr: after the swap")
