"""Guarded fetching against real servers on loopback."""

from __future__ import annotations

import gzip
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


def test_slow_server_times_out_after_retries(remote):
    url = remote.route("/slow", Response(b"{}", delay=1.5))
    with pytest.raises(FetchError, match=r"after 2 attempts"):
        fetcher(read_timeout=0.3, retries=1).get(url)
    assert len([r for r in remote.requests if r.path == "/slow"]) == 2


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
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.1)
        with lock:
            active[0] -= 1
        return Response(b"{}")

    url = remote.route("/c", slow)
    shared = Politeness()
    fetchers = [
        Fetcher(FetchPolicy(allow_private=True, host_concurrency=2), politeness=shared)
        for _ in range(6)
    ]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda f: f.get(url), fetchers))
    assert peak[0] == 2


def test_deadline_bounds_a_job(remote):
    url = remote.route("/late", Response(b"{}", delay=2))
    late = Fetcher(
        FetchPolicy(allow_private=True, retries=5, backoff=0.01),
        politeness=Politeness(),
        deadline=time.monotonic() + 0.5,
    )
    started = time.monotonic()
    with pytest.raises(FetchError):
        late.get(url)
    assert time.monotonic() - started < 1.9
