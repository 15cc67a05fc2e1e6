"""Portal fixtures: a small registry with two agencies, a signed-in browser session (the test
client keeps cookies), and the CSRF token read from a form as a browser would."""

from __future__ import annotations

import re

import pytest

from simpul.registry.indexing import sync
from tests.conftest import service_record

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the form carries no CSRF token"
    return match.group(1)


@pytest.fixture
def agencies(publisher):
    """Disdukcapil of Kota Gorontalo (with a complete birth certificate service) and Dinkes of
    Kabupaten Boalemo; tokens for both."""
    publisher.org("disdukcapil-kota-gorontalo", area="75.71")
    publisher.org("dinkes-boalemo", area="75.02")
    tokens = {
        "disdukcapil-kota-gorontalo": publisher.token("disdukcapil-kota-gorontalo"),
        "dinkes-boalemo": publisher.token("dinkes-boalemo"),
    }
    created = publisher.publish(tokens["disdukcapil-kota-gorontalo"], service_record())
    assert created.status_code == 201, created.get_json()
    sparse = {
        "identifier": "surat-sehat",
        "name": {"id": "Surat Keterangan Sehat", "en": "Health Certificate"},
        "sectors": ["kesehatan"],
        "channels": [{"type": "loket", "address": "Puskesmas Tilamuta"}],
    }
    assert publisher.publish(tokens["dinkes-boalemo"], sparse).status_code == 201
    sync(publisher.registry, publisher.registry.search)
    return {"tokens": tokens, "akta": created.get_json()}


def sign_in(client, token: str, follow: bool = False):
    page = client.get("/publish/sign-in")
    return client.post(
        "/publish/sign-in",
        data={"token": token, "csrf_token": csrf_of(page.get_data(as_text=True))},
        follow_redirects=follow,
    )
