"""The ckan type against a CKAN Action API on loopback: a package_search answer of a data portal
(tests/data) and generated Indonesian service packages with extras."""

from __future__ import annotations

import json

import orjson
import pytest

from tests.data import TEST_DATA
from tests.services.http import Response


def service_package(i: int, modified: str = "2026-01-01T00:00:00.000000") -> dict:
    extras = {
        "persyaratan": "1. Fotokopi KTP\n2. Fotokopi Kartu Keluarga",
        "prosedur": "Isi formulir; Serahkan berkas; Ambil dokumen",
        "jangka_waktu": "3 (tiga) hari kerja",
        "biaya": "Gratis" if i % 2 == 0 else "Rp. 25.000,-",
        "produk": "Surat Keterangan",
        "pengaduan": "SP4N-LAPOR! https://www.lapor.go.id",
        "dasar_hukum": "UU No. 25 Tahun 2009; Perda Kota Gorontalo No. 3 Tahun 2020",
        "sektor": "Kependudukan",
        "kode_wilayah": "75.71",
    }
    return {
        "id": f"pkg-{i:04d}",
        "name": f"layanan-{i}",
        "title": f"Surat Keterangan Nomor {i}",
        "notes": "Penerbitan surat keterangan bagi warga.",
        "metadata_modified": modified,
        "tags": [{"name": "surat", "display_name": "surat"}],
        "organization": {"name": "kota-gorontalo", "title": "Pemerintah Kota Gorontalo"},
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
    }


class Ckan:
    """package_search with start/rows paging and fq filters, as CKAN answers it."""

    def __init__(self, packages, ignore_paging=False):
        self.packages = packages
        self.ignore_paging = ignore_paging

    def __call__(self, request):
        rows, start = int(request.query.get("rows", 10)), int(request.query.get("start", 0))
        chosen = self.packages
        fq = request.query.get("fq", "")
        if "metadata_modified:[" in fq:
            since = fq.split("metadata_modified:[")[1].split(" TO")[0].rstrip("Z")
            chosen = [p for p in chosen if p["metadata_modified"] >= since]
        if self.ignore_paging:
            start = 0
        page = chosen[start : start + rows]
        body = {"success": True, "result": {"count": len(chosen), "results": page}}
        return Response(orjson.dumps(body))


@pytest.fixture
def ckan(harvests, remote):
    harvests.org()
    server = Ckan([service_package(i) for i in range(250)])
    remote.route("/api/3/action/package_search", server)
    harvests.source("ckan", "ckan", remote.base, options={"rows": 100})
    return server


def test_pages_through_package_search_and_maps_extras(harvests, ckan, remote):
    job = harvests.run("ckan")
    assert job.status == "finished" and job.counts["created"] == 250
    starts = [r.query["start"] for r in remote.requests]
    assert starts == ["0", "100", "200"]
    record = harvests.live()["layanan-3"]
    assert record["name"] == {"id": "Surat Keterangan Nomor 3"}
    assert record["requirements"] == [{"id": "Fotokopi KTP"}, {"id": "Fotokopi Kartu Keluarga"}]
    assert record["procedure"] == [
        {"id": "Isi formulir"},
        {"id": "Serahkan berkas"},
        {"id": "Ambil dokumen"},
    ]
    assert record["processing_time"] == "P3D"
    assert record["cost"]["amount"] == 25000 and record["cost"]["currency"] == "IDR"
    assert harvests.live()["layanan-2"]["cost"]["amount"] == 0
    assert record["complaints"]["url"] == "https://www.lapor.go.id"
    assert [b["title"] for b in record["legal_basis"]] == [
        "UU No. 25 Tahun 2009",
        "Perda Kota Gorontalo No. 3 Tahun 2020",
    ]
    assert record["sectors"] == ["kependudukan"]
    assert record["areas"] == ["75.71"]
    assert record["authority"] == "kota-gorontalo"
    assert record["provenance"]["original_uri"] == f"{remote.base}/dataset/layanan-3"


def test_incremental_run_asks_for_packages_modified_since(harvests, ckan, remote):
    harvests.run("ckan")
    ckan.packages[7] = {**service_package(7, "2026-03-01T10:00:00.000000"), "title": "Baru"}
    job = harvests.run("ckan")  # auto: incremental after a recent full pass
    assert job.mode == "incremental"
    assert "metadata_modified:[2026-01-01T00:00:00.000000Z TO *]" in remote.requests[-1].query["fq"]
    assert job.counts["updated"] == 1
    assert harvests.live()["layanan-7"]["name"] == {"id": "Baru"}
    third = harvests.run("ckan")
    assert "2026-03-01T10:00:00.000000Z" in remote.requests[-1].query["fq"]
    assert third.counts.get("seen") == 1 and third.counts["unchanged"] == 1


def test_incremental_runs_never_delete(harvests, ckan):
    harvests.run("ckan")
    del ckan.packages[:3]
    job = harvests.run("ckan", "incremental")
    assert not job.counts.get("deleted") and len(harvests.live()) == 250


def test_organization_filter(harvests, remote):
    harvests.org()
    remote.route("/api/3/action/package_search", Ckan([service_package(1)]))
    harvests.source("c", "ckan", remote.base + "/api/3", options={"organization": "kota-gorontalo"})
    harvests.run("c")
    assert remote.requests[0].query["fq"] == "(organization:kota-gorontalo)"


def test_portal_that_ignores_paging_ends_incomplete(harvests, remote):
    harvests.org()
    remote.route(
        "/api/3/action/package_search",
        Ckan([service_package(i) for i in range(250)], ignore_paging=True),
    )
    harvests.source("c", "ckan", remote.base, options={"rows": 100})
    job = harvests.run("c")
    assert job.status == "incomplete"
    assert "ignores paging" in job.message
    assert job.counts["created"] == 100 and len(remote.requests) == 2


def test_ckan_error_answer(harvests, remote):
    harvests.org()
    body = {
        "success": False,
        "error": {"message": "Access denied", "__type": "Authorization Error"},
    }
    remote.route("/api/3/action/package_search", Response(orjson.dumps(body), status=200))
    harvests.source("c", "ckan", remote.base)
    job = harvests.run("c")
    assert job.status == "failed" and "CKAN says Access denied" in job.message


def test_ckan_dataset_packages_from_a_portal(harvests, remote):
    harvests.org()
    sample = json.loads((TEST_DATA / "samples/ckan-api/package_search.json").read_text())
    remote.route("/api/3/action/package_search", Ckan(sample["result"]["results"]))
    harvests.source("demo", "ckan", remote.base)
    job = harvests.run("demo")
    assert job.status == "finished" and job.counts["created"] == 3
    live = harvests.live()
    assert live["curah-hujan-bulanan-stasiun-djalaluddin"]["keywords"] == [
        "cuaca",
        "curah hujan",
        "iklim",
    ]
    foreign = live["bps-kota-gorontalo.luas-wilayah-menurut-kecamatan-2024"]
    assert foreign["authority"] == "kota-gorontalo"
    assert foreign["original_authority"]["name"] == {"id": "BPS Kota Gorontalo"}
    assert foreign["name"] == {"id": "Luas Wilayah (km²) menurut Kecamatan – 2024"}
    assert job.gaps["requirements"] == 3  # datasets, not services: the gaps say so
