"""The wheel is the product: built from this checkout, it installs (with the ``responder`` extra)
into a fresh venv outside the checkout and, from an empty folder, runs ``sarguard demo`` (which
brings its own scratch project), serves the emulator and audits it, writes a pack, and starts the
responder (its migrations apply). Needs the package index: marked ``network``."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.freshvenv import INSTALL_LIMIT_S, clean_env, fresh_venv

pytestmark = pytest.mark.network
RUN_LIMIT_S = 300  # hang guard only


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO_ROOT)],
                            capture_output=True, text=True, timeout=INSTALL_LIMIT_S,
                            env=clean_env())
    assert result.returncode == 0, result.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bin/`` of a fresh venv with the wheel and its responder extra installed."""
    python = fresh_venv(tmp_path_factory.mktemp("venv") / "v")
    [wheel] = dist.glob("*.whl")
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{wheel}[responder]"],
                            capture_output=True, text=True, timeout=INSTALL_LIMIT_S,
                            env=clean_env(), cwd=tmp_path_factory.mktemp("elsewhere"))
    assert result.returncode == 0, result.stderr[-4000:]
    return python.parent


def _run(bin_dir: Path, argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "sarguard"), *argv], cwd=cwd, capture_output=True,
                          text=True, timeout=RUN_LIMIT_S, env={**clean_env(), **env})


def test_twine_passes_the_sdist_and_the_wheel(dist: Path) -> None:
    twine = Path(sys.executable).with_name("twine")
    if not twine.is_file():
        pytest.skip("twine is not installed (it is in the dev extra)")
    result = subprocess.run([str(twine), "check", "--strict", *map(str, dist.iterdir())],
                            capture_output=True, text=True, timeout=RUN_LIMIT_S)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_installed_version_is_the_package_version(installed: Path, tmp_path: Path) -> None:
    import sarguard

    assert _run(installed, ["--version"], tmp_path).stdout.strip() == f"sarguard {sarguard.__version__}"


def test_the_demo_runs_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, ["demo"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "demo ran as intended" in result.stdout
    assert not any(tmp_path.iterdir()), "the demo leaves the folder it ran in as it was"


def _serve(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Start a server that prints ``listening on URL`` first; returns it and the URL."""
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, start_new_session=True)
    deadline = time.monotonic() + RUN_LIMIT_S
    seen = []
    assert proc.stdout is not None
    poller = select.poll()  # not select(): descriptors above 1024 in a long test run
    poller.register(proc.stdout, select.POLLIN)
    while time.monotonic() < deadline:
        if poller.poll(1000):
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                return proc, match.group(1)
        elif proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("no 'listening on' line:\n" + "".join(seen))


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def test_it_serves_the_emulator_audits_it_and_writes_a_pack(installed: Path, tmp_path: Path) -> None:
    env = clean_env()
    emulator, url = _serve([str(installed / "sarguard"), "emulator", "--seed", "demo"], tmp_path, env)
    try:
        token = emulator.stdout.readline().split("token:", 1)[1].strip()  # the second line
        audit = _run(installed, ["audit", "--org-url", url, "--format", "json",
                                 "--output", "audit.json"], tmp_path, OKTA_API_TOKEN=token)
        assert audit.returncode == 1, audit.stderr  # the demo org fails mandatory controls
        report = json.loads((tmp_path / "audit.json").read_text())
        assert report["kind"] == "audit" and report["findings"]
    finally:
        _stop(emulator)
    pack = _run(installed, ["pack", "--dir", "pack"], tmp_path)
    assert pack.returncode == 0, pack.stderr
    assert (tmp_path / "pack" / "PulumiPolicy.yaml").is_file()
    assert (tmp_path / "pack" / "requirements.txt").is_file()


def test_the_responder_starts_and_its_migrations_apply(installed: Path, tmp_path: Path) -> None:
    database = tmp_path / "responder.db"
    config = tmp_path / "responder.yaml"
    config.write_text(
        "path: /okta/events\norg: {url: http://127.0.0.1:9}\n"
        "hook: {authHeader: Authorization, secretEnv: HOOK_SECRET}\n"
        f"database: sqlite:///{database}\n"
        "actions:\n  - notify: {urls: ['json://127.0.0.1:9/hook']}\nreconcile: 'off'\n")
    env = {**clean_env(), "HOOK_SECRET": "wheel-test-" + "x" * 40, "OKTA_API_TOKEN": "t" * 40}
    responder, url = _serve([str(installed / "sarguard"), "responder", "serve", "--config",
                             str(config), "--port", "0"], tmp_path, env)
    try:
        base = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))  # the line names the hook's URL
        with urllib.request.urlopen(f"{base}/healthz", timeout=30) as answer:
            assert answer.status == 200
    finally:
        _stop(responder)
    status = _run(installed, ["responder", "status", "--config", str(config), "--format", "json"],
                  tmp_path, **{k: v for k, v in env.items() if k in {"HOOK_SECRET", "OKTA_API_TOKEN"}})
    assert status.returncode == 0, status.stderr
    import sqlite3

    with sqlite3.connect(database) as db:
        [(version,)] = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert version, "Alembic's migrations ran from the installed package"
