"""The counts the health check, the node description and the audit pages show, against records
published through the API."""

from __future__ import annotations

import pytest

from simpul.registry import stats
from tests.conftest import service_record

CITY = "disdukcapil-kota-gorontalo"
OTHER = "dinkes-kab-boalemo"
MINIMAL = {  # 2 of the 14 components of the service standard
    "name": {"id": "Surat Keterangan Sehat"},
    "description": {"id": "Surat sehat."},
    "processing_time": "PT2H",
    "cost": {"amount": 10000, "currency": "IDR"},
}


@pytest.fixture
def counts(registry):
    def read(fn, *args):
        with registry.db.session() as session:
            return fn(session, *args)

    return read


def test_an_empty_node_counts_nothing(counts):
    assert counts(stats.live_services) == 0
    assert counts(stats.last_change) == 0
    assert counts(stats.record_counts) == {"services": 0, "tombstones": 0, "organizations": 0}
    assert counts(stats.completeness_summary) == []


def test_counts_follow_publishing_and_retiring(publisher, client, counts):
    publisher.org(CITY, "kabkota", "75.71")
    publisher.org(OTHER, "kabkota", "75.02")
    city, other = publisher.token(CITY), publisher.token(OTHER)
    ids = []
    for name in ("akta-kelahiran", "kartu-keluarga", "ktp-el"):
        response = publisher.publish(city, service_record(name, authority=CITY))
        assert response.status_code == 201
        ids.append(response.get_json()["id"])
    response = publisher.publish(other, {"identifier": "sks", "authority": OTHER, **MINIMAL})
    assert response.status_code == 201, response.get_json()
    assert counts(stats.live_services) == 4
    assert counts(stats.last_change) == 4
    response = client.delete(f"/api/v1/services/{ids[0]}", headers=publisher.auth(city))
    assert response.status_code == 200, response.get_json()
    assert counts(stats.live_services) == 3
    assert counts(stats.record_counts) == {"services": 3, "tombstones": 1, "organizations": 2}
    assert counts(stats.last_change) == 5  # the deletion is a change too


def test_completeness_summary_per_organization(publisher, counts):
    publisher.org(CITY, "kabkota", "75.71")
    publisher.org(OTHER, "kabkota", "75.02")
    city, other = publisher.token(CITY), publisher.token(OTHER)
    assert publisher.publish(city, service_record("a", authority=CITY)).status_code == 201
    assert publisher.publish(city, service_record("b", authority=CITY)).status_code == 201
    minimal = {"identifier": "sks", "authority": OTHER, **MINIMAL}
    assert publisher.publish(other, minimal).status_code == 201
    summary = counts(stats.completeness_summary)
    assert [row["organization"] for row in summary] == sorted([CITY, OTHER])
    by_org = {row["organization"]: row for row in summary}
    assert by_org[CITY] == {
        "organization": CITY,
        "services": 2,
        "completeness": 1.0,  # the complete test record fills all 14 components
        "complete": 2,
    }
    assert by_org[OTHER]["services"] == 1
    assert by_org[OTHER]["complete"] == 0
    assert by_org[OTHER]["completeness"] == round(2 / 14, 2)
    assert counts(stats.completeness_summary, OTHER) == [by_org[OTHER]]
    assert counts(stats.completeness_summary, "nobody") == []
