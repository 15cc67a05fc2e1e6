"""Facet counts of the embedded index (``simpul.search.counting``): the set fields and the
complement give the numbers a plain count of the matches gives, and counts kept for an index
generation are never served after another process's commit."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from simpul.search import counting
from simpul.search.base import FACETS, build_query
from simpul.search.embedded import EmbeddedBackend
from simpul.search.testing import document, record

WORDS = ["akta", "kelahiran", "izin", "usaha", "surat", "keterangan", "pajak", "bangunan"]
RARE = ["paspor", "nelayan", "sumur"]
SECTORS = ["kependudukan", "perizinan", "pajak", "kesehatan", "pendidikan"]
EVENTS = ["kelahiran", "pindah", "usaha", "kematian"]
CHANNELS = ["loket", "online", "telepon", "surel"]
AREAS = ["75", "75.71", "75.71.01", "75.01", "32.01", "00"]


def _records(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        name = " ".join(rng.sample(WORDS, 2) + ([rng.choice(RARE)] if n % 9 == 0 else []))
        out.append(
            record(
                f"s{n:04d}",
                name.title(),
                level=rng.choice(["pusat", "provinsi", "kabkota", "desa"]),
                authority=f"org-{rng.randrange(12)}",
                sectors=rng.sample(SECTORS, rng.randrange(4)),
                life_events=rng.sample(EVENTS, rng.randrange(3)),
                channels=[{"type": t} for t in rng.sample(CHANNELS, rng.randrange(4))],
                areas=[rng.choice(AREAS)],
                integration={"status": rng.choice(["inventoried", "assessed", "integrated"])},
                **({"type": f"type-{rng.randrange(5)}"} if n % 3 else {}),
            )
        )
    return out


RECORDS = _records(400)
DOCUMENTS = {d["id"]: d for d in map(document, RECORDS)}


@pytest.fixture
def backend(tmp_path):
    backend = EmbeddedBackend(tmp_path / "search")
    backend.index_documents(list(DOCUMENTS.values()))
    backend.commit(len(DOCUMENTS))
    yield backend
    backend.close()


def _truth(backend, query) -> tuple[dict[str, Counter], int]:
    """The counts of the matches' own documents, read one by one."""
    searcher = backend.index.searcher()
    compiled = backend._compile(query, backend._parts(query))
    hits = searcher.search(compiled, len(DOCUMENTS) + 1).hits
    counts = {name: Counter() for name in FACETS}
    for _, address in hits:
        doc = DOCUMENTS[f"id-{backend_id(searcher, address)}"]
        for name in FACETS:
            value = doc[name]
            counts[name].update(set(value) if isinstance(value, list) else {value})
    return counts, len(hits)


def backend_id(searcher, address) -> str:
    import orjson

    return orjson.loads(searcher.doc(address)["summary"][0])["identifier"]


QUERIES = [
    {},
    {"q": "akta"},
    {"q": "surat keterangan"},
    {"q": "izin usaha pajak"},
    {"q": "paspor"},
    {"q": "akta", "filters": {"level": ["kabkota"]}},
    {"q": "surat", "filters": {"sector": ["pajak", "kesehatan"], "channel": ["online"]}},
    {"q": "keterangan", "area": "75.71"},
    {"filters": {"level": ["desa"]}},
    {"area": "75"},
]


@pytest.mark.parametrize("share", [0.0, 2.0], ids=["complement", "direct"])
@pytest.mark.parametrize("asked", QUERIES, ids=lambda q: str(q) or "all")
def test_counts_equal_the_matches_own(backend, monkeypatch, share, asked):
    monkeypatch.setattr(counting, "COMPLEMENT_SHARE", share)
    for _ in range(2):  # the second time from the counts kept for the generation
        if asked.get("filters") and share == 0.0:  # a search without words keeps its counts
            backend.search(build_query(filters=asked["filters"], area=asked.get("area")))
        query = build_query(**asked, size=5, vocabulary=backend.vocabulary())
        result = backend.search(query)
        counts, total = _truth(backend, query)
        assert result.total == total
        for name in FACETS:
            expected = sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))
            assert [(b["value"], b["count"]) for b in result.facets[name]] == expected[:100]


def test_the_complement_is_taken_for_a_common_text_only(backend, monkeypatch):
    monkeypatch.setattr(counting, "COMPLEMENT_SHARE", 0.2)  # a name word is in a quarter
    asked: list = []
    real = counting.count
    monkeypatch.setattr(counting, "count", lambda s, q: asked.append(q) or real(s, q))
    voc = backend.vocabulary()
    backend.search(build_query("surat keterangan akta izin", vocabulary=voc))
    assert len(asked) == 2  # the whole index, then what the words leave out
    backend.search(build_query("akta surat", vocabulary=voc))
    assert len(asked) == 3  # the whole index's counts are kept
    backend.search(build_query("paspor", vocabulary=voc))
    assert len(asked) == 4  # a rare word: its matches are counted


def test_a_commit_of_another_process_is_seen(backend, tmp_path, monkeypatch):
    monkeypatch.setattr(counting, "COMPLEMENT_SHARE", 0.2)  # counted from kept counts
    reader = EmbeddedBackend(tmp_path / "search")
    query = build_query("surat keterangan akta izin", vocabulary=reader.vocabulary())
    before = reader.search(query)
    extra = document(record("baru", "Surat Keterangan Baru", sectors=["baru-sektor"], level="desa"))
    backend.index_documents([extra])
    backend.commit(len(DOCUMENTS) + 1)
    after = reader.search(query)
    assert after.total == before.total + 1
    assert {"value": "baru-sektor", "count": 1} in after.facets["sector"]
    levels = {b["value"]: b["count"] for b in after.facets["level"]}
    assert levels["desa"] == {b["value"]: b["count"] for b in before.facets["level"]}["desa"] + 1
    reader.close()


def test_a_set_is_one_value_and_none_is_no_value():
    assert counting.set_value(["online", "loket", "online"]) == "loket\x1fonline"
    assert counting.set_value([]) is None
