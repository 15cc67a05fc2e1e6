"""Rate limits per client address: failed tokens and sign-ins, and the unauthenticated SHACL
validator, with its size and cost limits. Counters are the app's own (in memory by default)."""

from __future__ import annotations

import pytest

from tests.conftest import Publisher, running_app, service_record
from tests.web.portal.conftest import csrf_of

PROBLEM = "application/problem+json"
ORG = "disdukcapil-kota-gorontalo"
BAD = {"Authorization": "Bearer spl_nope_wrongsecret"}


def _post(client, headers, addr="127.0.0.1", identifier="x"):
    return client.post(
        "/api/v1/services",
        json=service_record(identifier),
        headers=headers,
        environ_base={"REMOTE_ADDR": addr},
    )


def assert_limited(response):
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0
    return response


def test_failed_tokens_are_limited_per_client(client, publisher):
    good = publisher.auth(publisher.token(publisher.org(ORG)))
    statuses = [_post(client, BAD).status_code for _ in range(30)]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    limited = assert_limited(_post(client, BAD))
    assert limited.mimetype == PROBLEM
    body = limited.get_json()
    assert body["code"] == "too-many-requests" and "failed authentication" in body["detail"]
    # the blocked client is blocked for the window, even with a right token...
    assert_limited(_post(client, good))
    # ...but it still reads, and another client is not affected at all
    assert client.get("/api/v1/services").status_code == 200
    assert _post(client, good, addr="10.0.0.2").status_code == 201
    assert _post(client, BAD, addr="10.0.0.2").status_code == 401


def test_successes_are_not_counted(client, publisher):
    good = publisher.auth(publisher.token(publisher.org(ORG)))
    for n in range(25):
        assert _post(client, good, identifier=f"s{n}").status_code == 201
    assert _post(client, BAD).status_code == 401


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(database_url, tmp_path):
    spoofed = [{**BAD, "X-Forwarded-For": f"10.1.0.{n}"} for n in range(25)]
    with running_app(database_url, tmp_path / "a") as app:
        client = app.test_client()
        statuses = [_post(client, headers).status_code for headers in spoofed]
        assert statuses[-1] == 429  # one client, whatever it claims
    with running_app(database_url, tmp_path / "b", proxy_hops=1) as app:
        client = app.test_client()
        statuses = [_post(client, headers).status_code for headers in spoofed]
        assert set(statuses) == {401}  # behind one trusted proxy: 25 clients


def test_failed_sign_ins_are_limited(client, publisher):
    token = publisher.token(publisher.org(ORG))
    csrf = csrf_of(client.get("/publish/sign-in").get_data(as_text=True))
    wrong = {"token": "spl_nope_nope", "csrf_token": csrf}
    assert [client.post("/publish/sign-in", data=wrong).status_code for _ in range(20)] == [
        401
    ] * 20
    page = assert_limited(
        client.post("/publish/sign-in", data=wrong, headers={"Accept": "text/html"})
    )
    assert page.mimetype == "text/html"
    right = {"token": token, "csrf_token": csrf}
    assert_limited(client.post("/publish/sign-in", data=right))
    assert client.get("/publish/sign-in").status_code == 200  # the form itself still shows
    other = client.post("/publish/sign-in", data=right, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert other.status_code == 302


TURTLE = (
    "@prefix cpsv: <http://purl.org/vocab/cpsv#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
)


def _services(n: int) -> str:
    return TURTLE + "".join(
        f'<http://x.example/s{i}> a cpsv:PublicService ; dct:title "Layanan {i}"@id .\n'
        for i in range(n)
    )


def test_validate_is_rate_limited_per_client(database_url, tmp_path):
    with running_app(database_url, tmp_path, validate_rate_limit="3/minute") as app:
        client = app.test_client()

        def validate(addr="127.0.0.1"):
            return client.post(
                "/api/v1/validate",
                data=_services(1),
                content_type="text/turtle",
                environ_base={"REMOTE_ADDR": addr},
            )

        assert [validate().status_code for _ in range(3)] == [200] * 3
        limited = assert_limited(validate())
        assert limited.mimetype == PROBLEM and "3 per 1 minute" in limited.get_json()["detail"]
        assert validate("10.0.0.4").status_code == 200


def test_validate_caps_size_triples_and_nodes(database_url, tmp_path):
    with running_app(
        database_url,
        tmp_path,
        validate_max_bytes=4096,
        validate_max_triples=50,
        validate_max_nodes=5,
        validate_rate_limit="1000/minute",
    ) as app:
        client = app.test_client()

        def validate(body, content_type="text/turtle"):
            return client.post("/api/v1/validate", data=body, content_type=content_type)

        big = validate(TURTLE + "# " + "x" * 5000 + "\n")
        assert big.status_code == 413 and "4096 bytes" in big.get_json()["detail"]
        assert validate(_services(5)).status_code == 200
        nodes = validate(_services(6))
        assert nodes.status_code == 413 and nodes.get_json()["nodes"] == 6
        triples = "".join(f"<http://x.example/a> <http://x.example/p> {i} .\n" for i in range(51))
        many = validate(triples)
        assert many.status_code == 413 and many.get_json()["triples"] == 51
        record = Publisher(app.extensions["simpul"], client)
        record.org(ORG)
        as_json = client.post(
            "/api/v1/validate", json=service_record(authority=ORG, notes="x" * 5000)
        )
        assert as_json.status_code == 413


@pytest.mark.parametrize(
    ("name", "value"),
    [("auth_failure_limit", "lots"), ("validate_rate_limit", "3 per fortnight")],
)
def test_rates_are_checked_when_settings_load(name, value):
    from simpul.config import load_settings
    from simpul.errors import ConfigError

    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, environ={})
