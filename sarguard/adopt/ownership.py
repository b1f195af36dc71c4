"""Which other stack of the project points at a file ``sarguard import`` would write.

Why: several stacks (one per org) share one project. ``--force`` replaces this stack's own
files; a body another stack's ``bodyFile`` names belongs to that stack, and replacing it would
silently change that org on its next ``pulumi up``. So ``--force`` refuses it, naming the stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sarguard.adopt.errors import AdoptError
from sarguard.pulumi.stack import StackFileError, available_stacks, load_stack_config
from sarguard.settings.loader import SETTINGS_KEY


def _body_files(value: Any, depth: int = 0) -> Iterator[str]:
    """Every ``bodyFile`` string anywhere in a settings value (hand-written layouts included)."""
    if depth > 32:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "bodyFile" and isinstance(item, str):
                yield item
            else:
                yield from _body_files(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _body_files(item, depth + 1)


def _claimed(project_dir: Path, stack: str) -> set[Path] | None:
    """The resolved files ``stack``'s settings point at; None when its file cannot be read."""
    try:
        config = load_stack_config(stack, project_dir)
    except (StackFileError, OSError, ValueError):
        return None
    return {(project_dir / rel).resolve() for rel in _body_files(config.values.get(SETTINGS_KEY))}


def claimed_by_other_stacks(project_dir: Path, stack: str,
                            relatives: Iterable[str]) -> dict[str, str]:
    """``relative path -> other stack`` for each of ``relatives`` another stack's settings name.

    A stack file that cannot be read is searched as text for the path, so an unreadable file
    never counts as "points at nothing".
    """
    project_dir = project_dir.resolve()
    wanted = {(project_dir / rel).resolve(): rel for rel in relatives}
    out: dict[str, str] = {}
    for other in available_stacks(project_dir):
        if other == stack:
            continue
        claimed = _claimed(project_dir, other)
        if claimed is None:
            text = _stack_text(project_dir, other)
            hits = [rel for rel in wanted.values() if rel in text]
        else:
            hits = [wanted[path] for path in claimed if path in wanted]
        for rel in hits:
            out.setdefault(rel, other)
    return out


def _stack_text(project_dir: Path, stack: str) -> str:
    from sarguard.pulumi.stack import load_project, stack_file_path

    try:
        project, _ = load_project(project_dir)
        return stack_file_path(project_dir, project, stack).read_text("utf-8", errors="replace")
    except (StackFileError, OSError):
        return ""


def refuse_other_stacks_files(project_dir: Path, stack: str, relatives: Iterable[str]) -> None:
    """Raise, naming the stacks, when another stack points at any of ``relatives``."""
    claimed = claimed_by_other_stacks(project_dir, stack, relatives)
    if not claimed:
        return
    listed = "\n".join(f"  {rel} (stack {other})" for rel, other in sorted(claimed.items())[:20])
    more = f"\n  ... and {len(claimed) - 20} more" if len(claimed) > 20 else ""
    raise AdoptError(f"--force does not replace files another stack's settings point at "
                     f"(nothing was written):\n{listed}{more}")
