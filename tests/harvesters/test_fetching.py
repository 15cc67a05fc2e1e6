"""Guarded fetching against real servers on loopback."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from simpul.harvesters.fetching import Fetcher, FetchError, FetchPolicy, Politeness, address_allowed
from tests.services.http import Response


def fetcher(**policy) -> Fetcher:
    policy.setdefault("allow_private", True)
    policy.setdefault("backoff", 0.01)
    return Fetcher(FetchPolicy(**policy), politeness=Politeness())


def test_loopback_and_private_targets_are_refused_by_default(remote):
    url = remote.route("/x", Response(b"{}"))
    guarded = Fetcher(FetchPolicy(backoff=0.01), politeness=Politeness())
    with pytest.raises(FetchError, match="refused: private address"):
        guarded.get(url)
    with pytest.raises(FetchError, match="refused: private address"):
        guarded.get(url.replace("127.0.0.1", "localhost"))
    assert remote.requests == []  # no connection was attempted
    assert fetcher().get(url).content == b"{}"  # an operator may allow them


@pytest.mark.parametrize(
    "address, allowed",
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("fd00::1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("103.10.10.10", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_address_policy(address, allowed):
    assert address_allowed(address, allow_private=False) is allowed


def test_redirect_to_a_private_address_is_refused(remote):
    target = remote.route("/secret", Response(b"secret"))
    url = remote.route("/go", Response(status=302, headers={"Location": target}))
    guarded = Fetcher(FetchPolicy(backoff=0.01), politeness=Politeness())
    with pytest.raises(FetchError, match="refused: private address"):
        guarded.get(url)


def test_only_http_urls():
    with pytest.raises(FetchError, match="only http and https"):
        fetcher().get("file:///etc/passwd")
    with pytest.raises(FetchError, match="only http and https"):
        fetcher().get("gopher://example.org/")


def test_a_server_that_never_answers_times_out_after_retries(silent):
    with pytest.raises(FetchError, match=r"no answer within .* \(after 2 attempts\)"):
        fetcher(read_timeout=0.3, retries=1).get(silent.url)
    assert silent.connections == 2  # one try and one retry, each ended by the read timeout


def test_the_same_fetcher_reads_a_server_that_answers(remote):
    url = remote.route("/fast", Response(b"{}"))
    assert fetcher(read_timeout=0.3, retries=1).get(url).content == b"{}"


def test_response_over_the_size_limit(remote):
    url = remote.route("/big", Response(b"x" * 100_000))
    with pytest.raises(FetchError, match="limit is 10,000"):
        fetcher(max_bytes=10_000).get(url)


def test_compressed_bomb_is_cut_at_the_limit(remote):
    bomb = gzip.compress(b"0" * 5_000_000)
    assert len(bomb) < 10_000
    url = remote.route("/bomb", Response(bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="over the limit of 100,000 bytes"):
        fetcher(max_bytes=100_000).get(url)


def test_retries_server_errors_with_backoff_then_succeeds(remote):
    attempts = []

    def flaky(request):
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            return Response(b"busy", "text/plain", status=503, headers={"Retry-After": "0"})
        return Response(b'{"ok": true}')

    url = remote.route("/flaky", flaky)
    assert fetcher(retries=3).get(url).content == b'{"ok": true}'
    assert len(attempts) == 3


def test_client_errors_are_not_retried(remote):
    url = remote.route("/gone", Response(b"", status=410))
    with pytest.raises(FetchError, match="HTTP 410"):
        fetcher(retries=3).get(url)
    assert len(remote.requests) == 1


def test_conditional_request_answers_not_modified(remote):
    def tagged(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            b"data", headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 00:00:00 GMT"}
        )

    url = remote.route("/doc", tagged)
    first = fetcher().get(url)
    assert first.validators == {"etag": '"v1"', "last_modified": "Mon, 02 Nov 2026 00:00:00 GMT"}
    second = fetcher().get(url, validators=first.validators)
    assert second.not_modified and second.content == b""
    assert remote.requests[-1].headers["if-modified-since"] == first.validators["last_modified"]


def test_politeness_spaces_requests_to_one_host(remote):
    url = remote.url("/p")
    polite = fetcher(host_interval=0.2)
    arrivals = _arrivals(remote, polite, url, 3)  # as the server saw them
    assert all(b - a >= 0.18 for a, b in zip(arrivals, arrivals[1:], strict=False))


def _arrivals(remote, polite, url, n):
    stamps = []

    def stamp(request):
        stamps.append(time.monotonic())
        return Response(b"{}")

    remote.route("/p", stamp)
    for _ in range(n):
        polite.get(url)
    return stamps


def test_concurrency_per_host_is_limited(remote):
    """Requests are held at the server until the test lets them go: the first two are in
    together, and a third enters only after one of them has left."""
    events, lock, gate = [], threading.Lock(), threading.Semaphore(0)

    def held(request):
        with lock:
            events.append("in")
        gate.acquire(timeout=30)
        with lock:
            events.append("out")
        return Response(b"{}")

    url = remote.route("/c", held)
    shared = Politeness()
    fetchers = [
        Fetcher(FetchPolicy(allow_private=True, host_concurrency=2), politeness=shared)
        for _ in range(6)
    ]
    with ThreadPoolExecutor(6) as pool:
        done = [pool.submit(f.get, url) for f in fetchers]
        _wait_for(lambda: events.count("in") == 2)
        # the other four are waiting for a slot; were the limit gone, they would be in by now
        time.sleep(0.3)
        assert events == ["in", "in"]
        for _ in fetchers:
            gate.release()
        assert all(future.result(30).content == b"{}" for future in done)
    assert len(events) == 12
    active = [sum(1 if e == "in" else -1 for e in events[: n + 1]) for n in range(len(events))]
    assert max(active) == 2


def _wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true"
        time.sleep(0.01)


def test_deadline_bounds_a_job(silent):
    """A job's deadline cuts a request to a server that never answers, however long the
    policy would wait (60 s read timeout, five retries)."""
    late = Fetcher(
        FetchPolicy(allow_private=True, retries=5, backoff=0.01),
        politeness=Politeness(),
        deadline=time.monotonic() + 0.5,
    )
    started = time.monotonic()
    with pytest.raises(FetchError, match="the job ran out of time"):
        late.get(silent.url)
    # about time by nature: the policy alone would wait 6 x 60 s; the deadline is 0.5 s
    assert time.monotonic() - started < 30
    assert silent.connections == 1  # no retry once the time is up


class Silent:
    """A loopback port that accepts connections and never answers."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.accepted: list[socket.socket] = []
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self.listener.accept()[0])

    @property
    def connections(self) -> int:
        return len(self.accepted)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def silent():
    server = Silent()
    yield server
    server.close()
