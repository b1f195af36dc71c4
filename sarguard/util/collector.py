"""When Python's cyclic garbage collector runs during sarguard's own heavy work.

Why: running a program under Pulumi's mock engine creates hundreds of thousands of objects
(outputs, futures, tasks) that live until the run ends, and the collector rescans all of them
every few thousand allocations (37% of an 8,000-resource run here) for little garbage. So the
collector is paused around such work (:func:`paused_gc`), and its debt settled once at the end.

How the debt is settled depends on what follows. In a process that ends once its command is
done (the ``sarguard`` console command, ``python -m sarguard``: see :func:`process_ends_after_command`),
a command whose remaining work is light (``check`` renders its report and exits) settles by
*freezing*: the objects move to the permanent generation, never scanned again — a full
collection there (3.3 s after a 500-brand check) would only delay the exit, which frees
everything anyway. In a process that lives on (the library, a test run), the same command
settles by moving its objects to the oldest generation unscanned, so the next full collection
frees whatever cycles they hold: nothing is ever kept for good.

This module imports nothing heavy: the command line consults it before any command runs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

# Objects a collector pause may leave before it ends with a full collection (about the size of
# the heap after imports: below it, the usual young-generation sweeps are cheaper).
COLLECT_AFTER = 100_000

_process_ends = False


def process_ends_after_command() -> None:
    """Say that this process exits once its command is done (the console entry points call
    this; a library user never does)."""
    global _process_ends
    _process_ends = True


def process_ends() -> bool:
    return _process_ends


def paused_gc(*, collect: bool = True) -> AbstractContextManager[None]:
    """Pause the collector for a burst of allocations that mostly stay alive.

    Reference counting still frees what it can; cycles wait until the pause ends. The outermost
    pause then settles that debt so it does not land on whatever runs next (a live read, say):
    after a big run with one full collection, now; after a small one by moving its objects to
    the oldest generation unscanned (they live on; the next full collection frees any cycles
    among them). ``collect`` False settles a big run that second way too, when nothing heavy
    follows. Nests; restores the collector only if it was on.
    """
    def settle() -> None:
        if collect and gc.get_count()[0] > COLLECT_AFTER:
            gc.collect()
        else:
            _age_unscanned()

    return _paused(settle)


def command_gc() -> AbstractContextManager[None]:
    """The collector paused for a whole light command (``check``: run the program, evaluate,
    render, write); at the end, frozen for good when the process ends after the command, else
    aged unscanned as :func:`paused_gc` does with ``collect=False``."""
    return _paused(lambda: gc.freeze() if _process_ends else _age_unscanned())


@contextmanager
def _paused(settle: Callable[[], None]) -> Iterator[None]:
    """The collector off for the block; the outermost pause runs ``settle`` while it is still
    off (see :func:`_age_unscanned`), then turns it back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            settle()
            gc.enable()


def _age_unscanned() -> None:
    """Move every tracked object to the oldest generation without scanning it.

    Always while the collector is still off: every object made during a pause is in the
    youngest generation, and the first allocation after ``gc.enable()`` would scan them all."""
    if gc.get_freeze_count() == 0:  # never thaw objects someone else froze
        gc.freeze()
        gc.unfreeze()
