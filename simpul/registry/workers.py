"""Worker processes for CPU-heavy batch work (checking a bulk load, analysing for a rebuild):
started safely, fed lazily and in order, and never outliving the process that started them."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor


def ordered_map(pool: Executor, fn: Callable, items: Iterable, inflight: int) -> Iterator:
    """Like ``pool.map`` but reads ``items`` lazily, with at most ``inflight`` tasks queued."""
    pending: deque = deque()
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= inflight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def pool(database, workers: int, initializer: Callable, initargs: tuple) -> ProcessPoolExecutor:
    """fork where it is safe (one thread, no database connection left to inherit), else spawn.
    Workers are started at once, before the caller opens its next connection."""
    if os.name == "posix" and _one_thread():
        database.engine.dispose()
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start,
        initargs=(os.getpid(), initializer, initargs),
    )
    for future in [executor.submit(_ready) for _ in range(workers)]:
        future.result()
    return executor


def _one_thread() -> bool:
    """Whether the process runs one thread, native ones included: an open tantivy index runs
    threads of its own (a file watcher that reloads under a lock file), and a child forked while
    one of them held that lock keeps it locked for as long as the child lives (an index rebuild
    hung on it). Python's own count sees none of them."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def _start(parent: int, initializer: Callable, initargs: tuple) -> None:
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    initializer(*initargs)


def _ready() -> bool:
    return True


def _exit_with_parent(parent: int) -> None:
    """A killed parent (``kill -9`` on ``simpul load``) must not leave workers behind."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
