"""The index of services knows their service types: documents are the effective record with the
type's names, and a type's change reaches its instances' documents through the sync (no change
row is written), on the embedded index and on a search server."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from simpul.registry import services, types
from simpul.registry.auth import SYSTEM
from simpul.registry.indexing import rebuild, sync
from simpul.registry.models import Change
from simpul.registry.organizations import create_organization
from simpul.search.base import build_query
from tests.conftest import service_record

ORG = "disdukcapil-kota-gorontalo"


def _type(**fields) -> dict:
    return {
        "id": "akta-kelahiran",
        "name": {"id": "Penerbitan Akta Kelahiran", "en": "Birth Certificate Issuance"},
        "alt_names": {"id": ["Akte Lahir", "Pencatatan Kelahiran"], "en": ["Birth registration"]},
        "kind": "pencatatan",
        "sectors": ["kependudukan"],
        "life_events": ["kelahiran"],
        "applies_to": ["kabkota"],
        "mandatory_at": ["kabkota"],
        **fields,
    }


def _instance(identifier: str, area: str = "75.71") -> dict:
    """A linked record whose own text shares no word with its type's alternative names."""
    record = service_record(identifier, type="akta-kelahiran", areas=[area])
    record.update(
        name={"id": f"Layanan Dokumen Bayi {identifier}"},
        description={"id": "Dokumen untuk bayi."},
        keywords=[],
        sectors=[],
        life_events=[],
        outputs=[{"id": "Dokumen bayi"}],
        requirements=[{"id": "Surat dari bidan"}],
    )
    return record


def _publish(registry, *records) -> list[str]:
    with registry.db.transaction() as session:
        index = registry.type_index(session)
        ids = []
        for record in records:
            row, _ = services.publish(
                session,
                dict(record, authority=ORG),
                SYSTEM,
                base_uri=registry.base_uri,
                provenance={},
                types=index,
            )
            ids.append(row.id)
        return ids


def _rename(registry, **fields) -> None:
    with registry.db.transaction() as session:
        types.replace_type(
            session,
            "akta-kelahiran",
            _type(**fields),
            SYSTEM,
            base_uri=registry.base_uri,
            provenance={},
        )


def _found(registry, q: str) -> list[str]:
    return sorted(item["identifier"] for item in registry.search.search(build_query(q)).items)


def _changes(registry) -> int:
    with registry.db.session() as session:
        return session.scalar(select(func.count()).select_from(Change))


def _setup(registry) -> None:
    with registry.db.transaction() as session:
        create_organization(
            session, {"id": ORG, "name": {"id": "Disdukcapil"}, "level": "kabkota", "area": "75.71"}
        )
        types.create_type(session, _type(), SYSTEM, base_uri=registry.base_uri, provenance={})


@pytest.fixture
def typed(registry):
    _setup(registry)
    return registry


def _check_type_changes_reach_the_index(registry) -> None:
    _publish(registry, _instance("bayi-1"), _instance("bayi-2"))
    sync(registry, registry.search)
    assert _found(registry, "birth registration") == ["bayi-1", "bayi-2"]
    item = registry.search.search(build_query("akte lahir")).items[0]
    assert item["type"] == "akta-kelahiran"
    assert item["sectors"] == ["kependudukan"]  # the effective record: from its type
    assert _found(registry, "pencatatan") == ["bayi-1", "bayi-2"]
    before = _changes(registry)
    _rename(registry, alt_names={"id": ["Kutipan Natalitas"], "en": ["Nativity paper"]})
    assert _found(registry, "nativity paper") == []  # not yet seen
    assert sync(registry, registry.search, batch=1) == 2  # the instances, in batches of one
    assert _changes(registry) == before  # no change row for a type's change
    assert _found(registry, "nativity paper") == ["bayi-1", "bayi-2"]
    assert _found(registry, "pencatatan") == []  # the old alternative name is gone
    assert sync(registry, registry.search) == 0  # seen: nothing more to do


def test_a_types_names_and_its_changes_reach_its_instances(typed):
    _check_type_changes_reach_the_index(typed)


def test_a_rebuild_indexes_type_names_in_its_workers_and_records_the_types(typed):
    _publish(typed, _instance("bayi-1"), _instance("bayi-2"))
    rebuild(typed, typed.search, workers=2)
    assert _found(typed, "birth registration") == ["bayi-1", "bayi-2"]
    assert typed.search.seen_types() == {"akta-kelahiran": 1}
    assert sync(typed, typed.search) == 0
    _rename(typed, alt_names={"id": ["Akte Lahir"], "en": ["Nativity paper"]})
    assert sync(typed, typed.search) == 2


def test_an_index_without_recorded_types_records_them_without_reindexing(typed):
    _publish(typed, _instance("bayi-1"))
    typed.search.clear()
    assert typed.search.seen_types() is None
    assert sync(typed, typed.search) == 1  # the change log only
    assert typed.search.seen_types() == {"akta-kelahiran": 1}


@pytest.fixture(params=["elasticsearch", "opensearch"])
def server_registry(request, tmp_path, sqlite_template):
    from tests.conftest import app_on_search_server

    url = request.getfixturevalue(f"{request.param}_url")
    with app_on_search_server(tmp_path, sqlite_template, url) as app:
        registry = app.extensions["simpul"]
        _setup(registry)
        yield registry


def test_type_changes_reach_a_search_server_and_survive_its_rebuild(server_registry):
    _check_type_changes_reach_the_index(server_registry)
    rebuild(server_registry, server_registry.search, workers=1)
    assert server_registry.search.seen_types() == {"akta-kelahiran": 2}
    assert _found(server_registry, "nativity paper") == ["bayi-1", "bayi-2"]
    _rename(server_registry, alt_names={"id": ["Akte Lahir"], "en": ["Birth registration"]})
    assert sync(server_registry, server_registry.search) == 2
    assert _found(server_registry, "birth registration") == ["bayi-1", "bayi-2"]
