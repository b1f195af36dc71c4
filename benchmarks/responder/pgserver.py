"""A throwaway PostgreSQL server for the tests, from the machine's server binaries.

The binaries are not on PATH (Debian keeps them in ``/usr/lib/postgresql/<v>/bin``):
``pg_config --bindir`` names the folder. ``initdb`` refuses to run as root, and these machines
run the suite as root, so the server runs as the ``postgres`` user (``runuser -u postgres --``)
in a temporary directory it owns, on a free loopback port, with trust auth for loopback only.
Where no binaries exist :class:`PgUnavailable` says so (the tests skip with that reason).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

from benchmarks.responder.harness import free_port

SERVER_USER = "postgres"


class PgUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


def _bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30,
                             check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    folder = Path(out)
    return folder if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() else None


class PgServer:
    """``durable=False`` (the tests): no fsync, for speed; ``durable=True`` (the benchmark):
    PostgreSQL's defaults, so a commit costs what it costs in production.

    ``with PgServer() as server:`` starts it and always stops it (its folder removed), also when
    it fails to start; constructing it raises :class:`PgUnavailable` where it cannot run."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        bindir = _bindir()
        if bindir is None:
            raise PgUnavailable("no PostgreSQL server binaries (pg_config --bindir names no "
                                "folder with initdb and pg_ctl)")
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="sarguard-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PgUnavailable("running as root and there is no 'postgres' user to run "
                                    "initdb as") from None
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
            self._as = ["runuser", "-u", SERVER_USER, "--"]

    def _run(self, *argv: str, timeout: float = 120) -> None:
        result = subprocess.run([*self._as, *argv], capture_output=True, text=True,
                                timeout=timeout, cwd=self.base)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({result.returncode}): "
                               f"{(result.stderr or result.stdout)[-2000:]}")

    def start(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C")
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.base / "server.log"), "-o", options, "-w", "-t", "60", "start")

    def __enter__(self) -> PgServer:
        try:
            self.start()
        except BaseException:
            with contextlib.suppress(Exception):  # nothing may be running: the start's error counts
                self.stop()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
