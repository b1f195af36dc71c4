"""All of an import's files, or none: staged in a temporary folder inside the project, checked
there, then moved into place together (:func:`sarguard.util.output.move_into_place`).

Existing files are never replaced without ``force``; the error lists them. Every target must
stay inside the project directory (a symlinked ``email-templates`` pointing elsewhere is refused),
and no file may carry a credential the run holds (a hostile org could echo the API token into a
template body, which would then land in the repository).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from sarguard.adopt.errors import AdoptError
from sarguard.util.output import OutputError, move_into_place
from sarguard.util.redaction import known_secrets

STAGING_PREFIX = ".sarguard-import-"
LISTED = 20  # existing files named in the error; the rest are counted


def target_of(project_dir: Path, relative: str) -> Path:
    """The absolute target of ``relative``, refused unless it stays inside the project."""
    root = project_dir.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise AdoptError(f"cannot write {relative}: it resolves to {target}, outside the project "
                         f"directory {root}")
    return root / relative


def existing(project_dir: Path, relatives: Iterable[str]) -> list[str]:
    return [rel for rel in relatives
            if (project_dir / rel).exists() or (project_dir / rel).is_symlink()]


def refuse_existing(project_dir: Path, relatives: Iterable[str]) -> None:
    """Raise, naming them, when any of the files exist already."""
    found = existing(project_dir, relatives)
    if not found:
        return
    shown = "\n".join(f"  {rel}" for rel in found[:LISTED])
    more = f"\n  ... and {len(found) - LISTED} more" if len(found) > LISTED else ""
    raise AdoptError(f"{len(found)} file(s) exist already (nothing was written; --force replaces "
                     f"them):\n{shown}{more}")


def _refuse_credentials(files: Mapping[str, bytes]) -> None:
    secrets = [s.encode("utf-8", "surrogatepass") for s in known_secrets()]
    for rel, data in files.items():
        if any(secret in data for secret in secrets):
            raise AdoptError(f"cannot write {rel}: the org's answer contains a credential this run "
                             "holds; nothing was written")


def place(project_dir: Path, files: Mapping[str, bytes], *, force: bool,
          check: Callable[[Path], None]) -> None:
    """Write ``files`` (project-relative path -> exact bytes) all together or not at all.

    ``check(staging_dir)`` runs on the staged copy (the same relative layout) before anything is
    moved; it raises to stop the run.
    """
    targets = {rel: target_of(project_dir, rel) for rel in files}
    if not force:
        refuse_existing(project_dir, files)
    for rel, target in targets.items():
        if target.is_dir() and not target.is_symlink():
            raise AdoptError(f"cannot write {rel}: it is an existing directory")
    _refuse_credentials(files)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=project_dir))
    try:
        for rel, data in files.items():
            staged = staging / rel
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_bytes(data)
        check(staging)
        try:
            move_into_place([(staging / rel, targets[rel]) for rel in files])
        except OutputError as exc:
            raise AdoptError(f"{exc}; nothing was written") from None
    except OSError as exc:
        raise AdoptError(f"cannot stage the files in {staging}: {exc.strerror or exc}; nothing was "
                         "written") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
