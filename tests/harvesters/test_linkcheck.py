"""Link checking (``simpul links check``) against real loopback servers: what answers, what does
not (404, a redirect loop, a timeout), a private address refused, and a link that fails only
after two failed checks a day apart."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from click.testing import CliRunner

from simpul.cli import main
from simpul.harvesters.fetching import Fetcher, FetchError, FetchPolicy, Politeness
from simpul.harvesters.linkcheck import LinkPolicy, check_url, run
from simpul.registry import checklists, db, links, services
from simpul.registry.auth import SYSTEM
from simpul.registry.models import Link, LinkRef
from simpul.registry.organizations import create_organization
from tests.conftest import service_record
from tests.services.http import Response

ORG = "disdukcapil-kota-gorontalo"
LOOPBACK = LinkPolicy(timeout=1, host_interval=0, recheck=timedelta(0), allow_private=True)


def _fetcher(allow_private: bool = True) -> Fetcher:
    policy = FetchPolicy(connect_timeout=1, read_timeout=1, retries=0, allow_private=allow_private)
    return Fetcher(policy, politeness=Politeness())


def test_a_link_that_answers_passes_even_when_head_is_not_supported(remote):
    url = remote.route("/ok", Response(b"hello", "text/plain"))
    assert check_url(_fetcher(), url) == links.Result(url, True, 200, None)
    # the loopback server answers HEAD with 501: the checker asked for the first byte instead
    assert remote.requests[-1].headers["range"] == "bytes=0-0"
    assert remote.requests[-1].headers["user-agent"].startswith("Simpul/")


def test_a_missing_page_fails_with_its_status(remote):
    result = check_url(_fetcher(), remote.url("/gone"))
    assert (result.ok, result.status, result.error) == (False, 404, "HTTP 404")


def test_a_redirect_loop_fails(remote):
    remote.route("/loop", Response(status=302, headers={"Location": "/loop"}))
    result = check_url(_fetcher(), remote.url("/loop"))
    assert not result.ok and "redirects" in result.error


def test_a_server_that_does_not_answer_in_time_fails(remote):
    remote.route("/slow", Response(b"late", "text/plain", delay=2.5))
    result = check_url(_fetcher(), remote.url("/slow"))
    assert not result.ok and result.status is None


def test_a_private_address_is_refused_without_a_request(remote):
    url = remote.route("/ok", Response(b"hello", "text/plain"))
    result = check_url(_fetcher(allow_private=False), url)
    assert not result.ok and result.error == "refused: private address"
    assert remote.requests == []
    with pytest.raises(FetchError):
        _fetcher(allow_private=False).probe("http://169.254.169.254/latest")


def _publish(registry, record):
    with registry.db.transaction() as session:
        services.publish(session, record, SYSTEM, base_uri=registry.base_uri, provenance={})


@pytest.fixture
def linked(registry, remote):
    ok = remote.route("/ok", Response(b"hello", "text/plain"))
    with registry.db.transaction() as session:
        create_organization(
            session,
            {
                "id": ORG,
                "name": {"id": "Disdukcapil"},
                "level": "kabkota",
                "area": "75.71",
                "homepage": remote.url("/home-gone"),
            },
        )
    record = service_record(
        authority=ORG,
        channels=[{"type": "online", "url": ok}],
        legal_basis=[{"title": "UU 24/2013", "url": remote.url("/uu-gone")}],
        complaints={"id": "Lapor", "url": ok},
        homepage=ok,
    )
    _publish(registry, record)
    return registry


def _links(registry) -> dict[str, Link]:
    with registry.db.session() as session:
        return {row.url.rsplit("/", 1)[-1]: row for row in session.query(Link)}


def test_every_distinct_url_is_checked_once_and_stored(linked, remote):
    counts = run(linked.db, LOOPBACK)
    assert counts == {"links": 3, "checked": 3, "ok": 1, "failed": 2}
    found = _links(linked)
    assert (found["ok"].status, found["ok"].failures, found["ok"].error) == (200, 0, None)
    assert (found["uu-gone"].status, found["uu-gone"].failures) == (404, 1)
    with linked.db.session() as session:
        fields = sorted(r.field for r in session.query(LinkRef))
    assert fields == [
        "channels[0].url",
        "complaints.url",
        "homepage",
        "homepage",
        "legal_basis[0].url",
    ]
    # the same URL in four places was asked for once (HEAD, then the ranged GET)
    assert sum(r.path == "/ok" for r in remote.requests) == 1


def test_a_link_fails_after_two_failures_a_day_apart(linked, monkeypatch):
    run(linked.db, LOOPBACK)
    run(linked.db, LOOPBACK)
    assert _links(linked)["uu-gone"].failures == 2
    with linked.db.session() as session:
        counts = checklists.organization_checklist(session, ORG)["counts"]
    assert counts["broken-links"] == 0  # two failures within an hour: not yet
    later = db.utcnow() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(db, "clock", lambda: later)
    with linked.db.session() as session:
        found = checklists.organization_checklist(session, ORG, task="broken-links")
    # the record with the failing legal basis URL, and the organization's own homepage
    assert found["counts"]["broken-links"] == 2
    items = found["items"]["broken-links"]
    assert [(i["field"], i["link"]["status"]) for i in items] == [
        ("homepage", 404),
        ("legal_basis[0].url", 404),
    ]
    assert items[1]["identifier"] == "akta-kelahiran" and items[1]["link"]["failing"]


def test_a_success_clears_the_failures(linked, remote):
    run(linked.db, LOOPBACK)
    remote.route("/uu-gone", Response(b"back", "text/plain"))
    run(linked.db, LOOPBACK)
    found = _links(linked)["uu-gone"]
    assert (found.failures, found.failing_since, found.status) == (0, None, 200)


def test_links_no_record_carries_are_forgotten(linked):
    run(linked.db, LOOPBACK)
    with linked.db.transaction() as session:
        (row,) = services.list_services(session, authority=ORG)[1]
        services.retire(session, row.id, SYSTEM)
    run(linked.db, LOOPBACK)
    assert sorted(_links(linked)) == ["home-gone"]


def test_recently_checked_links_wait(linked, remote):
    run(linked.db, LOOPBACK)
    asked = len(remote.requests)
    counts = run(linked.db, LinkPolicy(timeout=1, host_interval=0, allow_private=True))
    assert counts["checked"] == 0 and len(remote.requests) == asked


def test_the_command_checks_the_links(linked, tmp_path, monkeypatch):
    for key, value in {
        "SIMPUL_DATABASE_URL": linked.settings.database_url,
        "SIMPUL_DATA_DIR": str(tmp_path),
        "SIMPUL_SEARCH_PATH": str(tmp_path / "search"),
        "SIMPUL_HARVEST_ALLOW_PRIVATE": "1",
        "SIMPUL_LINK_TIMEOUT": "2",
        "SIMPUL_LINK_HOST_INTERVAL_MS": "0",
    }.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, ["links", "check"])
    assert result.exit_code == 0, result.output
    assert "3 links; checked 3: 1 answered, 2 failed" in result.output


def test_checks_of_one_host_are_spaced(linked):
    polite = LinkPolicy(timeout=1, host_interval=0.2, recheck=timedelta(0), allow_private=True)
    start = time.monotonic()
    run(linked.db, polite)
    # 3 links of one host, each a HEAD (501 here) and a ranged GET: 6 requests 0.2 s apart
    assert time.monotonic() - start >= 1.0
