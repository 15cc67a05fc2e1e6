"""The hsds type against an HSDS 3 API on loopback serving a service in the HSDS 3 shape."""

from __future__ import annotations

import json

import orjson

from tests.data import TEST_DATA
from tests.services.http import Response


def hsds_pages(services: list[dict], per_page_default: int = 100):
    def page(request):
        number = int(request.query.get("page", 1))
        size = int(request.query.get("per_page", per_page_default))
        chunk = services[(number - 1) * size : number * size]
        pages = max(1, -(-len(services) // size))
        body = {
            "total_items": len(services),
            "total_pages": pages,
            "page_number": number,
            "size": size,
            "first_page": number == 1,
            "last_page": number >= pages,
            "empty": not chunk,
            "contents": chunk,
        }
        return Response(orjson.dumps(body))

    return page


def test_open_referral_services(harvests, remote):
    harvests.org()
    example = json.loads((TEST_DATA / "samples/hsds/service_list.json").read_text())
    [service] = example["contents"]
    services = [service] + [
        {**service, "id": f"svc-{n}", "name": f"{service['name']} {n}"} for n in range(150)
    ]
    remote.route("/hsds/services", hsds_pages(services))
    harvests.source("referral", "hsds", remote.url("/hsds"))
    job = harvests.run("referral")
    assert job.status == "finished", job.message
    assert job.counts["created"] == 151, (job.counts, harvests.errors(job.id)[:3])
    assert [r.query["page"] for r in remote.requests] == ["1", "2"]
    live = harvests.live()
    record = next(r for r in live.values() if r["name"] == {"id": "Layanan Konseling Keluarga"})
    assert record["description"]["id"].startswith("Konseling bagi orang tua, anak, dan pasangan")
    url = "https://puspaga.gorontalokota.example/konseling"
    assert {"type": "online", "url": url} in record["channels"]
    assert record["procedure"][0]["id"].startswith("Daftar melalui formulir daring")
    assert record["original_authority"]["name"] == {
        "id": "Dinas Pemberdayaan Perempuan dan Perlindungan Anak Kota Gorontalo"
    }
    notes = [e for e in harvests.errors(job.id) if e[1] == "note"]
    # the fee is written in words ("lima puluh ribu rupiah per jam")
    assert any("could not be read as an amount" in e[2] for e in notes)
