"""The embedded (tantivy) backend passes the search contract."""

from __future__ import annotations

import pytest

from simpul.search.embedded import EmbeddedBackend, IndexBusy
from simpul.search.features import NAMES
from simpul.search.testing import CORPUS, Contract, document


@pytest.fixture
def backend(tmp_path):
    backend = EmbeddedBackend(tmp_path / "search")
    yield backend
    backend.close()


class TestEmbedded(Contract):
    def test_one_writer_at_a_time(self, backend, tmp_path):
        other = EmbeddedBackend(tmp_path / "search")
        backend.index_documents([document(CORPUS[0])])
        with pytest.raises(IndexBusy):
            other.index_documents([document(CORPUS[1])])
        assert not other.writable()
        backend.commit(1)
        assert other.count() == 1  # readers see commits
        backend.close()
        assert other.writable()
        other.close()

    def test_rebuild_swaps_in(self, backend):
        self.load(backend)

        def fill(fresh):
            fresh.index_documents([document(CORPUS[0])])
            fresh.commit(7)

        backend.rebuild(fill)
        assert backend.count() == 1
        assert backend.cursor() == 7


def test_an_index_from_an_older_simpul_is_replaced_and_refilled(tmp_path):
    """A node upgraded in place: its index has another schema. It is replaced by an empty one
    whose cursor starts at 0, so the change-log sync fills it again; nothing fails."""
    import tantivy

    root = tmp_path / "search"
    old = root / "index-1"
    old.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    tantivy.Index(builder.build(), path=str(old))
    (old / "cursor").write_text("42")
    (root / "CURRENT").write_text("index-1")

    backend = EmbeddedBackend(root)
    try:
        assert backend.cursor() == 0 and backend.count() == 0
        assert not old.exists()
        backend.index_documents([document(r) for r in CORPUS])
        backend.commit(len(CORPUS))
        from simpul.search.base import build_query

        found = backend.search(build_query(filters={"life_event": ["kelahiran"]}))
        assert [item["identifier"] for item in found.items] == ["akta-kelahiran"]
        again = EmbeddedBackend(root)  # the next process opens the replacement
        assert again.count() == len(CORPUS)
        again.close()
    finally:
        backend.close()


def test_every_search_feature_has_a_contract_test_that_needs_it():
    assert set(Contract.NEEDS) == set(NAMES)


def test_a_round_in_the_order_of_names_is_the_exact_beginning_of_that_order(backend):
    """Rounds sorted by name read hits through the names' numeric keys: names sharing eight
    bytes ("penerbitan akta ..."), sharing all 64 ("... tidak mampu untuk ..."), equal names
    and a window ending within any of them still give the first ``k`` in the order of name,
    then tie, as a server orders them."""
    import tantivy

    from simpul.search.testing import record

    names = [
        "Penerbitan Akta Kelahiran",
        "Penerbitan Akta Kematian",
        "Penerbitan Akta Perkawinan",
        "Penerbitan KIA",
        "Pendaftaran Usaha",
        "Izin Usaha",
        "Akta",
        "Ákta Lama",
    ]
    long = "Penerbitan Surat Keterangan Tidak Mampu untuk Keluarga Prasejahtera di Desa "
    records = [record(f"n{i:03d}", names[i % len(names)]) for i in range(60)]
    records += [record(f"l{i:03d}", f"{long}{chr(90 - i)}") for i in range(8)]
    documents = [document(r) for r in records]
    backend.index_documents(documents)
    backend.commit(len(records))
    searcher = backend.index.searcher()
    expected = sorted(
        (r["name"]["id"].lower(), d["tie"]) for r, d in zip(records, documents, strict=True)
    )
    for k in (1, 5, 7, 8, 13, 20, 33, 59, 61, 64, 68, 80):
        keys, hits = backend._by_name(searcher, tantivy.Query.all_query(), k)
        ties = searcher.fast_field_values("tie", [address for _, address in hits])
        assert sorted(zip(keys, ties, strict=True)) == expected[:k], k
