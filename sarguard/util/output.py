"""Writing command output: stdout, or files replaced all together or not at all.

A run that writes several reports (``--output`` plus ``--also``) must never leave some formats
new and others old: every file is first written to a temporary sibling, and only when all of
them were written are they renamed into place. If any target cannot be written (an existing
directory, no permission, a parent folder that cannot be created) nothing is replaced, the
temporary files and any folder created for them are removed, and :class:`OutputError` names the
target. Renames within one folder are atomic, so a reader never sees a half-written file.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sarguard.errors import SarguardError
from sarguard.util.redaction import redact

STDOUT = "-"


class OutputError(SarguardError):
    """A requested output file cannot be written; no output file was replaced."""


@dataclass
class _Staged:
    target: Path
    temp: Path
    existed: bool = False
    backup: Path | None = None


@dataclass
class _Batch:
    staged: list[_Staged] = field(default_factory=list)
    created_dirs: list[Path] = field(default_factory=list)

    def discard(self) -> None:
        for item in self.staged:
            item.temp.unlink(missing_ok=True)
            if item.backup is not None:
                item.backup.unlink(missing_ok=True)
        for folder in reversed(self.created_dirs):
            try:
                folder.rmdir()
            except OSError:
                pass


def _with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _is_stdout(path: str | None) -> bool:
    return not path or path == STDOUT


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _make_parents(target: Path, batch: _Batch) -> None:
    missing: list[Path] = []
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                raise OutputError(f"cannot write {target}: {folder} exists and is not a folder") from None
        except OSError as exc:
            raise OutputError(f"cannot write {target}: cannot create the folder {folder} "
                              f"({_reason(exc)})") from None
        else:
            batch.created_dirs.append(folder)
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: {target.parent} is not a folder")


def _stage(target: Path, text: str, batch: _Batch) -> None:
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is an existing directory")
    _make_parents(target, batch)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from None
    batch.staged.append(_Staged(target, Path(temp), existed=target.exists()))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(_with_newline(text))
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from None


def _backup(item: _Staged) -> None:
    """A hard link to the file about to be replaced, so a failed rename can be undone."""
    if not item.target.is_file():
        return
    backup = item.temp.with_name(item.temp.name + ".old")
    try:
        os.link(item.target, backup)
    except OSError:
        return  # no hard links here: the rename below is still atomic per file
    item.backup = backup


def _commit(batch: _Batch) -> None:
    done: list[_Staged] = []
    for item in batch.staged:
        _backup(item)
        try:
            os.replace(item.temp, item.target)
        except OSError as exc:
            for previous in reversed(done):  # undo what this run already put in place
                if previous.backup is not None:
                    os.replace(previous.backup, previous.target)
                elif not previous.existed:
                    previous.target.unlink(missing_ok=True)
            raise OutputError(f"cannot write {item.target}: {_reason(exc)}") from None
        done.append(item)
    for item in done:
        if item.backup is not None:
            item.backup.unlink(missing_ok=True)


def write_outputs(outputs: Sequence[tuple[str | None, str]]) -> None:
    """Write each ``(path, text)``: all files or none, then stdout (path None or ``-``).

    Raises :class:`OutputError` naming the first target that cannot be written (or a file named
    twice); in that case no file was replaced and nothing was printed. Every credential the run
    holds (:mod:`sarguard.util.redaction`) is masked in what is written, as a last resort.
    """
    outputs = [(path, redact(text)) for path, text in outputs]
    streams = [(Path(path), text) for path, text in outputs
               if not _is_stdout(path) and _is_stream(Path(path))]
    files = [(Path(path), text) for path, text in outputs
             if not _is_stdout(path) and not _is_stream(Path(path))]
    seen: dict[Path, Path] = {}
    for target, _ in files:
        key = target.resolve()
        if key in seen:
            raise OutputError(f"cannot write {target}: the same file is named twice "
                              f"(also as {seen[key]})")
        seen[key] = target
    batch = _Batch()
    try:
        for target, text in files:
            _stage(target, text, batch)
        _commit(batch)
    except BaseException:
        batch.discard()
        raise
    for target, text in streams:  # a device or a pipe: written as it is, never replaced
        try:
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(_with_newline(text))
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {_reason(exc)}") from None
    for path, text in outputs:
        if _is_stdout(path):
            sys.stdout.write(_with_newline(text))
            sys.stdout.flush()


def _is_stream(target: Path) -> bool:
    """An existing device, pipe or socket (``/dev/null``, ``/dev/stderr``, a FIFO): renaming a
    file over it would replace it — ``--output /dev/null`` must not replace the device."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def move_into_place(moves: Sequence[tuple[Path, Path]]) -> None:
    """Rename each already-written ``(staged file, target)``: all targets or none.

    For a caller that stages a whole tree first (``sarguard import`` writes bodies byte for
    byte into a temporary folder beside its targets, then checks them). Missing folders are
    created; if any rename fails, the targets this call already replaced get their old file
    back, new ones are removed with the folders created for them, and :class:`OutputError`
    names the target. The staged files that were not moved are removed.
    """
    batch = _Batch()
    try:
        for temp, target in moves:
            if target.is_dir() and not target.is_symlink():
                raise OutputError(f"cannot write {target}: it is an existing directory")
            _make_parents(target, batch)
            batch.staged.append(_Staged(target, temp, existed=target.exists() or target.is_symlink()))
        _commit(batch)
    except BaseException:
        batch.discard()
        raise


def write_output(text: str, output: str | None) -> None:
    """Print ``text`` or write it to ``output`` atomically (a temp file renamed into place)."""
    write_outputs([(output, text)])
