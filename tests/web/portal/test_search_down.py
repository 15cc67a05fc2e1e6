"""With the search server down (a loopback port nobody listens on), pages that need it say so
with a 503 and Retry-After, the rest of the portal and every write go on."""

from __future__ import annotations

import pytest

from tests.conftest import running_app, service_record
from tests.services.ports import closed_port


@pytest.fixture
def app(database_url, tmp_path):
    with (
        closed_port() as port,
        running_app(database_url, tmp_path, search_url=f"http://127.0.0.1:{port}") as app,
    ):
        yield app


def test_search_down(client, publisher):
    publisher.org("disdukcapil-kota-gorontalo", area="75.71")
    token = publisher.token("disdukcapil-kota-gorontalo")
    created = publisher.publish(token, service_record())
    assert created.status_code == 201  # writes never wait for the index

    home = client.get("/")
    assert home.status_code == 200 and "Temukan layanan publik" in home.get_data(as_text=True)
    page = client.get("/search?q=akta")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Pencarian sedang tidak tersedia" in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=akta")
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.get_json()["code"] == "search-unavailable"
    assert client.get("/api/v1/suggest?q=akta").status_code == 503
    service = client.get(f"/services/{created.get_json()['id']}", headers={"Accept": "text/html"})
    assert service.status_code == 200
    assert client.get("/health").status_code == 503
