"""The hsds type against an HSDS 3 API on loopback serving the Open Referral examples."""

from __future__ import annotations

import json

import orjson

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


def test_open_referral_services(harvests, remote, shared_data):
    harvests.org()
    example = json.loads((shared_data / "samples/hsds/examples/service_list.json").read_text())
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
    record = next(r for r in live.values() if r["name"] == {"id": "Community Counselling"})
    assert record["description"]["id"].startswith("Counselling Services provided")
    assert {"type": "online", "url": "http://example.com/counselling"} in record["channels"]
    assert record["procedure"][0]["id"].startswith("If you are an NHS patient")
    assert record["original_authority"]["name"] == {"id": "Example Organization Inc."}
    notes = [e for e in harvests.errors(job.id) if e[1] == "note"]
    assert any("could not be read as an amount" in e[2] for e in notes)  # "£50 per hour"
