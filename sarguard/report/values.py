"""Turn arbitrary evidence values into safe, printable data.

Values reach reports already redacted, but a renderer is the last line of defence: anything
that looks like a secret (a ``Secret`` object, an object with a truthy ``is_secret``, a Pulumi
secret envelope) is printed as ``[secret]``, and unknown object types are printed by type name
only, never through their ``str()`` (which could expose a wrapped value).

Strings from the org or the stack (brand and hook names, subjects, bodies, Okta's messages)
cannot steer whoever reads the report: :func:`clean_text` removes ANSI escapes and replaces
C0/C1 control and bidi override characters, and defuses GitHub workflow commands — the runner
trims leading whitespace and runs any line starting with ``::`` as a command, and still honours
the legacy ``##[`` form *anywhere* in a line (actions/runner, src/Runner.Common/ActionCommand.cs,
``TryParseV2`` / ``TryParse``). :func:`guard_output` applies the same rules to a whole rendered
report, so no line of it that starts with ``::`` can come from data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from sarguard.model import is_unknown

SECRET_TEXT = "[secret]"
UNKNOWN_TEXT = "(unknown)"
ABSENT_TEXT = "(absent)"
# Pulumi's marker key/value for a secret value in serialized state and mock inputs.
_PULUMI_SECRET_KEY = "4dabf18193072939515e22adb298388d"
_MAX_DEPTH = 40

# ANSI/ECMA-48 escape sequences: CSI, OSC (to BEL or ST), DCS/SOS/PM/APC strings, 2-char escapes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
)
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # colour only: what the text renderer itself emits
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")
# C0 but tab and newline, DEL, C1, and the bidi embeddings/overrides/isolates that reorder text.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"
ZWSP = "\u200b"  # not whitespace to the runner's TrimStart, invisible to a reader
_COMMAND_LINE = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = "##["
# Characters :func:`clean_text` would change (an escape, a control but tab and newline, a line
# separator, a bidi control); it also changes ``::`` (a workflow command) and ``##[``.
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_PLAIN = frozenset({str, bool, int, float})  # never secret, whatever their value
MARKDOWN_LIMIT = 65_536  # GitHub's limit for an issue or pull-request comment body


def is_secret(value: Any) -> bool:
    """True for objects that declare themselves secret (defensive: errors count as secret)."""
    if value is None or type(value) in _PLAIN or isinstance(value, bool | int | float):
        return False
    if any(cls.__name__ == "Secret" for cls in type(value).__mro__):
        return True
    if isinstance(value, Mapping):
        try:
            return _PULUMI_SECRET_KEY in value
        except Exception:  # an odd mapping is treated as secret, never printed
            return True
    try:
        flag = getattr(value, "is_secret", None)
        if callable(flag):
            flag = flag()
    except Exception:
        return True
    return flag is not None and flag is not False and bool(flag)


def jsonable(value: Any, _depth: int = 0) -> Any:
    """A JSON-serialisable copy of ``value`` with secrets and unknowns replaced by markers."""
    if _depth > _MAX_DEPTH:
        return "(too deeply nested)"
    if is_secret(value):
        return SECRET_TEXT
    if is_unknown(value):
        return UNKNOWN_TEXT
    if value is None or isinstance(value, bool | int | str):
        return value if type(value) in (bool, int, str) or value is None else _plain(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value, _depth + 1)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, Mapping):
        return {str(jsonable(k, _depth + 1)): jsonable(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, _depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [jsonable(v, _depth + 1) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value)
        }
    return f"<{type(value).__name__}>"


def _plain(value: bool | int | str) -> bool | int | str:
    """Subclasses of builtins (str enums, IntFlag...) become the plain builtin."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    return str.__str__(value)


def display(value: Any, limit: int | None = 200) -> str:
    """One-line human form of a value for tables and annotations, truncated to ``limit``."""
    if value is None:
        return ABSENT_TEXT
    data = _clean_strings(jsonable(value))  # before json.dumps turns ESC into "\u001b"
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, sort_keys=True)
    return truncate(clean_text(text), limit)


def _clean_strings(data: Any) -> Any:
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {clean_text(k): _clean_strings(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_clean_strings(v) for v in data]
    return data


def truncate(text: str, limit: int | None) -> str:
    """Cut ``text`` to ``limit`` characters, saying how much was left out."""
    if limit is None or len(text) <= limit:
        return text
    rest = len(text) - limit
    return f"{text[:limit]}… ({rest} more characters)"


def safe_text(value: Any) -> str:
    """A string field (message, reason) as text: the secret guard of values, then
    :func:`clean_text`."""
    if value is None:
        return ""
    if isinstance(value, str) and not is_secret(value):
        return clean_text(str.__str__(value))
    return display(value, limit=None)


def strip_controls(text: str, *, normalise_breaks: bool = True) -> str:
    """No escape sequence, no control character but tab and newline; line breaks (CR, CRLF,
    U+2028/9) become newlines, or with ``normalise_breaks=False`` CR is kept for a caller that
    escapes it itself."""
    text = _ESCAPES.sub("", text)
    if not normalise_breaks:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
        return _CONTROLS.sub(lambda m: m.group() if m.group() == "\r" else REPLACEMENT, text)
    text = _LINE_BREAKS.sub("\n", text)
    return _CONTROLS.sub(REPLACEMENT, text)


def defuse_workflow_commands(text: str) -> str:
    """No line starts (after whitespace) with ``::``, and no ``##[`` is left anywhere."""
    text = _COMMAND_LINE.sub(lambda m: m.group(1) + ":" + ZWSP, text)
    return text.replace(_LEGACY_COMMAND, "##" + ZWSP + "[")


def clean_text(text: str) -> str:
    """A string from the org or the stack, safe to print in a terminal or a CI log."""
    if _NEEDS_CLEANING.search(text) is None and "::" not in text and _LEGACY_COMMAND not in text:
        return text  # most text: nothing to replace
    return defuse_workflow_commands(strip_controls(text))


def guard_output(text: str, fmt: str, *, color: bool = False) -> str:
    """The last pass over a rendered report (``text``, ``markdown``, ``junit``, ``github``).

    ``github`` output is sarguard's own workflow commands, one a line, their data escaped: only
    controls and the legacy ``##[`` form are handled there. Coloured text keeps its own SGR
    colour codes and loses every other escape sequence.
    """
    if fmt == "github":
        text = strip_controls(text, normalise_breaks=False)
        return text.replace(_LEGACY_COMMAND, "##" + ZWSP + "[")
    if color:
        pieces = _SGR.split(text)
        codes = _SGR.findall(text)
        text = "".join(strip_controls(p) + (codes[i] if i < len(codes) else "")
                       for i, p in enumerate(pieces))
    else:
        text = strip_controls(text)
    return defuse_workflow_commands(text)


_MENTION = re.compile(r"(?<![A-Za-z0-9])@(?=[A-Za-z0-9])")  # not an e-mail address
_REFERENCE = re.compile(r"((?:\\)?#)(?=\d)|\b(GH)-(?=\d)", re.IGNORECASE)


def unlink_markdown(escaped: str) -> str:
    """Keep GitHub from turning ``@name`` into a mention and ``#123``/``GH-123`` into a link.

    A zero-width space (as ``&#8203;``) after ``@`` and ``#``: how Renovate sanitises release
    notes it posts (renovatebot/renovate, lib/util/markdown.ts, ``sanitizeMarkdown``). Call it
    on text already escaped for Markdown (not inside code spans, which GitHub never links).
    """
    escaped = _REFERENCE.sub(
        lambda m: f"{m.group(1)}&#8203;" if m.group(1) else f"{m.group(2)}&#8203;-", escaped)
    return _MENTION.sub("@&#8203;", escaped)  # after: its entity must not look like "#8203"


def cap_markdown(text: str, full_report: str | None = None, limit: int = MARKDOWN_LIMIT) -> str:
    """``text`` cut at whole lines to fit ``limit`` characters, with a note saying where the
    full report is (a GitHub comment longer than 65,536 characters is refused)."""
    if len(text) <= limit:
        return text
    if full_report:
        where = f"the full report is in `{full_report.replace('`', '')}` (written by this run)"
    else:
        where = ("write the full report with `--also json=report.json` (or `--format json`, "
                 "`--also sarif=report.sarif`) and keep it as a CI artifact")
    note = (f"\n\n---\n\n**This report was cut at {limit:,} characters, GitHub's limit for a "
            f"comment:** {where}.\n")
    closing = "\n\n</details>"
    kept = text[: max(limit - len(note) - len(closing), 0)]
    kept = kept[: kept.rfind("\n")] if "\n" in kept else ""
    if kept.count("<details>") > kept.count("</details>"):
        kept += closing
    return kept.rstrip() + note
