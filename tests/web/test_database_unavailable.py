"""A database that does not answer (restarting, unreachable) is a 503 with Retry-After, which a
client may retry, not a 500 (found by the resilience test while PostgreSQL restarted)."""

from __future__ import annotations

from tests.conftest import running_app, service_record
from tests.services.ports import closed_port


def test_a_database_that_does_not_answer_is_a_503_with_retry_after(tmp_path):
    with (
        closed_port() as port,
        running_app(f"postgresql://simpul@127.0.0.1:{port}/x", tmp_path) as app,
    ):
        client = app.test_client()
        for response in (
            client.get("/api/v1/services"),
            client.post(
                "/api/v1/services",
                json=service_record(),
                headers={"Authorization": "Bearer spl_abcd_secret"},
            ),  # fmt: skip
        ):
            assert response.status_code == 503, response.get_data(as_text=True)
            assert int(response.headers["Retry-After"]) > 0
            assert response.get_json()["code"] == "database-unavailable"
