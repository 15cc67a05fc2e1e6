"""The json type's pagination styles and a source that fails mid-run."""

from __future__ import annotations

import orjson
import pytest

from tests.services.http import Response

ITEMS = [{"kode": f"k{i:03d}", "judul": f"Layanan {i}"} for i in range(23)]
FIELDS = {"identifier": "kode", "name": "judul"}


def by_page(request):
    number, size = int(request.query.get("halaman", 1)), int(request.query.get("per", 10))
    return Response(orjson.dumps({"data": ITEMS[(number - 1) * size : number * size]}))


def by_offset(request):
    start, size = int(request.query.get("offset", 0)), int(request.query.get("limit", 10))
    return Response(orjson.dumps({"results": ITEMS[start : start + size]}))


def by_cursor(request):
    start = int(request.query.get("after") or 0)
    chunk = ITEMS[start : start + 10]
    following = str(start + 10) if start + 10 < len(ITEMS) else None
    return Response(orjson.dumps({"items": chunk, "meta": {"next": following}}))


def by_link_header(request):
    start = int(request.query.get("from", 0))
    headers = {}
    if start + 10 < len(ITEMS):
        headers["Link"] = f'</layanan?from={start + 10}>; rel="next", </layanan>; rel="first"'
    return Response(orjson.dumps(ITEMS[start : start + 10]), headers=headers)


@pytest.mark.parametrize(
    "handler, pagination",
    [
        (by_page, {"style": "page", "param": "halaman", "size_param": "per", "size": 10}),
        (by_offset, {"style": "offset", "size_param": "limit", "size": 10}),
        (by_cursor, {"style": "cursor", "param": "after", "cursor_path": "meta.next"}),
        (by_link_header, {"style": "next"}),
    ],
    ids=["page", "offset", "cursor", "link-header"],
)
def test_pagination_styles(harvests, remote, handler, pagination):
    harvests.org()
    url = remote.route("/layanan", handler)
    options = {"key": "kode", "fields": FIELDS, "pagination": pagination}
    harvests.source("p", "json", url, options=options)
    job = harvests.run("p")
    assert job.status == "finished", job.message
    assert job.counts["created"] == 23 and not job.counts.get("duplicates")
    assert len(remote.requests) == 3


def test_source_failing_mid_run_keeps_what_it_read_and_deletes_nothing(harvests, remote):
    harvests.org()
    url = remote.route("/layanan", by_page)
    options = {
        "key": "kode",
        "fields": FIELDS,
        "pagination": {"style": "page", "param": "halaman", "size_param": "per", "size": 10},
        "fetch": {"retries": 1, "backoff": 0.01},
    }
    harvests.source("p", "json", url, options=options)
    harvests.run("p")

    def broken_second_page(request):
        if request.query.get("halaman") == "2":
            return Response(b"Internal Server Error", "text/plain", status=500)
        return by_page(request)

    remote.route("/layanan", broken_second_page)
    job = harvests.run("p")
    assert job.status == "incomplete"
    assert "HTTP 500" in job.message and "after 2 attempts" in job.message
    assert job.counts["unchanged"] == 10 and not job.counts.get("deleted")
    assert job.counts["kept_unseen"] == 13
    assert len(harvests.live()) == 23


def test_incremental_json_source_sends_the_newest_modification(harvests, remote):
    harvests.org()
    stamps = {"k001": "2026-10-01T00:00:00Z", "k002": "2026-11-01T00:00:00Z"}
    items = [{**i, "diubah": stamps.get(i["kode"], "2026-01-01T00:00:00Z")} for i in ITEMS]
    url = remote.route("/layanan", Response(orjson.dumps(items)))
    options = {"key": "kode", "fields": FIELDS, "modified": "diubah", "since_param": "diubah_sejak"}
    harvests.source("p", "json", url, options=options)
    harvests.run("p")
    job = harvests.run("p")
    assert job.mode == "incremental"
    assert remote.requests[-1].query["diubah_sejak"] == "2026-11-01T00:00:00Z"
