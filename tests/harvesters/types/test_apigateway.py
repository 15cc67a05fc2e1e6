"""The api-gateway type against a WSO2-style Developer Portal on loopback: paged API lists,
details with gateway URLs, OpenAPI documents; linked APIs become channels, the rest wait in the
integration inventory."""

from __future__ import annotations

import orjson
import pytest

from tests.services.http import Response

PREFIX = "/api/am/devportal/v3"


def api(i: int, link: str | None = None, how: str = "tag") -> dict:
    entry = {
        "id": f"0000000{i}-aaaa-bbbb-cccc-dddddddddddd",
        "name": f"LayananApi{i}",
        "description": f"API nomor {i}",
        "context": f"/layanan/{i}",
        "version": "1.0.0",
        "provider": "admin",
        "lifeCycleStatus": "PUBLISHED",
        "tags": ["splp"],
        "additionalProperties": [],
    }
    if link and how == "tag":
        entry["tags"].append(f"layanan:{link}")
    elif link:
        entry["additionalProperties"].append({"name": "layanan", "value": link, "display": True})
    return entry


class Devportal:
    def __init__(self, remote, apis):
        self.apis = apis
        remote.route(f"{PREFIX}/apis", self.listing)
        for entry in apis:
            remote.route(f"{PREFIX}/apis/{entry['id']}", self.details(entry))
            remote.route(f"{PREFIX}/apis/{entry['id']}/swagger", self.swagger(entry))

    def listing(self, request):
        limit, offset = int(request.query["limit"]), int(request.query["offset"])
        page = self.apis[offset : offset + limit]
        body = {
            "count": len(page),
            "list": page,
            "pagination": {"offset": offset, "limit": limit, "total": len(self.apis)},
        }
        return Response(orjson.dumps(body))

    @staticmethod
    def details(entry):
        body = {
            **entry,
            "endpointURLs": [
                {
                    "environmentName": "Default",
                    "environmentType": "hybrid",
                    "URLs": {
                        "http": f"http://gw.splp.go.id{entry['context']}/1.0.0",
                        "https": f"https://gw.splp.go.id{entry['context']}/1.0.0",
                    },
                }
            ],
        }
        return Response(orjson.dumps(body))

    @staticmethod
    def swagger(entry):
        document = {
            "openapi": "3.0.1",
            "info": {"title": entry["name"], "version": "1.0.0"},
            "paths": {"/status": {"get": {}}, "/permohonan": {"post": {}, "get": {}}},
        }
        return Response(orjson.dumps(document))


@pytest.fixture
def gateway(harvests, remote, publisher):
    harvests.org()
    token = publisher.token("kota-gorontalo")
    for identifier in ("akta-kelahiran", "izin-usaha"):
        record = {"identifier": identifier, "name": {"id": identifier.replace("-", " ")}}
        assert publisher.publish(token, record).status_code == 201
    apis = [api(1, "akta-kelahiran"), api(2, "izin-usaha", how="property")]
    apis += [api(i) for i in range(3, 8)]  # no rule links these
    portal = Devportal(remote, apis)
    harvests.source("splp", "api-gateway", remote.base, options={"limit": 3})
    return portal


def test_linked_apis_become_channels_and_the_rest_wait_in_the_inventory(harvests, gateway, client):
    job = harvests.run("splp")
    assert job.status == "finished", job.message
    assert job.counts["linked"] == 2 and job.counts["unlinked"] == 5
    akta = harvests.live()["akta-kelahiran"]
    [channel] = akta["channels"]
    assert channel == {
        "type": "api",
        "url": "https://gw.splp.go.id/layanan/1/1.0.0",
        "splp": True,
        "name": {"id": "LayananApi1 1.0.0"},
        "description": {"id": "API nomor 1"},
    }
    assert akta["integration"]["status"] == "integrated"
    assert akta["provenance"]["method"] == "api"  # still the agency's record
    assert akta["version"] == 2
    body = client.get("/api/v1/integration/apis?status=unlinked").get_json()
    assert body["total"] == 5
    assert {i["operations"] for i in body["items"]} == {3}
    linked = client.get("/api/v1/integration/apis?status=linked").get_json()["items"]
    assert {i["service"]["identifier"] for i in linked} == {"akta-kelahiran", "izin-usaha"}
    again = harvests.run("splp")
    assert again.counts["unchanged"] == 7
    assert harvests.live()["akta-kelahiran"]["version"] == 2


def test_an_edit_by_another_source_keeps_the_channel(harvests, gateway, remote):
    harvests.run("splp")
    items = [{"identifier": "izin-usaha", "name": {"id": "Izin Usaha Baru"}}]
    remote.route("/portal", Response(orjson.dumps(items)))
    harvests.source(
        "portal", "json", remote.url("/portal"), options={"key": "identifier"}, priority=10
    )
    # a hand-published record is not overwritten; make it a harvested one first
    with harvests.registry.db.transaction() as session:
        from sqlalchemy import update

        from simpul.registry.models import Service

        session.execute(
            update(Service)
            .where(Service.identifier == "izin-usaha")
            .values(provenance={"method": "harvest", "source": "old"})
        )
    harvests.run("portal")
    record = harvests.live()["izin-usaha"]
    assert record["name"] == {"id": "Izin Usaha Baru"}
    assert [c["type"] for c in record["channels"]] == ["api"]


def test_a_vanished_api_takes_its_channel_away(harvests, gateway):
    harvests.run("splp")
    gateway.apis[:] = [a for a in gateway.apis if not a["id"].startswith("00000001")]
    job = harvests.run("splp")
    assert job.status == "finished"
    akta = harvests.live()["akta-kelahiran"]
    assert "channels" not in akta
    assert akta["integration"]["status"] == "assessed"
    assert len(harvests.live()) == 2  # the service itself stays
