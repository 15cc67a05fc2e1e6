"""Checking the links of live records (``simpul links check``, run by ``simpul-links.timer``):
every distinct URL once, through the guarded fetcher (timeouts, no private addresses unless the
operator allows them, HEAD then a ranged GET), politely: at most ``concurrency`` checks at once,
at most ``host_concurrency`` to one host and ``host_interval`` seconds between requests to it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from simpul import __version__
from simpul.harvesters.fetching import Fetcher, FetchError, FetchPolicy, Politeness
from simpul.registry import links

USER_AGENT = f"Simpul/{__version__} (+https://simpul.go.id; link checker)"


@dataclass(frozen=True)
class LinkPolicy:
    timeout: float = 10.0  # seconds, to connect and between bytes
    concurrency: int = 8  # checks at once
    host_concurrency: int = 2  # checks at once to one host
    host_interval: float = 1.0  # seconds between requests to one host
    recheck: timedelta = timedelta(hours=20)  # a link checked more recently waits
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> LinkPolicy:
        return cls(
            timeout=float(settings.link_timeout),
            concurrency=settings.link_concurrency,
            host_concurrency=settings.link_host_concurrency,
            host_interval=settings.link_host_interval_ms / 1000,
            recheck=timedelta(hours=settings.link_recheck_hours),
            allow_private=settings.harvest_allow_private,
        )


def check_url(fetcher: Fetcher, url: str) -> links.Result:
    try:
        status = fetcher.probe(url)
    except FetchError as exc:
        return links.Result(url, False, exc.status, exc.reason)
    return links.Result(url, True, status, None)


def run(db: Any, policy: LinkPolicy, limit: int | None = None) -> dict[str, int]:
    """Collect the links of the live records, check those due and store each result as it
    comes. Returns counts for the command's summary."""
    with db.transaction() as session:
        distinct = links.refresh(session)
    with db.session() as session:
        urls = links.due(session, policy.recheck, limit)
    fetcher = Fetcher(
        FetchPolicy(
            connect_timeout=policy.timeout,
            read_timeout=policy.timeout,
            retries=0,
            host_interval=policy.host_interval,
            host_concurrency=policy.host_concurrency,
            allow_private=policy.allow_private,
        ),
        headers={"User-Agent": USER_AGENT},
        politeness=Politeness(),
    )
    counts = {"links": distinct, "checked": 0, "ok": 0, "failed": 0}
    try:
        with ThreadPoolExecutor(max_workers=max(1, policy.concurrency)) as pool:
            for result in pool.map(lambda url: check_url(fetcher, url), urls):
                with db.transaction() as session:
                    links.record(session, result)
                counts["checked"] += 1
                counts["ok" if result.ok else "failed"] += 1
    finally:
        fetcher.close()
    return counts
