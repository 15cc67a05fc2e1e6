"""Loopback ports for the tests' servers without check-then-use races.

- A server in this process binds port 0 and reads back the port the kernel gave it.
- ``closed_port`` is a port that refuses connections: bound and never listening, and held for
  the block, so no other process can start listening there meanwhile.
- A server in another process must be told its port before it starts (``simpul serve``,
  PostgreSQL, Elasticsearch, OpenSearch): ``start_with_retries`` picks a free port, starts the
  process, and when the process reports the port taken (someone bound it between the pick and
  the start) tries again with a new port.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
ATTEMPTS = 5
CLASH_WORDS = ("address already in use", "could not bind", "failed to bind", "connection in use")


def free_port() -> int:
    """A port nobody listens on now; only for a process that must be told its port before it
    starts (see ``start_with_retries``)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where connections are refused while the block runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


class PortTaken(RuntimeError):
    """The process could not bind the port it was given: another one took it."""


def is_clash(text: str) -> bool:
    """Whether a process's log says that its port was taken."""
    lowered = text.lower()
    return any(words in lowered for words in CLASH_WORDS)


def start_with_retries(start: Callable[[int], T], attempts: int = ATTEMPTS) -> T:
    """``start(port)`` on a free port; again on a new port while it raises ``PortTaken``."""
    for attempt in range(1, attempts + 1):
        try:
            return start(free_port())
        except PortTaken:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
