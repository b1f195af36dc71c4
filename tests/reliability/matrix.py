"""The fault matrix summary: tests record (family, fault, outcome); the terminal shows a table.

Cells travel as ``user_properties`` so they reach the controller process under xdist.
"""

from __future__ import annotations

import json
from typing import Any

PROPERTY = "reliability_matrix"

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


def cell(family: str, fault: str, outcome: str) -> tuple[str, str]:
    return PROPERTY, json.dumps([family, fault, outcome])


def collect(user_properties: Any, passed: bool, into: dict[tuple[str, str], str]) -> None:
    for name, value in user_properties or ():
        if name != PROPERTY:
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
    columns = [f for f in families if any(fam == f for _, fam in cells)]
    columns += sorted({fam for _, fam in cells} - set(columns))
    head = ["fault \\ family", *columns]
    rows = [[fault, *(cells.get((fault, fam), NOT_APPLICABLE) for fam in columns)]
            for fault in faults]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join
    out = [line(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append(line("-" * w for w in widths))
    out += [line(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return out
