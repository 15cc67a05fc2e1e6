"""Evidence moves the roadmap: an API the gateway harvester links makes the service's items
terintegrasi; the API vanishing moves them back to proses-integrasi with a note."""

from __future__ import annotations

from simpul.registry import roadmap
from tests.harvesters.types.test_apigateway import Devportal, api, gateway  # noqa: F401


def _item(client, service_id):
    return client.get(f"/api/v1/roadmap/2/items/{service_id}").get_json()


def test_a_linked_api_integrates_and_its_vanishing_moves_back(harvests, gateway, client):  # noqa: F811
    with harvests.registry.db.transaction() as session:
        roadmap.seed(session)
    akta = harvests.live()["akta-kelahiran"]["id"]
    before = _item(client, akta)
    assert before["status"] == "direncanakan"
    assert harvests.run("splp").status == "finished"
    item = _item(client, akta)
    assert item["status"] == "terintegrasi"
    assert item["history"][-1]["by"] == "harvester"
    assert "LayananApi1" in item["history"][-1]["note"]
    assert harvests.run("splp").status == "finished"  # unchanged: no new history
    assert len(_item(client, akta)["history"]) == 1
    gateway.apis[:] = [a for a in gateway.apis if not a["id"].startswith("00000001")]
    assert harvests.run("splp").status == "finished"
    item = _item(client, akta)
    assert item["status"] == "proses-integrasi"
    assert "vanished" in item["history"][-1]["note"]
