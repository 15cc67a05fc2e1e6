"""Record -> RDF -> record loses nothing the record model holds (property-based)."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from simpul.reference import codelists
from simpul.registry.schemas import SERVICE_SCHEMA
from simpul.vocab.cpsv_ap_id import parse
from simpul.vocab.export import SharedNodes, record_blocks
from simpul.vocab.writers import write_document

ORG = {
    "id": "disdukcapil-kota-gorontalo",
    "uri": "http://simpul.test/organizations/disdukcapil",
    "name": {"id": "Disdukcapil Kota Gorontalo"},
    "area": "75.71",
    "level": "kabkota",
    "parent_uri": None,
}
TEXT = (
    st.text(
        alphabet=string.ascii_letters + string.digits + " .,;:'\"\\<>&éñ\n\t€ð",
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
LANGMAP = st.builds(lambda i, e: {"id": i, **({"en": e} if e else {})}, TEXT, st.none() | TEXT)
URL = st.sampled_from(["https://a.go.id/x?y=1&z=2", "http://127.0.0.1:8000/p", "https://b.id/"])


def _codes(codes):
    return st.lists(st.sampled_from(list(codes)), unique=True, max_size=3)


CHANNEL = st.one_of(
    st.builds(
        lambda u, n: {"type": "online", "url": u, **({"name": n} if n else {})},
        URL,
        st.none() | LANGMAP,
    ),
    st.builds(lambda u, s: {"type": "api", "url": u, "splp": s}, URL, st.booleans()),
    st.builds(lambda a, h: {"type": "loket", "address": a, "hours": h}, TEXT, LANGMAP),
    st.builds(lambda p: {"type": "telepon", "phone": p}, st.sampled_from(["110", "+62 435 821"])),
)
RECORD = st.fixed_dictionaries(
    {
        "identifier": st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
        "authority": st.just(ORG["id"]),
        "name": LANGMAP,
    },
    optional={
        "description": LANGMAP,
        "keywords": st.lists(TEXT, unique=True, max_size=3),
        "sectors": _codes(codelists.SECTORS),
        "audiences": _codes(codelists.AUDIENCES),
        "life_events": _codes(codelists.LIFE_EVENTS),
        "areas": st.lists(
            st.sampled_from(["75.71", "75.71.01", "75.71.01.1001"]),
            unique=True,
            min_size=1,
            max_size=3,
        ),
        "channels": st.lists(CHANNEL, max_size=3),
        "requirements": st.lists(LANGMAP, max_size=4),
        "procedure": st.lists(LANGMAP, max_size=4),
        "outputs": st.lists(LANGMAP, max_size=2),
        "processing_time": st.sampled_from(["P1D", "PT2H", "P1M", "P1Y2M3DT4H5M6S"]),
        "cost": st.builds(
            lambda a, d: {"amount": a, **({"description": d} if d else {})},
            st.sampled_from([0, 25000, 1.5]),
            st.none() | LANGMAP,
        ),
        "complaints": st.builds(lambda t, u: {"id": t, "url": u}, TEXT, URL),
        "legal_basis": st.lists(
            st.builds(lambda t, i: {"title": t, "identifier": i}, TEXT, TEXT), max_size=3
        ),
        "management": st.builds(
            lambda f, c: {"facilities": f, "staff_count": c}, LANGMAP, st.integers(0, 500)
        ),
        "integration": st.builds(
            lambda s, a: {"status": s, "splp_api": a},
            st.sampled_from(list(codelists.INTEGRATION_STATUSES)),
            TEXT,
        ),
        "contact": st.builds(
            lambda e, p: {"email": e, "phone": p},
            st.sampled_from(["a@b.go.id"]),
            st.sampled_from(["+62 435 1"]),
        ),
        "homepage": URL,
        "languages": st.lists(st.sampled_from(["id", "en", "jv"]), unique=True, min_size=1),
        "status": st.sampled_from(list(codelists.SERVICE_STATUSES)),
    },
)


def _normal(raw: dict) -> dict:
    return SERVICE_SCHEMA.load(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORD, st.sampled_from(["ttl", "nt", "jsonld", "rdfxml"]))
def test_round_trip_is_lossless(raw, fmt):
    data = _normal(raw)
    if "areas" not in data:
        data["areas"] = ["75.71"]
    record = {**data, "uri": "http://simpul.test/services/abc", "level": "kabkota"}
    text = "".join(write_document(fmt, [record_blocks(record, SharedNodes({ORG["id"]: ORG}))]))
    graph = Graph().parse(
        data=text, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    )
    [imported] = parse(graph)
    assert imported.uri == record["uri"]
    assert imported.unmapped == []
    assert _normal(imported.record) == data
