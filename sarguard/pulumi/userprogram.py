"""Run the project's own Python program (``main`` from ``Pulumi.yaml``, else ``__main__.py``)
under the mock engine, as ``pulumi preview`` would run it, and say clearly why when it cannot.

The program runs in this interpreter (sarguard's): whatever it imports must be installed here,
which is why the README asks to add sarguard to the project's requirements. A program that
raises, imports what is missing or never finishes is a :class:`ProgramError` naming its own
file and line (exit 2), never a traceback.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

from sarguard.errors import LocatedError, SarguardError, report_path
from sarguard.pulumi.mockengine import DeclarationSites, MockRun, ProgramTimeout, run_under_mocks
from sarguard.pulumi.stack import StackConfig

# Generous: the demo stack runs in well under a second, 500 brands in a few seconds.
PROGRAM_TIMEOUT_S = 120.0
PYTHON = "python"


class ProgramError(LocatedError):
    """The project's program could not be run under the mock engine (message names file:line)."""


class NotPythonError(SarguardError):
    """A project in another language: ``check --stack`` cannot run its program offline."""


def runtime_name(project: Mapping[str, Any]) -> str:
    runtime = project.get("runtime")
    if isinstance(runtime, Mapping):
        runtime = runtime.get("name")
    return str(runtime or "")


def program_file(config: StackConfig, *, required: bool = True) -> Path | None:
    """The file the Python language host would run: ``main`` (a file, or a folder holding
    ``__main__.py``) relative to the project, else the project's ``__main__.py``. None when
    there is none and ``required`` is false."""
    main = config.project_doc.get("main")
    target = config.project_dir / str(main) if isinstance(main, str) and main else config.project_dir
    if target.is_dir():
        target = target / "__main__.py"
    if not target.is_file():
        if not required and not main:
            return None
        where = f"'main: {main}' in Pulumi.yaml" if main else "the project"
        raise ProgramError(f"{report_path(target)}: no program to run ({where} names no "
                           "Python file; expected __main__.py)", file=report_path(target))
    return target


def require_python(config: StackConfig, command: str) -> None:
    name = runtime_name(config.project_doc)
    if name != PYTHON:
        raise NotPythonError(
            f"this project's program is {name or 'of no runtime'} (Pulumi.yaml runtime), which "
            f"`sarguard {command} --stack` cannot run offline: use `sarguard check --preview FILE` "
            "(FILE from `pulumi preview --json --show-sames`), `sarguard check --state FILE` "
            "(from `pulumi stack export`) or the policy pack (`pulumi preview --policy-pack DIR`)")


def excluded_dirs() -> tuple[Path, ...]:
    """Frames here are never the project's own: sarguard itself, the SDKs, the interpreter."""
    import pulumi

    here = Path(__file__).resolve().parent.parent
    return (here, Path(pulumi.__file__).resolve().parent, Path(sys.prefix).resolve(),
            Path(sys.base_prefix).resolve())


@contextmanager
def _program_context(folder: Path) -> Iterator[None]:
    """Run as the language host would: the program's folder current and first on ``sys.path``.
    What the program prints goes to stderr (under Pulumi it is a diagnostic; here it must not
    mix into a report written to stdout). Modules the program imported from its project are
    forgotten afterwards (another project in this process may have its own module of the same
    name)."""
    cwd = Path.cwd()
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    os.chdir(folder)
    try:
        with redirect_stdout(sys.stderr):
            yield
    finally:
        os.chdir(cwd)
        try:
            sys.path.remove(str(folder))
        except ValueError:
            pass
        for name in set(sys.modules) - before:
            file = getattr(sys.modules.get(name), "__file__", None) or ""
            if file and _project_module(name, Path(file).resolve(), folder):
                sys.modules.pop(name, None)


def _installed_roots() -> tuple[Path, ...]:
    """Where installed packages live (a project's own ``.venv`` is often inside the project)."""
    import site
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, *site.getsitepackages(), site.getusersitepackages(),
             *(sysconfig.get_paths().get(key) or "" for key in ("purelib", "platlib", "stdlib"))}
    return tuple(Path(p).resolve() for p in paths if p)


def _project_module(name: str, file: Path, folder: Path) -> bool:
    """A module of the project's own code, to forget after its run: inside the project folder,
    yet neither sarguard itself nor an installed package (forgetting ``pulumi_okta`` would make
    its next import register the package twice, which Pulumi refuses)."""
    if name == "sarguard" or name.startswith("sarguard.") or not file.is_relative_to(folder):
        return False
    return not any(file.is_relative_to(root) for root in _installed_roots())


def run_project_program(config: StackConfig, *, preview: bool = False,
                        timeout: float | None = None, program_required: bool = True) -> MockRun:
    """Every resource the project's program registers for ``config`` (the stack's whole config;
    ``secure:`` values stay opaque). Raises :class:`ProgramError` when the program fails.

    Without ``program_required``, a project with no program file of its own (stack files only,
    sarguard's layout used as data) runs what sarguard's own ``__main__.py`` runs."""
    found = program_file(config, required=program_required)
    path = found or config.project_dir / "__main__.py"
    project_dir = config.project_dir.resolve()
    sites = DeclarationSites(project_dir, excluded_dirs())

    def declare() -> dict[str, Any]:
        if found is None:
            from sarguard.pulumi.entrypoint import declare_stack

            declare_stack()
        else:
            runpy.run_path(str(path), run_name="__main__")
        return _stack_outputs()

    try:
        with _program_context(path.parent):
            return run_under_mocks(declare, project=config.project, stack=config.stack,
                                   config=config.values, preview=preview, sites=sites,
                                   timeout=PROGRAM_TIMEOUT_S if timeout is None else timeout)
    except ProgramTimeout as exc:
        raise ProgramError(f"{report_path(path)}: the program {exc} under the mock engine "
                           "(a loop that never ends, or an output that never resolves?)",
                           file=report_path(path)) from None
    except SarguardError:
        raise
    except BaseException as exc:  # noqa: BLE001 -- the program's own failure, reported as such
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise _program_error(exc, path, project_dir) from None


def _stack_outputs() -> dict[str, Any]:
    """What the program exported (``pulumi.export``): the root stack resource's outputs."""
    import pulumi

    root = pulumi.runtime.get_root_resource()
    return dict(getattr(root, "outputs", None) or {})


def _program_error(exc: BaseException, path: Path, project_dir: Path) -> SarguardError:
    """The error to report for ``exc``: sarguard's own (bad settings in the component) as is,
    else the exception with the program's own file:line."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:  # a RunError wrapping a SettingsError
        seen.add(id(cause))
        if isinstance(cause, SarguardError):
            return cause
        cause = cause.__cause__ or cause.__context__
    file, line = _own_frame(exc, project_dir)
    shown = report_path(file) if file else report_path(path)
    where = f"{shown}:{line}" if line else shown
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    hint = ""
    if isinstance(exc, ImportError):
        hint = (" (the program runs with sarguard's Python interpreter: install what it imports "
                "there, e.g. `pip install -r requirements.txt` in sarguard's environment)")
    return ProgramError(f"{where}: the program raised {what}{hint}", file=shown, line=line)


def _own_frame(exc: BaseException, project_dir: Path) -> tuple[Path | None, int | None]:
    """The innermost frame of the traceback in the project's own files (a syntax error: its
    place in the file)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return Path(exc.filename), exc.lineno
    excluded = excluded_dirs()
    found: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        file = Path(frame.filename).resolve()
        if file.is_relative_to(project_dir) and not any(file.is_relative_to(d) for d in excluded):
            found = (file, frame.lineno)
    return found
