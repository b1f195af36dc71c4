"""Open the store: SQLite (WAL, one serving process per file) or PostgreSQL (psycopg 3).

Why the SQLite rules: SQLite has one writer at a time and no row locks, so one responder process
owns a file. A second ``serve`` on the same file refuses to start (a lock file next to the
database, released by the OS even on ``kill -9``) and points at PostgreSQL, the scale-out path.
Readers (``responder status``, ``reports --responder-db``) never take that lock: WAL lets them
read while the responder writes. Every commit is synchronous (``synchronous=FULL``): Okta does
not redeliver after a 204, so an acknowledged delivery must survive a power cut.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from sarguard.errors import SarguardError

log = logging.getLogger("sarguard.responder")
SQLITE_BUSY_TIMEOUT_S = 30
PRIVATE_MODE = 0o600  # the store holds logins, IP addresses and places
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
WAL_SIZE_LIMIT = 64 * 1024 * 1024  # the WAL file is cut back to this after a checkpoint
MIGRATION_LOCK_KEY = 0x5A46_0001  # pg_advisory_lock key: one migrator at a time


class StoreError(SarguardError):
    """The store cannot be opened or used; the message says which and why (no password)."""


# Query parameters of a database URL that carry a credential (libpq's connection keywords:
# password, sslpassword, and the key/secret forms some drivers accept); matched by name, case
# insensitive, so every one is masked wherever the URL is shown.
CREDENTIAL_PARAMS = re.compile(r"pass|secret|token|key$|^sslkey|credential|auth", re.I)
MASK = "***"


def shown_url(url: str) -> str:
    """The URL with its password and every credential-carrying query parameter masked."""
    try:
        parsed = make_url(url)
        query = {k: (MASK if CREDENTIAL_PARAMS.search(k) else v) for k, v in parsed.query.items()}
        shown = parsed.set(query=query).render_as_string(hide_password=True)
        return shown.replace("=%2A%2A%2A", f"={MASK}")
    except Exception:  # noqa: BLE001 - unparseable: show nothing of it
        return "(an unparseable database URL)"


def sqlite_path(url: str) -> Path | None:
    """The database file of a ``sqlite:////abs/path`` URL; None for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return Path(parsed.database or "")


class ServeLock:
    """An exclusive lock on ``<db>.serve-lock``: at most one serving process per SQLite file."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".serve-lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StoreError(
                f"{self.path.with_name(self.path.name.removesuffix('.serve-lock'))} is already "
                f"served by another sarguard responder (pid {holder}); SQLite allows one "
                "responder process per database file. To run several responders, share one "
                "PostgreSQL database (database: postgresql+psycopg://…, see README 'Scaling "
                "out on PostgreSQL')"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class WriterLock:
    """SQLite's single writer, shared inside the process, with deliveries first.

    An acknowledgement waits for this lock, and Okta allows 3 seconds; planning and the
    workers' bookkeeping can wait. So an urgent holder (a delivery) goes before every waiting
    background one, except that a background writer kept waiting longer than
    :data:`MAX_BACKGROUND_WAIT_S` goes next (a long burst must not stop the response).
    """

    MAX_BACKGROUND_WAIT_S = 1.0

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._cond = threading.Condition()
        self._held = False
        self._urgent = 0
        self._background: list[float] = []  # when each waiting background writer arrived
        self._clock = clock

    @contextlib.contextmanager
    def hold(self, *, urgent: bool) -> Iterator[None]:
        with self._cond:
            arrived = self._clock()
            if urgent:
                self._urgent += 1
            else:
                self._background.append(arrived)
            try:
                while self._held or not self._my_turn(urgent, arrived):
                    self._cond.wait(timeout=self.MAX_BACKGROUND_WAIT_S)
            finally:
                if urgent:
                    self._urgent -= 1
                else:
                    self._background.remove(arrived)
            self._held = True
        try:
            yield
        finally:
            with self._cond:
                self._held = False
                self._cond.notify_all()

    def _my_turn(self, urgent: bool, arrived: float) -> bool:
        starved = [a for a in self._background
                   if self._clock() - a >= self.MAX_BACKGROUND_WAIT_S]
        if urgent:
            return not starved
        if starved:
            return arrived == min(starved)
        return self._urgent == 0


# PostgreSQL's SQLSTATEs for a transaction it chose to abort (a deadlock's victim, a
# serialization failure): rolled back in full, so running it again is safe.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})


def transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a transaction the database aborted and that may simply be retried."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in TRANSIENT_SQLSTATES


def _sqlite_engine(url: str, *, writer: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        # Checkpoints run in the background (Store.checkpoint), never inside a commit that a
        # delivery's acknowledgement is waiting for.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer takes the write lock up front: no deadlock upgrading a read to a write.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def _postgres_engine(url: str, *, pool_size: int, pre_ping: bool = True) -> Engine:
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size,
                         pool_pre_ping=pre_ping, pool_recycle=1800)


# PostgreSQL: the connections that commit deliveries (one per writer thread of the intake).
URGENT_POOL = 2


@dataclass
class Store:
    """Sessions for reading and writing, and the dialect facts the queue needs."""

    url: str = field(repr=False)
    writer: Engine
    reader: Engine
    is_sqlite: bool
    # PostgreSQL: the engine deliveries are committed on, without the pool's pre-ping (a
    # ``SELECT 1`` round trip before every batch an acknowledgement would wait for). A connection
    # the server dropped fails its batch, the pool is invalidated, and the intake retries each
    # delivery on a fresh connection. None: deliveries use ``writer``.
    urgent: Engine | None = None
    _write_lock: WriterLock = field(default_factory=WriterLock, repr=False)
    _sessions: sessionmaker[Session] | None = None
    _urgent_sessions: sessionmaker[Session] | None = None
    _read_sessions: sessionmaker[Session] | None = None

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._urgent_sessions = (sessionmaker(self.urgent, expire_on_commit=False)
                                 if self.urgent is not None else self._sessions)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    @property
    def shown(self) -> str:
        return shown_url(self.url)

    @contextlib.contextmanager
    def write(self, *, urgent: bool = False) -> Iterator[Session]:
        """One write transaction, committed on success. SQLite: one writer in this process at
        a time, queued here (``urgent``: a delivery, first) rather than spinning on SQLite's
        busy lock."""
        lock = (self._write_lock.hold(urgent=urgent) if self.is_sqlite
                else contextlib.nullcontext())
        sessions = self._urgent_sessions if urgent else self._sessions
        with lock, sessions() as session, session.begin():  # type: ignore[misc]
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():  # type: ignore[misc]
            yield session

    def checkpoint(self) -> tuple[int, int] | None:
        """SQLite: copy the WAL into the database file without blocking writers (PASSIVE);
        returns (frames in the WAL, frames copied). None for PostgreSQL."""
        if not self.is_sqlite:
            return None
        raw = self.reader.raw_connection()
        try:
            _busy, frames, copied = raw.driver_connection.execute(
                "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            raw.close()
        return frames, copied

    def ping(self) -> bool:
        """The store answers a query (``/healthz``)."""
        try:
            with self.reader.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    @property
    def parallel_writers(self) -> int:
        """How many transactions may commit deliveries at once: SQLite has one writer; on
        PostgreSQL a batch need not wait behind the previous one's fsync."""
        return 1 if self.is_sqlite else URGENT_POOL

    def dispose(self) -> None:
        self.writer.dispose()
        if self.urgent is not None:
            self.urgent.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def _private_files(path: Path) -> None:
    """SQLite: the database and its -wal/-shm files readable by the owner only. Existing files
    with wider modes are tightened (with a warning); new ones are created under umask 077."""
    loosened = []
    for file in (path, *(path.with_name(path.name + s) for s in SQLITE_SIDE_FILES)):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                file.chmod(PRIVATE_MODE)
            except OSError as exc:
                raise StoreError(f"{file}: readable by others (mode {mode:o}) and cannot be "
                                 f"made private: {exc.strerror or exc}") from None
            loosened.append(f"{file.name} ({mode:o})")
    if loosened:
        log.warning("the responder store was readable by others: tightened %s to 600 (it holds "
                    "logins, IP addresses and places)", ", ".join(loosened))


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def open_store(url: str, *, pool_size: int = 10, must_exist: bool = False,
               private: bool = False) -> Store:
    """Engines for ``url``; raises :class:`StoreError` when the database cannot be reached.

    ``private`` (``serve``): a SQLite file and its -wal/-shm are made (or created) 0600.
    """
    path = sqlite_path(url)
    if path is not None:
        if not path.parent.is_dir():
            raise StoreError(f"{path.parent}: the directory for the responder database does "
                             "not exist (create it, writable by the responder's user)")
        if must_exist and not path.is_file():
            raise StoreError(f"no responder database at {path} (has `sarguard responder serve` "
                             "run with this config yet?)")
        if private:
            _private_files(path)
            with _umask(0o077):
                store = Store(url, _sqlite_engine(url, writer=True),
                              _sqlite_engine(url, writer=False), True)
                _check_reachable(store, url)
                with store.writer.connect() as conn:  # creates the file and its -wal/-shm now
                    conn.exec_driver_sql("PRAGMA user_version")
            _private_files(path)
            return store
        store = Store(url, _sqlite_engine(url, writer=True), _sqlite_engine(url, writer=False),
                      True)
    else:
        engine = _postgres_engine(url, pool_size=pool_size)
        store = Store(url, engine, engine, False,
                      urgent=_postgres_engine(url, pool_size=URGENT_POOL, pre_ping=False))
    _check_reachable(store, url)
    return store


def _check_reachable(store: Store, url: str) -> None:
    try:
        with store.reader.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        store.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StoreError(f"cannot open the responder database {shown_url(url)}: {reason}") from None
