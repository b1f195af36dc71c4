"""Argument types for numeric flags: parse, check the range, say what was expected.

One shape for every numeric flag (``--max-api-capacity``, ``--concurrency``, ``--max-wait``,
drill's ``--timeout``, the responder's ``--port``): argparse turns the ``ArgumentTypeError``
into ``sarguard <command>: error: argument --flag: expected …; got …`` and exit 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

N = TypeVar("N", int, float)


def ranged(convert: Callable[[str], N], accept: Callable[[N], bool], expected: str,
           out_of_range: str | None = None) -> Callable[[str], N]:
    """An argparse ``type=``: ``convert(value)``, refused unless ``accept(number)``.

    ``expected`` names what a value must be (``a port number 0-65535``); ``out_of_range``, if
    given, is said instead when the value parses but falls outside the range."""

    def parse(value: str) -> N:
        try:
            number = convert(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}; got {value!r}") from None
        if not accept(number):
            shown = str(number) if isinstance(number, int) else value
            raise argparse.ArgumentTypeError(f"expected {out_of_range or expected}; got {shown}")
        return number

    return parse
