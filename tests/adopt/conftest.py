"""``sarguard import`` against the bundled emulator on 127.0.0.1, into throwaway projects."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sarguard.cli import main
from sarguard.emulator import Emulator
from sarguard.emulator.seeds import load_seed
from tests.conftest import REPO_ROOT

STACK = "adopted"
# What `pulumi config set --secret` leaves in a stack file: an opaque ciphertext.
SECURE = "AAABAHNhcmd1YXJkLWltcG9ydC10ZXN0"
CREDENTIAL_ENV = ("OKTA_API_TOKEN", "OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY",
                  "OKTA_API_PRIVATE_KEY_ID", "OKTA_API_SCOPES", "OKTA_ORG_NAME", "OKTA_BASE_URL",
                  "OKTA_ACCESS_TOKEN", "CI")


@dataclass
class Run:
    code: int
    out: str
    err: str
    report: dict[str, Any] | None = None


def bundled(name: str) -> dict[str, Any]:
    """A bundled emulator seed as a dict, to change before an emulator starts on it."""
    data, _ = load_seed(name)
    return copy.deepcopy(data)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A sarguard project (the repository's Pulumi.yaml: stackConfigDir stacks) and nothing else."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    return root


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Emulator]]:
    """Start an emulator on a seed (a bundled name or a dict); its SSWS token in the environment."""
    started: list[Emulator] = []
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SARGUARD_NO_PROGRESS", "1")

    def start(seed: str | dict[str, Any] = "demo", **kwargs: Any) -> Emulator:
        emu = Emulator(seed=seed, **kwargs)
        emu.start(port=0)
        started.append(emu)
        monkeypatch.setenv("OKTA_API_TOKEN", emu.token)
        return emu

    yield start
    for emu in started:
        emu.stop()
        assert emu.errors == []  # no handler crashed


@pytest.fixture
def sarguard(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``sarguard ARGV`` in-process; a JSON report on stdout (or in --output) is parsed."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        report = None
        if "--output" in argv:
            path = Path(argv[argv.index("--output") + 1])
            if path.is_file():
                report = json.loads(path.read_text("utf-8"))
        elif out.lstrip().startswith("{"):
            report = json.loads(out)
        return Run(code, out, err, report)

    return run


def import_org(sarguard: Callable[..., Run], emu: Emulator, project: Path, *flags: str,
               stack: str = STACK) -> Run:
    return sarguard("import", "--stack", stack, "--org-url", emu.url, "--project-dir", str(project),
                    *flags)


def check_adopted(sarguard: Callable[..., Run], project: Path, out_dir: Path, *flags: str,
                  stack: str = STACK) -> Run:
    """``sarguard check`` of the imported stack, its JSON report (in ``out_dir``) parsed."""
    return sarguard("check", "--stack", stack, "--project-dir", str(project), "--format", "json",
                    "--output", str(out_dir / "check.json"), *flags)


def drift_adopted(sarguard: Callable[..., Run], emu: Emulator, project: Path, out_dir: Path,
                  *flags: str, stack: str = STACK) -> Run:
    """``sarguard drift`` of the imported stack against ``emu``, its JSON report parsed."""
    return sarguard("drift", "--stack", stack, "--project-dir", str(project), "--org-url", emu.url,
                    "--format", "json", "--output", str(out_dir / "drift.json"), *flags)


def set_secrets(project: Path, stack: str = STACK, headers: tuple[str, ...] = ()) -> None:
    """Do what the printed `pulumi config set --secret` commands would: add `secure:` values."""
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    lines = [f"  sarguard:eventHookSecret:\n    secure: {SECURE}\n"]
    if headers:
        lines.append("  sarguard:eventHookHeaderSecrets:\n" + "".join(
            f"    {h}:\n      secure: {SECURE}\n" for h in headers))
    text = path.read_text("utf-8")
    path.write_text(text.replace("config:\n", "config:\n" + "".join(lines), 1), "utf-8")


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (relative posix path -> bytes), Pulumi.yaml excepted."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "Pulumi.yaml"}
