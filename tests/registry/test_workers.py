"""The worker pool of bulk loads and rebuilds: results come back in the order the items went in,
items are read lazily, a worker's error reaches the caller, and workers die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from simpul.registry.db import Database
from simpul.registry.workers import ordered_map, pool

_state: dict = {}


def _remember(value: str) -> None:
    _state["value"] = value


def _slow_square(n: int) -> tuple[int, int]:
    time.sleep(0.05 * (5 - n % 5))  # earlier items finish later
    return n, n * n


def _tagged(n: int) -> tuple[int, str, int]:
    return n, _state["value"], os.getpid()


def _fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("line 3 is bad")
    return n


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    yield db
    db.dispose()


def test_results_keep_the_order_of_the_items(database):
    with pool(database, 2, _remember, ("x",)) as executor:
        results = list(ordered_map(executor, _slow_square, range(10), inflight=4))
    assert results == [(n, n * n) for n in range(10)]


def test_initializer_runs_in_every_worker_and_work_runs_outside_this_process(database):
    with pool(database, 2, _remember, ("checked with the org list",)) as executor:
        results = list(ordered_map(executor, _tagged, range(6), inflight=4))
    assert [n for n, _, _ in results] == list(range(6))
    assert {value for _, value, _ in results} == {"checked with the org list"}
    assert os.getpid() not in {pid for _, _, pid in results}


def test_items_are_read_lazily():
    pulled = []

    def items():
        for n in range(1000):
            pulled.append(n)
            yield n

    with ThreadPoolExecutor(2) as executor:
        results = ordered_map(executor, abs, items(), inflight=3)
        assert next(results) == 0
        assert len(pulled) <= 4  # a bounded window, never the whole input
        assert list(results) == list(range(1, 1000))


def test_a_workers_error_reaches_the_caller_after_the_results_before_it(database):
    with pool(database, 2, _remember, ("x",)) as executor:
        results = ordered_map(executor, _fail_on_three, range(6), inflight=2)
        assert [next(results) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(ValueError, match="line 3 is bad"):
            next(results)


def test_empty_input_yields_nothing():
    with ThreadPoolExecutor(1) as executor:
        assert list(ordered_map(executor, abs, [], inflight=2)) == []


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, sys, time
        from simpul.registry.db import Database
        from simpul.registry.workers import pool
        from tests.registry.test_workers import _remember, _tagged
        db = Database("sqlite:///{tmp_path / "k.db"}")
        executor = pool(db, 2, _remember, ("x",))
        pids = {{executor.submit(_tagged, n).result()[2] for n in range(20)}}
        print(" ".join(map(str, sorted(pids))), flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert workers and parent.pid not in workers
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(_gone(pid) for pid in workers), "a worker outlived the killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_a_process_with_an_open_index_spawns_its_workers(tmp_path):
    """An open tantivy index runs native threads (a file watcher reloading under a lock file);
    a child forked while one held that lock kept the index's lock for its whole life, and a
    rebuild hung on it. Python's thread count does not see them; the pool must."""
    script = textwrap.dedent(
        f"""
        from simpul.registry import workers
        assert workers._one_thread()
        from simpul.search.embedded import EmbeddedBackend
        backend = EmbeddedBackend({str(tmp_path / "search")!r})
        backend.count()
        assert not workers._one_thread()
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr
