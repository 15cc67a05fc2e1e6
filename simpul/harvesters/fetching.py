"""Guarded outbound HTTP for harvesters.

Every request a harvester makes goes through :class:`Fetcher`: timeouts, a size cap on the
(decompressed) body, a wall-clock cap per response, retries with exponential back-off on network
errors and 429/5xx (honouring ``Retry-After``), per-host politeness (a minimum interval between
requests and a limit on concurrent ones, shared by every job of a process), conditional requests,
and no private, loopback or link-local targets unless the operator allows them.

The address check runs before a connection is attempted (a refused address reads the same
whether a port is open or closed there) and the socket connects to the address that was
checked, so neither a redirect nor a DNS answer that changes between lookup and connect
(rebinding) can reach an internal address. Redirects are followed here, one hop at a time:
only to http(s), and the source's credentials (``secrets``, Authorization, cookies) never
follow one to another origin.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

import requests
from marshmallow import Schema, ValidationError, validate
from marshmallow import fields as mf
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from simpul import __version__
from simpul.errors import ValidationFailed
from simpul.harvesters.credentials import redact_source_url

USER_AGENT = f"Simpul/{__version__} (+https://simpul.go.id; harvester)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REFUSED_PRIVATE = "refused: private address"
# Sent only to the origin a request started at: never across a redirect to another host.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


class FetchError(Exception):
    """A request that failed for good (after retries): the message names the URL and why."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{redact_source_url(url)}: {reason}")
        self.url, self.reason, self.status = url, reason, status


class BlockedAddress(Exception):
    """Raised inside the connection: the peer is an address the operator did not allow.
    Not an OSError, so urllib3 does not retry it as a network error."""


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_seconds: float = 300.0  # per response, however slowly it drips
    max_bytes: int = 200 * 1024 * 1024
    retries: int = 3
    backoff: float = 0.5  # seconds; doubles with each retry
    max_retry_after: float = 60.0
    host_interval: float = 0.0  # seconds between request starts to one host
    host_concurrency: int = 4
    allow_private: bool = False
    max_redirects: int = 5


def _seconds(low: float) -> mf.Float:
    return mf.Float(validate=validate.Range(low, 86_400))


class FetchOptions(Schema):
    """``options.fetch`` of a source: what an editor may tune, within fixed ranges here and
    within the operator's caps (:class:`FetchLimits`) on top."""

    connect_timeout = _seconds(0.1)
    read_timeout = _seconds(0.1)
    max_seconds = _seconds(1)
    max_retry_after = _seconds(0)
    max_bytes = mf.Integer(strict=True, validate=validate.Range(1, 2**53))
    retries = mf.Integer(strict=True, validate=validate.Range(0, 10))
    backoff = mf.Float(validate=validate.Range(0, 60))
    host_interval = mf.Float(validate=validate.Range(0, 3600))
    host_concurrency = mf.Integer(strict=True, validate=validate.Range(1, 32))
    max_redirects = mf.Integer(strict=True, validate=validate.Range(0, 20))


TIME_OPTIONS = ("connect_timeout", "read_timeout", "max_seconds", "max_retry_after")


@dataclass(frozen=True)
class FetchLimits:
    """The operator's caps on every source's fetch options (``SIMPUL_HARVEST_MAX_BYTES``,
    ``SIMPUL_HARVEST_MAX_TIMEOUT``)."""

    max_bytes: int = 200 * 1024 * 1024
    max_timeout: float = 600.0

    @classmethod
    def from_settings(cls, settings: Any) -> FetchLimits:
        return cls(settings.harvest_max_bytes, float(settings.harvest_max_timeout))

    def caps(self) -> dict[str, float]:
        return {"max_bytes": self.max_bytes, **dict.fromkeys(TIME_OPTIONS, self.max_timeout)}


def load_fetch_options(raw: Any) -> dict[str, Any]:
    """``options.fetch`` checked for types and ranges; ValidationFailed names the field."""
    try:
        return FetchOptions().load(raw if raw is not None else {})
    except ValidationError as exc:
        raise ValidationFailed.from_messages({"options": {"fetch": exc.messages}}) from None


def check_fetch_limits(options: dict[str, Any], limits: FetchLimits) -> None:
    """Refuse a value over the operator's cap (at source creation or change)."""
    setting = {"max_bytes": "SIMPUL_HARVEST_MAX_BYTES"}
    for key, cap in limits.caps().items():
        if key in options and options[key] > cap:
            name = setting.get(key, "SIMPUL_HARVEST_MAX_TIMEOUT")
            raise ValidationFailed.from_messages(
                {"options": {"fetch": {key: f"at most {cap:,g} on this node ({name})"}}}
            )


def fetch_policy(raw: Any, limits: FetchLimits, allow_private: bool) -> FetchPolicy:
    """The policy of a job: stored options checked again (a bad value fails the job, naming
    the field) and held within the operator's caps as they are now."""
    options = load_fetch_options(raw)
    policy = replace(FetchPolicy(allow_private=allow_private), **options)
    capped = {k: min(getattr(policy, k), cap) for k, cap in limits.caps().items()}
    capped["max_bytes"] = int(capped["max_bytes"])
    return replace(policy, **capped)


class Fetched(NamedTuple):
    url: str  # after redirects
    status: int
    content: bytes
    headers: Mapping[str, str]
    not_modified: bool = False

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("Content-Type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip('"').lower()
        return None

    @property
    def validators(self) -> dict[str, str]:
        """What a later conditional request sends back."""
        out = {}
        if self.headers.get("ETag"):
            out["etag"] = self.headers["ETag"]
        if self.headers.get("Last-Modified"):
            out["last_modified"] = self.headers["Last-Modified"]
        return out


def address_allowed(address: str, allow_private: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return False
    if allow_private:
        return True
    return ip.is_global


def _checked(sock, allow_private: bool):
    if not address_allowed(sock.getpeername()[0], allow_private):
        sock.close()
        raise BlockedAddress(REFUSED_PRIVATE)
    return sock


def _vetted(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses of ``host`` that may be reached; none: refused before any connection."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return [host]  # urllib3 reports the failed lookup
    allowed = [info[4][0] for info in infos if address_allowed(info[4][0], allow_private)]
    if not allowed:
        raise BlockedAddress(REFUSED_PRIVATE)
    return list(dict.fromkeys(allowed))


def _connect(conn, connect, allow_private: bool):
    """Connect to a checked address of the host (not to a second DNS answer)."""
    host = conn._dns_host
    error: Exception | None = None
    for address in _vetted(host, conn.port, allow_private):
        conn._dns_host = address
        try:
            return _checked(connect(), allow_private)
        except BlockedAddress:
            raise
        except Exception as exc:
            error = exc
        finally:
            conn._dns_host = host
    raise error  # type: ignore[misc]


def _guarded_pools(allow_private: bool) -> dict[str, type]:
    class Http(HTTPConnection):
        def _new_conn(self):
            return _connect(self, super()._new_conn, allow_private)

    class Https(HTTPSConnection):
        def _new_conn(self):
            return _connect(self, super()._new_conn, allow_private)

    class HttpPool(HTTPConnectionPool):
        ConnectionCls = Http

    class HttpsPool(HTTPSConnectionPool):
        ConnectionCls = Https

    return {"http": HttpPool, "https": HttpsPool}


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, allow_private: bool):
        self._pools = _guarded_pools(allow_private)
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools


@dataclass
class Politeness:
    """Per-host pacing shared by every fetcher of a process (the worker runs many jobs)."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hosts: dict[str, tuple[threading.BoundedSemaphore, list[float]]] = field(default_factory=dict)

    def slot(self, host: str, policy: FetchPolicy):
        with self._lock:
            if host not in self._hosts:
                semaphore = threading.BoundedSemaphore(max(1, policy.host_concurrency))
                self._hosts[host] = (semaphore, [0.0])
            return _HostSlot(*self._hosts[host], self._lock, policy.host_interval)


class _HostSlot:
    def __init__(self, semaphore, last: list[float], lock: threading.Lock, interval: float):
        self.semaphore, self.last, self.lock, self.interval = semaphore, last, lock, interval

    def __enter__(self):
        self.semaphore.acquire()
        if self.interval > 0:
            with self.lock:
                start = max(time.monotonic(), self.last[0] + self.interval)
                self.last[0] = start
            delay = start - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return self

    def __exit__(self, *exc):
        self.semaphore.release()


PROCESS_POLITENESS = Politeness()


class Fetcher:
    """One per job. ``deadline`` (time.monotonic) bounds every request so a job cannot hang."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        secret_headers: Mapping[str, str] | None = None,
        secret_origin: str | None = None,
        politeness: Politeness | None = None,
        deadline: float | None = None,
    ):
        self.policy = policy or FetchPolicy()
        self.secret_headers = dict(secret_headers or {})  # never across origins
        # the source's own origin: secrets go there only, not to a host a remote links to
        # (a next-page link, a record's URL); without one, to where each request starts
        self.secret_origin = secret_origin
        self.politeness = politeness or PROCESS_POLITENESS
        self.deadline = deadline
        self.requests = 0
        self.bytes = 0
        self._session = requests.Session()
        self._session.trust_env = False  # no proxies or .netrc from the environment
        adapter = _GuardedAdapter(self.policy.allow_private)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers.update({"User-Agent": USER_AGENT, **(headers or {})})

    def with_policy(self, **changes: Any) -> Fetcher:
        return Fetcher(
            replace(self.policy, **changes),
            headers=dict(self._session.headers),
            secret_headers=self.secret_headers,
            secret_origin=self.secret_origin,
            politeness=self.politeness,
            deadline=self.deadline,
        )

    def close(self) -> None:
        self._session.close()

    def _secrets_for(self, url: str) -> dict[str, str]:
        if self.secret_origin is not None and origin(url) != origin(self.secret_origin):
            return {}
        return self.secret_headers

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: str | None = None,
        validators: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> Fetched:
        """GET a URL; raise FetchError when it fails for good. With ``validators`` (the
        ``Fetched.validators`` of an earlier response) an unchanged resource answers
        ``not_modified`` and no body."""
        _check_url(url)
        send = {**self._secrets_for(url), **(headers or {})}
        if accept:
            send["Accept"] = accept
        if validators:
            if "etag" in validators:
                send["If-None-Match"] = validators["etag"]
            if "last_modified" in validators:
                send["If-Modified-Since"] = validators["last_modified"]
        host = urlsplit(url).netloc.lower()
        attempt = 0
        while True:
            attempt += 1
            try:
                with self.politeness.slot(host, self.policy):
                    result = self._once(url, params, send, max_bytes or self.policy.max_bytes)
            except _Retryable as exc:
                if attempt > self.policy.retries:
                    raise FetchError(
                        url, f"{exc.reason} (after {attempt} attempts)", exc.status
                    ) from None
                self._sleep(exc.retry_after or self.policy.backoff * 2 ** (attempt - 1), url)
                continue
            return result

    def _remaining(self, url: str) -> float:
        if self.deadline is None:
            return float("inf")
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchError(url, "the job ran out of time")
        return left

    def _sleep(self, seconds: float, url: str) -> None:
        time.sleep(min(seconds, self.policy.max_retry_after, self._remaining(url)))

    def _once(self, url, params, headers, max_bytes) -> Fetched:
        left = self._remaining(url)
        timeout = (
            min(self.policy.connect_timeout, left),
            min(self.policy.read_timeout, left),
        )
        response = self._follow(url, params, headers, timeout)
        with response:
            if response.status_code == 304:
                return Fetched(response.url, 304, b"", response.headers, True)
            if response.status_code in RETRY_STATUSES:
                raise _Retryable(
                    f"HTTP {response.status_code} {response.reason}",
                    response.status_code,
                    _retry_after(response.headers.get("Retry-After")),
                )
            if response.status_code >= 400:
                raise FetchError(
                    url, f"HTTP {response.status_code} {response.reason}", response.status_code
                )
            content = self._read(response, url, max_bytes)
        return Fetched(response.url, response.status_code, content, response.headers)

    def probe(self, url: str) -> int:
        """Whether a URL answers, for link checking: HEAD, then a GET of its first byte when
        HEAD is refused or fails (many servers answer HEAD badly). No retries and no body read.
        Returns the final status; raises FetchError."""
        _check_url(url)
        host = urlsplit(url).netloc.lower()
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        status = None
        for method, headers in (("HEAD", {}), ("GET", {"Range": "bytes=0-0"})):
            try:
                with (
                    self.politeness.slot(host, self.policy),
                    self._follow(url, None, headers, timeout, method) as response,
                ):
                    status = response.status_code
            except _Retryable as exc:
                if method == "GET":
                    raise FetchError(url, exc.reason, exc.status) from None
                continue
            except FetchError as exc:
                if method == "GET" or exc.reason == REFUSED_PRIVATE:
                    raise
                continue
            if status < 400:
                return status
        raise FetchError(url, f"HTTP {status}", status)

    def _follow(self, url, params, headers, timeout, method="GET") -> requests.Response:
        """Redirects one hop at a time: only to http(s), and credentials stay with the origin
        the request started at (requests keeps custom headers across hosts)."""
        here, start = url, origin(url)
        for _ in range(self.policy.max_redirects + 1):
            response = self._send(url, here, params, headers, timeout, method)
            if not response.is_redirect:
                return response
            target = urljoin(response.url, response.headers["Location"])
            response.close()
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                raise FetchError(url, "redirect to a non-http(s) URL refused")
            if origin(target) != start:
                drop = CREDENTIAL_HEADERS | {k.lower() for k in self.secret_headers}
                headers = {k: v for k, v in headers.items() if k.lower() not in drop}
            here, params = target, None
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects")

    def _send(self, url, here, params, headers, timeout, method="GET") -> requests.Response:
        self.requests += 1
        try:
            return self._session.request(
                method,
                here,
                params=params,
                headers=headers,
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
        except BlockedAddress as exc:
            raise FetchError(url, str(exc)) from None
        except requests.exceptions.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None
        except requests.exceptions.ConnectionError as exc:
            if isinstance(_root_cause(exc), BlockedAddress):
                raise FetchError(url, str(_root_cause(exc))) from None
            raise _Retryable(_network_reason(exc)) from None
        except requests.exceptions.Timeout:
            raise _Retryable(f"no answer within {timeout[1]:.0f} s") from None

    def _read(self, response: requests.Response, url: str, max_bytes: int) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(
                url, f"the response is {int(declared):,} bytes; the limit is {max_bytes:,}"
            )
        stop = time.monotonic() + min(self.policy.max_seconds, self._remaining(url))
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, f"the response is over the limit of {max_bytes:,} bytes")
                if time.monotonic() > stop:
                    raise FetchError(
                        url, f"the response took longer than {self.policy.max_seconds:.0f} s"
                    )
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            raise _Retryable(
                f"the connection broke while reading: {_network_reason(exc)}"
            ) from None
        self.bytes += size
        return b"".join(chunks)


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.status, self.retry_after = reason, status, retry_after


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, f"only http and https URLs can be harvested (got {parts.scheme!r})")
    if not parts.hostname:
        raise FetchError(url, "the URL has no host")


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = exc.__context__ or exc.__cause__
        if inner is None:
            if exc.args and isinstance(exc.args[0], BaseException):
                inner = exc.args[0]
            elif hasattr(exc, "reason") and isinstance(exc.reason, BaseException):
                inner = exc.reason
            else:
                return exc
        exc = inner
    return exc


def _network_reason(exc: BaseException) -> str:
    root = _root_cause(exc)
    if isinstance(root, ConnectionRefusedError):
        return "connection refused"
    if isinstance(root, TimeoutError):
        return "timed out"
    text = str(root) or type(root).__name__
    return text.split(": ", 1)[-1][:300]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
