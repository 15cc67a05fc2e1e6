"""Bulk loading from JSON Lines (``simpul load``): good lines are stored, bad lines are reported
with their line numbers and leave nothing behind, a reload of the same file changes nothing, and
the report counts what happened."""

from __future__ import annotations

import io

import orjson
import pytest
from sqlalchemy import func, select

from simpul.errors import Forbidden, NotFound
from simpul.registry import stats
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.bulk import load_jsonl
from simpul.registry.models import Change, Service, ServiceVersion
from simpul.registry.services import retire
from tests.conftest import service_record

ORG = "disdukcapil-kota-gorontalo"


def _line(identifier: str, **fields) -> bytes:
    return orjson.dumps(service_record(identifier, authority=ORG, **fields))


def _jsonl(*lines: bytes) -> io.BytesIO:
    return io.BytesIO(b"\n".join(lines) + b"\n")


def _load(registry, *lines: bytes, **options):
    options.setdefault("workers", 1)
    return load_jsonl(registry, _jsonl(*lines), ORG, **options)


def _count(registry, model) -> int:
    with registry.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _identifiers(registry) -> set[str]:
    with registry.db.session() as session:
        return set(session.scalars(select(Service.identifier).where(Service.deleted_at.is_(None))))


@pytest.fixture
def org(publisher):
    return publisher.org(ORG, "kabkota", "75.71")


def test_good_lines_are_stored_and_counted(registry, org):
    report = _load(registry, _line("akta-kelahiran"), _line("kartu-keluarga"), _line("ktp-el"))
    assert report.errors == []
    assert report.counts == {
        "created": 3,
        "updated": 0,
        "restored": 0,
        "unchanged": 0,
        "error": 0,
    }
    assert report.stored == 3
    assert _identifiers(registry) == {"akta-kelahiran", "kartu-keluarga", "ktp-el"}
    assert _count(registry, ServiceVersion) == _count(registry, Change) == 3


def test_bad_lines_are_reported_by_number_and_nothing_of_them_is_stored(registry, org):
    report = _load(
        registry,
        _line("akta-kelahiran"),
        b'{"identifier": "rusak", "name": ',  # 2: malformed JSON
        _line("salah-kode", sectors=["tidak-ada"]),  # 3: unknown sector
        b"",  # 4: blank lines are skipped, not errors
        _line("di-luar", areas=["75.02"]),  # 5: outside the organization's area
        orjson.dumps(service_record("lain", authority="dinkes-lain")),  # 6: unknown organization
        _line("ktp-el"),
    )
    assert [number for number, _ in report.errors] == [2, 3, 5, 6]
    messages = dict(report.errors)
    assert messages[2].startswith("malformed JSON at column")
    assert "sectors" in messages[3] and "tidak-ada" in messages[3]
    assert "areas[0]" in messages[5] and "75.02" in messages[5]
    assert "dinkes-lain" in messages[6]
    assert report.counts["created"] == 2
    assert report.counts["error"] == 4
    assert _identifiers(registry) == {"akta-kelahiran", "ktp-el"}
    assert _count(registry, ServiceVersion) == _count(registry, Change) == 2


def test_a_record_of_another_organization_is_refused(registry, org, publisher):
    publisher.org("dinkes-kota-gorontalo", "kabkota", "75.71")
    other = orjson.dumps(service_record("lain", authority="dinkes-kota-gorontalo"))
    report = _load(registry, other)
    [(number, message)] = report.errors
    assert number == 1
    assert "differs from --org" in message
    assert _count(registry, Service) == 0


def test_reloading_the_same_file_changes_nothing(registry, org):
    lines = (_line("akta-kelahiran"), _line("kartu-keluarga"))
    _load(registry, *lines)
    with registry.db.session() as session:
        before = stats.last_change(session)
    report = _load(registry, *lines)
    assert report.counts["unchanged"] == 2
    assert report.stored == 0
    with registry.db.session() as session:
        assert stats.last_change(session) == before
    assert _count(registry, ServiceVersion) == 2


def test_a_changed_line_updates_its_record_and_a_retired_one_is_restored(registry, org, client):
    _load(registry, _line("akta-kelahiran"), _line("kartu-keluarga"))
    with registry.db.transaction() as session:
        row = session.scalar(select(Service).where(Service.identifier == "kartu-keluarga"))
        sid = row.id
    with registry.db.transaction() as session:
        retire(session, sid, SYSTEM)
    report = _load(
        registry, _line("akta-kelahiran", processing_time="P3D"), _line("kartu-keluarga")
    )
    assert report.counts == {
        "created": 0,
        "updated": 1,
        "restored": 1,
        "unchanged": 0,
        "error": 0,
    }
    record = client.get(f"/api/v1/services/{sid}").get_json()
    assert record["identifier"] == "kartu-keluarga"


def test_a_line_over_the_size_limit_is_reported_and_the_next_line_still_loads(registry, org):
    limit = registry.settings.max_body_bytes
    huge = _line("besar", keywords=["x" * limit])
    report = _load(registry, huge, _line("ktp-el"))
    assert report.errors == [(1, f"line longer than {limit} bytes")]
    assert _identifiers(registry) == {"ktp-el"}


def test_a_byte_order_mark_on_the_first_line_is_ignored(registry, org):
    report = _load(registry, b"\xef\xbb\xbf" + _line("akta-kelahiran"))
    assert report.errors == []
    assert report.counts["created"] == 1


def test_small_batches_and_worker_processes_give_the_same_result(registry, org):
    lines = [_line(f"layanan-{n}") for n in range(12)]
    lines.insert(5, b"not json")
    progress = []
    report = _load(registry, *lines, workers=2, batch_size=4, progress=progress.append)
    assert report.errors == [(6, report.errors[0][1])]
    assert report.counts["created"] == 12
    assert len(_identifiers(registry)) == 12
    assert sum(progress) == len(b"\n".join(lines) + b"\n")  # every byte read is reported


def test_an_unknown_organization_is_refused_before_reading(registry, org):
    with pytest.raises(NotFound, match="simpul orgs add"):
        load_jsonl(registry, _jsonl(_line("a")), "tidak-ada", workers=1)


def test_a_token_of_another_organization_cannot_load(registry, org, publisher):
    publisher.org("dinkes-kota-gorontalo", "kabkota", "75.71")
    editor = Actor("token:x", "dinkes-kota-gorontalo", "editor")
    with pytest.raises(Forbidden):
        load_jsonl(registry, _jsonl(_line("a")), ORG, actor=editor, workers=1)
    assert _count(registry, Service) == 0
