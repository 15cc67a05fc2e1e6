"""The embedded (tantivy) backend passes the search contract."""

from __future__ import annotations

import pytest

from simpul.search.embedded import EmbeddedBackend, IndexBusy
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
