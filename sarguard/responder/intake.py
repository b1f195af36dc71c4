"""Group commit for deliveries: many concurrent acknowledgements share one transaction.

Why: SQLite has one writer, and under a burst (Okta batches, retries, several hooks) twenty
deliveries arriving together would each wait for the ones before them to begin, write and
commit. One writer thread instead takes everything that is waiting (up to :data:`MAX_BATCH`),
writes it in one transaction and answers each request once that commit is durable, so a busy
moment costs one commit, not twenty. Nothing is acknowledged before its commit; a batch that
fails is retried one delivery at a time, so one bad delivery cannot fail the others.

On PostgreSQL there are :attr:`Store.parallel_writers` such threads: while one batch waits for
its commit's fsync the next is already being written (the server flushes concurrent commits
together), so a delivery arriving just after a batch began does not wait for all of it.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime

from sarguard.responder.store.engine import Store
from sarguard.responder.store.ingest import Arrived, Ingested, ingest_deliveries

log = logging.getLogger("sarguard.responder")
MAX_BATCH = 64
_STOP = object()


class IngestWriter:
    """A thread that commits deliveries in batches; ``await submit(arrived)`` for the result."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"ingest-writer-{i}",
                                          daemon=True)
                         for i in range(max(1, store.parallel_writers))]
        self._started = False
        self._lock = threading.Lock()

    async def submit(self, arrived: Arrived) -> Ingested:
        """Store ``arrived``; returns once its transaction is committed (raises if it failed)."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Ingested] = loop.create_future()
        self._queue.put((arrived, loop, future))
        return await future

    def _ensure_started(self) -> None:
        with self._lock:
            if not self._started:
                for thread in self._threads:
                    thread.start()
                self._started = True

    def stop(self) -> None:
        with self._lock:
            if self._started:
                for _thread in self._threads:
                    self._queue.put(_STOP)
                for thread in self._threads:
                    thread.join(timeout=30)
                self._started = False

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    self._queue.put(_STOP)  # finish this batch, then stop
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list) -> None:
        try:
            results = ingest_deliveries(self.store, [a for a, _, _ in batch], self.clock())
        except Exception:  # noqa: BLE001 - one at a time, so one bad delivery fails alone
            if len(batch) > 1:
                for item in batch:
                    self._commit([item])
                return
            arrived, loop, future = batch[0]
            error = _failure()
            loop.call_soon_threadsafe(_set_exception, future, error)
            return
        for (_arrived, loop, future), result in zip(batch, results, strict=True):
            loop.call_soon_threadsafe(_set_result, future, result)


def _failure() -> BaseException:
    import sys

    exc = sys.exc_info()[1]
    return exc if exc is not None else RuntimeError("ingest failed")


def _set_result(future: asyncio.Future, result: Ingested) -> None:
    if not future.done():
        future.set_result(result)


def _set_exception(future: asyncio.Future, error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
