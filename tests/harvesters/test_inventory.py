"""The integration inventory of gateway APIs: what it records of each API, which service a rule
links it to (and when it stays unlinked), the ``api`` channel a linked API adds, its re-application
to records a harvest writes, and the withdrawal of an API that vanished."""

from __future__ import annotations

import pytest

from simpul.harvesters import inventory
from simpul.harvesters.sources import create_source
from simpul.registry.auth import SYSTEM
from simpul.registry.models import Service
from simpul.registry.services import OrgInfo, Prepared, content_hash
from tests.conftest import service_record

ORG = "disdukcapil-kota-gorontalo"
WRITABLE = {ORG: OrgInfo(ORG, "kabkota", "75.71")}
GATEWAY = "https://splp.example.go.id/gw/akta/1.0"


def entry(**fields) -> dict:
    return {
        "source": "splp",
        "key": "api-akta",
        "name": "API Akta Kelahiran",
        "version": "1.0",
        "context": "/akta",
        "description": "Layanan data akta kelahiran",
        "provider": "dukcapil",
        "gateway_url": GATEWAY,
        "operations": 3,
        "openapi_version": "3.0.1",
        "link": "akta-kelahiran",
        **fields,
    }


@pytest.fixture
def gateway(registry, publisher):
    """A published service and an API gateway source of its organization."""
    publisher.publish_one(ORG, channels=[{"type": "online", "url": "https://dukcapil.go.id"}])
    with registry.db.transaction() as session:
        raw = {"id": "splp", "type": "api-gateway", "url": "https://splp.example.go.id/"}
        create_source(session, {**raw, "organization": ORG})
    return registry


def service(registry, identifier="akta-kelahiran") -> dict:
    with registry.db.session() as session:
        row = session.query(Service).filter_by(authority=ORG, identifier=identifier).one()
        return {"data": row.data, "provenance": row.provenance}


def link(registry, item: dict):
    with registry.db.transaction() as session:
        row = inventory.upsert(session, "splp", item)
        session.flush()
        return inventory.link(session, row, item, WRITABLE, SYSTEM, "http://simpul.test")


def listed(registry, **filters) -> list[dict]:
    with registry.db.session() as session:
        rows = inventory.list_inventory(session, **filters)
        return [inventory.inventory_to_dict(r) for r in rows]


def test_an_api_channel_names_the_api_and_its_version():
    channel = inventory.api_channel(entry())
    assert channel == {
        "type": "api",
        "url": GATEWAY,
        "splp": True,
        "name": {"id": "API Akta Kelahiran 1.0"},
        "description": {"id": "Layanan data akta kelahiran"},
    }
    bare = inventory.api_channel(entry(version=None, description=None))
    assert bare["name"] == {"id": "API Akta Kelahiran"} and "description" not in bare


def test_merging_replaces_the_channel_with_the_same_url_and_marks_integrated():
    record = service_record(
        channels=[{"type": "api", "url": GATEWAY, "splp": True}, {"type": "online", "url": "u"}]
    )
    out = inventory.merged(record, [inventory.api_channel(entry())])
    assert [c["url"] for c in out["channels"]] == ["u", GATEWAY]
    assert out["integration"] == {"status": "integrated", "splp_api": "API Akta Kelahiran 1.0"}
    assert record["integration"]["status"] == "inventoried"  # the input is left as it was


def test_merging_keeps_an_api_name_already_given():
    record = service_record(integration={"status": "assessed", "splp_api": "Nama Lama"})
    out = inventory.merged(record, [inventory.api_channel(entry())])
    assert out["integration"]["splp_api"] == "Nama Lama"


def test_without_the_last_gateway_api_the_service_is_no_longer_integrated():
    record = inventory.merged(service_record(channels=[]), [inventory.api_channel(entry())])
    out = inventory.without(record, {GATEWAY})
    assert "channels" not in out
    assert out["integration"] == {"status": "assessed"}


def test_without_one_api_of_two_the_service_stays_integrated():
    other = inventory.api_channel(entry(gateway_url="https://splp.example.go.id/gw/kk"))
    record = inventory.merged(service_record(channels=[]), [inventory.api_channel(entry()), other])
    out = inventory.without(record, {GATEWAY})
    assert GATEWAY not in [c["url"] for c in out["channels"]]
    assert out["integration"]["status"] == "integrated"


def test_the_inventory_records_what_the_gateway_says_of_an_api(gateway):
    link(gateway, entry(link=None))
    [api] = listed(gateway)
    assert api["source"] == "splp" and api["key"] == "api-akta"
    assert api["name"] == "API Akta Kelahiran" and api["version"] == "1.0"
    assert api["provider"] == "dukcapil" and api["operations"] == 3
    assert api["gateway_url"] == GATEWAY and api["openapi_version"] == "3.0.1"
    assert api["status"] == "unlinked" and api["service"] is None
    assert api["modified"]


def test_a_second_harvest_updates_the_same_entry(gateway):
    link(gateway, entry(link=None))
    link(gateway, entry(link=None, name="API Akta v2", operations=5))
    [api] = listed(gateway)
    assert api["name"] == "API Akta v2" and api["operations"] == 5


def test_a_linked_api_becomes_a_channel_of_the_service(gateway):
    service_id, outcome = link(gateway, entry())
    assert service_id and outcome == "updated"
    record = service(gateway)
    assert GATEWAY in [c["url"] for c in record["data"]["channels"]]
    assert record["data"]["integration"]["status"] == "integrated"
    assert record["provenance"]["apis_from"] == "splp"
    [api] = listed(gateway, status="linked")
    assert api["service"] == {"authority": ORG, "identifier": "akta-kelahiran"}
    assert link(gateway, entry())[1] == "unchanged"


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"link": None}, "no mapping rule links it"),
        ({"gateway_url": None}, "the gateway gives no URL"),
        ({"link": "layanan-entah"}, "no live service 'layanan-entah'"),
    ],
)
def test_an_api_no_rule_links_stays_unlinked_saying_why(gateway, fields, why):
    service_id, outcome = link(gateway, entry(**fields))
    assert service_id is None
    assert outcome.startswith("unlinked") and why in outcome
    assert [a["status"] for a in listed(gateway)] == ["unlinked"]
    assert GATEWAY not in [c.get("url") for c in service(gateway)["data"]["channels"]]


def test_the_inventory_is_filtered_by_status_and_source(gateway):
    link(gateway, entry())
    link(gateway, entry(key="api-kk", name="API KK", link=None))
    assert [a["key"] for a in listed(gateway, status="unlinked")] == ["api-kk"]
    assert [a["key"] for a in listed(gateway, status="linked")] == ["api-akta"]
    assert len(listed(gateway, source="splp")) == 2
    assert listed(gateway, source="other") == []


def test_a_harvest_rewriting_the_service_keeps_its_api_channel(gateway):
    link(gateway, entry())
    rewritten = {**service(gateway)["data"], "channels": []}
    batch = [Prepared(rewritten, content_hash(rewritten), WRITABLE[ORG])]
    with gateway.db.session() as session:
        [out] = inventory.overlay(session, batch)
    assert [c["url"] for c in out.data["channels"]] == [GATEWAY]
    assert out.content_hash == content_hash(out.data)


def test_overlay_leaves_records_without_linked_apis_alone(gateway):
    link(gateway, entry(link=None))
    data = service(gateway)["data"]
    batch = [Prepared(data, content_hash(data), WRITABLE[ORG])]
    with gateway.db.session() as session:
        assert inventory.overlay(session, batch) == batch
        assert inventory.overlay(session, []) == []


def test_a_vanished_api_leaves_the_inventory_and_the_service(gateway):
    link(gateway, entry())
    with gateway.db.transaction() as session:
        changed = inventory.withdraw(
            session, "splp", ["api-akta"], WRITABLE, SYSTEM, "http://simpul.test"
        )
    assert changed == 1
    assert listed(gateway) == []
    data = service(gateway)["data"]
    assert GATEWAY not in [c.get("url") for c in data.get("channels", [])]
    assert data["integration"]["status"] == "assessed"
