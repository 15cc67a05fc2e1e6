"""The agency's service types in the publisher portal: offered, declared and gap types, and the
form (no JavaScript) that declares a type not offered, in Indonesian and English, refusing what
the API refuses and other agencies' organizations."""

from __future__ import annotations

import pytest

from simpul.registry import types
from simpul.registry.auth import SYSTEM
from tests.web.portal.conftest import csrf_of, sign_in

BOALEMO, DUKCAPIL = "dinkes-boalemo", "disdukcapil-kota-gorontalo"


@pytest.fixture
def typed(agencies, publisher):
    with publisher.registry.db.transaction() as session:
        for type_id, name in (("akta-kelahiran", "Penerbitan Akta Kelahiran"), ("ppdb", "PPDB")):
            raw = {
                "id": type_id,
                "name": {"id": name, "en": f"{name} (en)"},
                "kind": "pendaftaran",
                "applies_to": ["kabkota"],
                "mandatory_at": ["kabkota"] if type_id == "ppdb" else [],
            }
            types.create_type(session, raw, SYSTEM, base_uri="https://x", provenance={})
    return agencies


def _post(client, url, fields):
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return client.post(url, data={**fields, "csrf_token": csrf_of(page.get_data(as_text=True))})


def test_the_agency_sees_its_types_with_gaps(client, typed):
    sign_in(client, typed["tokens"][BOALEMO])
    page = client.get("/publish/types").get_data(as_text=True)
    assert "Jenis layanan Dinkes Boalemo" in page
    assert "Penerbitan Akta Kelahiran" in page and "Belum diketahui" in page
    assert "<strong>Celah</strong>" in page  # ppdb is mandatory and unknown
    assert "/publish/types/ppdb/declare?org=dinkes-boalemo" in page
    english = client.get("/publish/types?lang=en").get_data(as_text=True)
    assert "Service types of Dinkes Boalemo" in english and "<strong>Gap</strong>" in english
    assert "/publish/types" in client.get("/publish").get_data(as_text=True)


def test_declaring_not_offered_needs_a_reason_and_then_shows(client, typed):
    sign_in(client, typed["tokens"][BOALEMO])
    url = f"/publish/types/ppdb/declare?org={BOALEMO}"
    refused = _post(client, url, {"status": "not-offered", "reason.id": " "})
    assert refused.status_code == 422
    assert "Pernyataan tidak disimpan" in refused.get_data(as_text=True)
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    saved = _post(client, url, {"status": "not-offered", "reason.id": "bukan kewenangan"})
    assert saved.status_code == 302 and saved.headers["Location"].startswith("/publish/types")
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "bukan kewenangan" in page and "<strong>Celah</strong>" not in page
    assert "Tidak tersedia" in page
    api = client.get(f"/api/v1/organizations/{BOALEMO}/types").get_json()
    assert api["counts"]["not-offered"] == 1 and api["gaps"] == []
    withdrawn = client.post(
        "/publish/types/ppdb/withdraw", data={"org": BOALEMO, "csrf_token": csrf_of(page)}
    )
    assert withdrawn.status_code == 302
    assert client.get(f"/api/v1/organizations/{BOALEMO}/types").get_json()["gaps"] == ["ppdb"]


def test_a_cover_names_an_organization_that_exists(client, typed):
    sign_in(client, typed["tokens"][BOALEMO])
    url = f"/publish/types/ppdb/declare?org={BOALEMO}"
    refused = _post(client, url, {"status": "covered", "covered_by": "dinkes-boalemo"})
    assert refused.status_code == 422 and "covered by itself" in refused.get_data(as_text=True)
    saved = _post(client, url, {"status": "covered", "covered_by": DUKCAPIL})
    assert saved.status_code == 302
    api = client.get(f"/api/v1/organizations/{BOALEMO}/types").get_json()
    assert api["items"][1]["declaration"]["covered_by"] == DUKCAPIL


def test_another_agency_sees_no_form_and_is_refused(client, typed):
    sign_in(client, typed["tokens"][DUKCAPIL])
    page = client.get(f"/publish/types?org={BOALEMO}").get_data(as_text=True)
    assert "/declare" not in page  # not its organization: no forms
    refused = client.get(f"/publish/types/ppdb/declare?org={BOALEMO}")
    assert refused.status_code == 403
    assert client.get("/api/v1/organizations/dinkes-boalemo/types").get_json()["gaps"] == ["ppdb"]
