"""The fault matrix summary: tests record (family, fault, outcome); the terminal shows a table.

Cells travel as ``user_properties`` so they reach the controller process under xdist.
"""

from __future__ import annotations

import json
from typing import Any

PROPERTY = "reliability_matrix"
HOSTILE_PROPERTY = "reliability_hostile_matrix"

# Outcome codes shown in the table.
RECOVERED = "ok"  # same report as without the fault, after retries
FAIL_CLOSED = "2"  # exit 2: affected controls not_evaluated, resources unread
FATAL = "2!"  # exit 2 with one clear error; the report (if any) holds only that error
NOT_APPLICABLE = "-"

LEGEND = (
    f"{RECOVERED} = same report as without the fault, after retries;  "
    f"{FAIL_CLOSED} = exit 2, affected controls not_evaluated and resources unread;  "
    f"{FATAL} = exit 2 with one clear error and a report holding only it (the credential check, or the only "
    "evidence of a System Log command, could not be read);  "
    f"{NOT_APPLICABLE} = not applicable (or not run);  FAIL = the case failed"
)


HOSTILE_LEGEND = (
    f"{RECOVERED} = the correct report (nothing lost, a warning where due);  "
    f"{FAIL_CLOSED} = exit 2, affected controls not_evaluated, evidence unread with the reason;  "
    f"{FATAL} = exit 2 with one clear error (nothing could be read, or the input is refused);  "
    "every case: bounded time, no traceback, no credential in stdout, stderr or any report file"
)


def cell(family: str, fault: str, outcome: str, *, prop: str = PROPERTY) -> tuple[str, str]:
    return prop, json.dumps([family, fault, outcome])


def collect(user_properties: Any, passed: bool, into: dict[tuple[str, str], str],
            prop: str = PROPERTY) -> None:
    for name, value in user_properties or ():
        if name != prop:
            continue
        family, fault, outcome = json.loads(value)
        into[(fault, family)] = outcome if passed else f"FAIL({outcome})"


def _row_order(fault: str, kinds: list[str]) -> tuple[int, int, str]:
    """Transient (clears) rows, then persistent emulator faults, then the rest, then storms."""
    base = fault.removesuffix(" (clears)")
    if base in kinds:
        return (0 if fault.endswith("(clears)") else 1, kinds.index(base), fault)
    return (3 if fault.startswith("all @") else 2, 0, fault)


def render(cells: dict[tuple[str, str], str], families: list[str],
           kinds: list[str]) -> list[str]:
    """Rows = faults, columns = families (``families`` first, in that order)."""
    faults = sorted({fault for fault, _ in cells}, key=lambda f: _row_order(f, kinds))
    return table(cells, families, faults)


def table(cells: dict[tuple[str, str], str], families: list[str], faults: list[str],
          corner: str = "fault \\ family") -> list[str]:
    """Rows ``faults`` (in that order, then any others), columns = families present."""
    faults = [f for f in faults if any(row == f for row, _ in cells)]
    faults += sorted({row for row, _ in cells} - set(faults))
    columns = [f for f in families if any(fam == f for _, fam in cells)]
    columns += sorted({fam for _, fam in cells} - set(columns))
    head = [corner, *columns]
    rows = [[fault, *(cells.get((fault, fam), NOT_APPLICABLE) for fam in columns)]
            for fault in faults]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join
    out = [line(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append(line("-" * w for w in widths))
    out += [line(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return out
