"""Service types in search, on every backend (embedded, Elasticsearch, OpenSearch): a type's
names reach its instances without outranking a record's own name; ``group=type`` gives one hit
per type, its instance of the asked area first; the ``type`` filter and facet."""

from __future__ import annotations

import itertools

import pytest

from simpul.search import grouping
from simpul.search.base import build_query, document
from simpul.search.features import ALL
from simpul.search.testing import record

_names = itertools.count()

BIRTH = {
    "name": {"id": "Penerbitan Akta Kelahiran", "en": "Birth Certificate Issuance"},
    "alt_names": {
        "id": ["Pembuatan Akta Kelahiran", "Akte Lahir", "Pencatatan Kelahiran"],
        "en": ["Birth registration", "Birth certificate"],
    },
}
FAMILY = {
    "name": {"id": "Penerbitan Kartu Keluarga", "en": "Family Card Issuance"},
    "alt_names": {"id": ["Kartu Keluarga", "Pembuatan KK"], "en": ["Family card"]},
}
KINDS = {"akta-kelahiran": BIRTH, "kartu-keluarga": FAMILY}


@pytest.fixture(params=["embedded", "elasticsearch", "opensearch"])
def backend(request, tmp_path):
    if request.param == "embedded":
        from simpul.search.embedded import EmbeddedBackend

        backend = EmbeddedBackend(tmp_path / "search")
        yield backend
        backend.close()
        return
    from simpul.search.cluster import ClusterBackend

    url = request.getfixturevalue(f"{request.param}_url")
    backend = ClusterBackend(url, prefix=f"test-types-{next(_names)}", engine=request.param)
    yield backend
    backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
    backend.close()


def instance(identifier, title, type_id=None, **fields):
    out = record(identifier, title, **fields)
    if type_id:
        out["type"] = type_id
    return out


def load(backend, records, features=ALL):
    backend.index_documents([document(r, features, kind=KINDS.get(r.get("type"))) for r in records])
    backend.commit(len(records))


def search(backend, q=None, **kwargs):
    return backend.search(build_query(q, **kwargs))


def identifiers(result) -> list[str]:
    return [item["identifier"] for item in result.items]


# a regency's birth registration whose own text shares no word with the type's other names
BABY = instance("dokumen-bayi", "Layanan Dokumen Bayi Baru", "akta-kelahiran")
BIRTHS = [
    instance(
        f"akta-{n}",
        "Penerbitan Akta Kelahiran",
        "akta-kelahiran",
        authority=f"disdukcapil-{n}",
        areas=[area],
    )
    for n, area in enumerate(["75.01", "75.02", "75.03", "75.04"])
]
NATIONAL_BIRTH = instance(  # a national instance whose text matches the query best of all
    "akta-online",
    "Penerbitan Akta Kelahiran Akta Kelahiran Online",
    "akta-kelahiran",
    authority="kemendagri",
    level="pusat",
    areas=["00"],
    keywords=["akta kelahiran"],
)
FAMILY_CARD = instance("kk", "Penerbitan Kartu Keluarga", "kartu-keluarga", areas=["75.01"])
UNTYPED = instance("akta-lama", "Legalisir Akta Kelahiran Lama", areas=["75.01"])


def test_a_types_names_find_its_instances(backend):
    load(backend, [BABY, FAMILY_CARD])
    for query in ("birth registration", "pembuatan akta kelahiran", "pencatatan kelahiran"):
        assert identifiers(search(backend, query))[0] == "dokumen-bayi", query


def test_a_types_english_names_follow_the_english_feature(backend):
    load(backend, [BABY, FAMILY_CARD], ALL.without("english"))
    query = build_query("birth registration", features=ALL.without("english"))
    assert backend.search(query).total == 0


def test_a_type_never_outranks_a_records_own_name(backend):
    own = instance("pencatatan", "Pencatatan Kelahiran", areas=["75.02"])
    load(backend, [BABY, own])
    assert identifiers(search(backend, "pencatatan kelahiran")) == ["pencatatan", "dokumen-bayi"]


def test_type_filter_and_facet(backend):
    load(backend, [*BIRTHS, FAMILY_CARD, UNTYPED])
    result = search(backend, filters={"type": ["kartu-keluarga"]})
    assert identifiers(result) == ["kk"]
    facet = {b["value"]: b["count"] for b in search(backend).facets["type"]}
    assert facet == {"akta-kelahiran": 4, "kartu-keluarga": 1}
    item = search(backend, "kartu keluarga").items[0]
    assert item["type"] == "kartu-keluarga"


def test_group_by_type_gives_one_hit_per_type(backend):
    load(backend, [*BIRTHS, NATIONAL_BIRTH, FAMILY_CARD, UNTYPED])
    result = search(backend, "akta kelahiran", group="type")
    assert result.matches == 6
    assert result.total == 2  # the birth certificates, and the record without a type
    first, second = result.items
    assert first["identifier"] == "akta-online"  # no area: the best-scoring instance
    assert first["group"] == {"type": "akta-kelahiran", "others": 4}
    assert second["identifier"] == "akta-lama" and "group" not in second
    plain = search(backend, "akta kelahiran")
    assert plain.total == 6 and plain.matches is None


def test_group_shows_the_instance_of_the_asked_area(backend):
    load(backend, [*BIRTHS, NATIONAL_BIRTH, FAMILY_CARD, UNTYPED])
    grouped = search(backend, "akta kelahiran", area="75.03.01", group="type")
    assert identifiers(grouped) == ["akta-2"]  # the regency's own, not the national one
    assert grouped.items[0]["group"] == {"type": "akta-kelahiran", "others": 1}
    inside = search(backend, "akta kelahiran", area="75", group="type")
    assert identifiers(inside)[0] in {"akta-0", "akta-1", "akta-2", "akta-3"}
    national = search(backend, "akta kelahiran", area="76", group="type")
    assert identifiers(national) == ["akta-online"]  # only the nation reaches it


def test_groups_page_without_gaps_or_repeats(backend, monkeypatch):
    """Small windows force several rounds, each leaving out the groups seen before."""
    monkeypatch.setattr(grouping, "WINDOW", 2)
    untyped = [
        instance(f"surat-{n}", f"Surat Keterangan Kelahiran {n}", areas=["75.01"]) for n in range(5)
    ]
    load(backend, [*BIRTHS, NATIONAL_BIRTH, FAMILY_CARD, UNTYPED, *untyped])
    pages = [search(backend, "kelahiran", group="type", page=p, size=3) for p in (1, 2, 3)]
    assert [p.total for p in pages] == [7, 7, 7]
    seen = [i["identifier"] for p in pages for i in p.items]
    assert len(seen) == 7 and len(set(seen)) == 7
    assert "kk" not in seen
    births = [i for p in pages for i in p.items if i.get("type") == "akta-kelahiran"]
    assert len(births) == 1
    everything = search(backend, "kelahiran", group="type", size=10)
    assert [i["identifier"] for i in everything.items] == seen  # the same order


def test_group_without_words_orders_by_name(backend):
    load(backend, [*BIRTHS, FAMILY_CARD, UNTYPED])
    result = search(backend, group="type")
    first, birth, family = identifiers(result)
    assert (first, family) == ("akta-lama", "kk") and birth.startswith("akta-")
    assert result.total == 3 and result.matches == 6


GROUPED_QUERIES = [
    ("akta kelahiran", None),
    ("akta kelahiran", "75.03.01.2004"),
    ("kartu keluarga", None),
    ("izin", None),
    ("surat keterangan", "75.71"),
    ("birth certificate", None),
    ("skck", "75.71.01.1001"),
]


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_the_same_groups_on_every_backend(engine, request, tmp_path, sqlite_template):
    """The demo (its records linked to the national list) grouped by type on a search server
    and on the embedded index: the same first group and the same groups on the first page.
    (Within a group, equal copies are shown by ``tie`` on both; instances that one engine's
    BM25 scores equal and the other's a hair apart may differ.)"""
    from simpul.demo import load_demo
    from simpul.registry.indexing import sync
    from simpul.web import create_app
    from tests.conftest import app_on_search_server

    url = request.getfixturevalue(f"{engine}_url")
    with app_on_search_server(tmp_path, sqlite_template, url) as app:
        registry = app.extensions["simpul"]
        load_demo(registry)
        sync(registry, registry.search)
        embedded = create_app(
            {
                "database_url": registry.settings.database_url,
                "data_dir": str(tmp_path),
                "search_path": str(tmp_path / "embedded"),
                "search_sync_ms": 0,
            }
        )
        try:
            sync(embedded.extensions["simpul"], embedded.extensions["simpul"].search)
            ours, theirs = app.test_client(), embedded.test_client()
            for q, area in GROUPED_QUERIES:
                params = {"q": q, "group": "type", "size": 10, **({"area": area} if area else {})}
                a = ours.get("/api/v1/search", query_string=params).get_json()
                b = theirs.get("/api/v1/search", query_string=params).get_json()
                assert (a["total"], a["matches"]) == (b["total"], b["matches"]), q
                keys = [[i.get("type") or i["id"] for i in x["items"]] for x in (a, b)]
                plain = {k: v for k, v in params.items() if k != "group"}
                firsts = [
                    c.get("/api/v1/search", query_string=plain).get_json()["items"][0]["id"]
                    for c in (ours, theirs)
                ]
                if firsts[0] == firsts[1]:  # grouping adds no difference of its own
                    assert keys[0][0] == keys[1][0], q
                assert set(keys[0]) == set(keys[1]), q
        finally:
            embedded.extensions["simpul"].close()


def test_a_types_names_are_words_spelling_corrects_towards():
    doc = document(BABY, kind=BIRTH)
    assert "registration" in doc["words"] and "kelahiran" in doc["words"]
    assert "regist" not in " ".join(document(BABY)["words"])  # untyped: its own words only
