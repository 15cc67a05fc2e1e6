"""What a fetch refuses and what it never carries along: a private address reads the same
whether its port is open or closed (no connection is attempted), redirects go to http(s) only,
and a source's credentials never follow a redirect to another origin."""

from __future__ import annotations

import socket

import pytest

from simpul.harvesters.fetching import Fetcher, FetchError, FetchPolicy, Politeness
from tests.services.http import RemoteServer, Response


def _fetcher(allow_private=True, **kwargs) -> Fetcher:
    policy = FetchPolicy(allow_private=allow_private, backoff=0.01, retries=1)
    return Fetcher(policy, politeness=Politeness(), **kwargs)


def test_a_private_address_reads_the_same_open_or_closed_and_is_never_connected_to():
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(8)
    listening.setblocking(False)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connecting would be refused
    try:
        reasons = []
        for sock in (listening, closed):
            port = sock.getsockname()[1]
            with pytest.raises(FetchError) as caught:
                _fetcher(allow_private=False).get(f"http://127.0.0.1:{port}/x")
            reasons.append(caught.value.reason)
        assert reasons == ["refused: private address"] * 2
        with pytest.raises(BlockingIOError):
            listening.accept()  # nobody knocked
    finally:
        listening.close()
        closed.close()


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "gopher://127.0.0.1:70/x", "ftp://example.org/f", "data:,x"]
)
def test_a_redirect_to_another_scheme_is_refused_as_such(remote, target):
    url = remote.route("/go", Response(status=302, headers={"Location": target}))
    with pytest.raises(FetchError, match="redirect to a non-http\\(s\\) URL refused"):
        _fetcher().get(url)


def test_secrets_go_only_to_the_source_origin_not_to_hosts_it_links_to(remote):
    """A remote's next-page link (or any URL it hands over) on another host gets no secret."""
    other = RemoteServer()
    try:
        there = other.route("/page/2", Response(b"{}"))
        here = remote.route("/page/1", Response(b"{}"))
        fetcher = _fetcher(secret_headers={"X-Api-Key": "s3cret"}, secret_origin=remote.url("/"))
        assert fetcher.get(here).content == b"{}"
        assert fetcher.get(there).content == b"{}"
        assert remote.requests[-1].headers["x-api-key"] == "s3cret"
        [arrived] = other.requests
        assert "x-api-key" not in arrived.headers
    finally:
        other.close()


def test_credentials_never_follow_a_redirect_to_another_origin(remote):
    other = RemoteServer()  # another port: another origin
    try:
        there = other.route("/landing", Response(b"{}"))
        here = remote.route("/landing", Response(b"{}"))
        remote.route("/away", Response(status=302, headers={"Location": there}))
        remote.route("/near", Response(status=301, headers={"Location": "/landing"}))
        fetcher = _fetcher(secret_headers={"X-Api-Key": "s3cret", "Cookie": "session=1"})
        bearer = {"Authorization": "Bearer t0ken"}
        assert fetcher.get(remote.url("/away"), headers=bearer).content == b"{}"
        [arrived] = other.requests
        assert "x-api-key" not in arrived.headers
        assert "authorization" not in arrived.headers and "cookie" not in arrived.headers
        assert remote.requests[0].headers["x-api-key"] == "s3cret"  # the first hop had them
        assert fetcher.get(remote.url("/near"), headers=bearer).url == here
        same = remote.requests[-1]  # a redirect within the origin keeps them
        assert same.path == "/landing" and same.headers["x-api-key"] == "s3cret"
        assert same.headers["authorization"] == "Bearer t0ken"
    finally:
        other.close()


def test_too_many_redirects(remote):
    remote.route("/loop", Response(status=302, headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match="more than 2 redirects"):
        Fetcher(FetchPolicy(allow_private=True, max_redirects=2), politeness=Politeness()).get(
            remote.url("/loop")
        )
