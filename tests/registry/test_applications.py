"""The core of applications (issue 15): checks, versions, tombstones, the services an
application delivers (its owner's only), and who may write."""

from __future__ import annotations

import pytest

from simpul.errors import Conflict, Forbidden, Gone, PreconditionFailed, ValidationFailed
from simpul.registry import applications, services
from simpul.registry.auth import SYSTEM, Actor
from simpul.registry.services import Outcome, session_lookup
from tests.conftest import application_record, service_record

ORG = "disdukcapil-kota-gorontalo"
OTHER = "dinkes-kota-gorontalo"
EDITOR = Actor("token:ed", ORG, "editor")
STRANGER = Actor("token:other", OTHER, "editor")


@pytest.fixture
def orgs(publisher):
    publisher.org(ORG)
    publisher.org(OTHER)
    return publisher


def _service(registry, identifier, org=ORG) -> str:
    with registry.db.transaction() as session:
        row, _ = services.publish(
            session,
            service_record(identifier, authority=org),
            SYSTEM,
            base_uri=registry.base_uri,
            provenance={},
        )
        return row.id


def _publish(registry, record, actor=EDITOR):
    with registry.db.transaction() as session:
        row, outcome = applications.publish(
            session,
            record,
            actor,
            base_uri=registry.base_uri,
            provenance={"method": "test"},
            lookup=session_lookup(session),
        )
        return applications.application_to_dict(row), outcome


def _replace(registry, app_id, record, actor=EDITOR, **kw):
    with registry.db.transaction() as session:
        row, outcome = applications.replace(
            session,
            app_id,
            record,
            actor,
            base_uri=registry.base_uri,
            provenance={},
            lookup=session_lookup(session),
            **kw,
        )
        return applications.application_to_dict(row), outcome


def _problems(excinfo) -> dict[str, str]:
    return {e["path"]: e["message"] for e in excinfo.value.errors}


def test_publish_keeps_the_record_and_owner(registry, orgs):
    out, outcome = _publish(registry, application_record())
    assert outcome is Outcome.CREATED
    assert out["organization"] == ORG and out["version"] == 1
    assert out["uri"] == f"{registry.base_uri}/applications/{out['id']}"
    assert out["splp"] == {"status": "terdaftar", "apis": ["dukcapil-akta-v1"]}
    assert out["security"]["last_audit"] == "2025-06-30"


def test_services_by_identifier_or_id_are_stored_as_ids(registry, orgs):
    akta = _service(registry, "akta-kelahiran")
    ktp = _service(registry, "ktp-el")
    out, _ = _publish(registry, application_record(services=["akta-kelahiran", ktp, akta]))
    assert out["services"] == [akta, ktp]
    with registry.db.session() as session:
        assert [a.id for a in applications.of_service(session, ktp)] == [out["id"]]


def test_another_organizations_service_is_refused_naming_its_index(registry, orgs):
    theirs = _service(registry, "imunisasi", org=OTHER)
    _service(registry, "akta-kelahiran")
    with pytest.raises(ValidationFailed) as excinfo:
        _publish(registry, application_record(services=["akta-kelahiran", theirs, "nope"]))
    problems = _problems(excinfo)
    assert set(problems) == {"services[1]", "services[2]"}
    assert OTHER in problems["services[1]"]
    with registry.db.session() as session:
        assert applications.list_applications(session)[0] == 0  # nothing stored


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"kind": "website"}, "kind"),
        ({"lifecycle": "aktif"}, "lifecycle"),
        ({"hosting": "aws"}, "hosting"),
        ({"splp": {"status": "belum", "apis": ["x"]}}, "splp.apis"),
        ({"splp": {"status": "tersambung"}}, "splp.status"),
        (
            {"interfaces": [{"type": "rest", "authentication": "jwt"}]},
            "interfaces[0].authentication",
        ),
        ({"interfaces": [{"type": "none"}, {"type": "rest"}]}, "interfaces"),
        ({"security": {"level": "tinggi", "last_audit": "2999-01-01"}}, "security.last_audit"),
        ({"operator": {"organization": "no-such-org"}}, "operator.organization"),
        ({"documents": [{"title": "x"}]}, "documents[0].url"),
        ({"category": "umum-khusus"}, "category"),
    ],
)
def test_bad_fields_are_named(registry, orgs, fields, path):
    with pytest.raises(ValidationFailed) as excinfo:
        _publish(registry, application_record(**fields))
    assert path in _problems(excinfo)


def test_units_may_be_registered_organizations(registry, orgs):
    out, _ = _publish(registry, application_record(developer={"organization": OTHER}))
    assert out["developer"] == {"organization": OTHER}


def test_versions_etag_and_unchanged(registry, orgs):
    out, _ = _publish(registry, application_record())
    again, outcome = _replace(registry, out["id"], application_record())
    assert outcome is Outcome.UNCHANGED and again["version"] == 1
    changed, outcome = _replace(registry, out["id"], application_record(lifecycle="dihentikan"))
    assert outcome is Outcome.UPDATED and changed["version"] == 2
    with registry.db.session() as session:
        history = applications.versions(session, out["id"])
        assert [v.action for v in history] == ["created", "updated"]
        assert applications.version(session, out["id"], 1)["data"]["lifecycle"] == "digunakan"
        assert applications.version(session, out["id"], 2)["data"]["lifecycle"] == "dihentikan"
        row = applications.get_live(session, out["id"])
        stale = '"1-' + row.content_hash[:12] + '"'
    with pytest.raises(PreconditionFailed):
        _replace(registry, out["id"], application_record(), if_match={stale})


def test_links_follow_replacement(registry, orgs):
    akta, ktp = _service(registry, "akta-kelahiran"), _service(registry, "ktp-el")
    out, _ = _publish(registry, application_record(services=[akta]))
    _replace(registry, out["id"], application_record(services=[ktp]))
    with registry.db.session() as session:
        assert applications.of_service(session, akta) == []
        assert [a.id for a in applications.of_service(session, ktp)] == [out["id"]]
        total, _ = applications.list_applications(session, service=ktp, kind="web")
        assert total == 1


def test_identity_cannot_change_and_duplicates_conflict(registry, orgs):
    out, _ = _publish(registry, application_record())
    with pytest.raises(ValidationFailed) as excinfo:
        _replace(registry, out["id"], application_record("lain"))
    assert "identifier" in _problems(excinfo)
    with pytest.raises(Conflict):
        _publish(registry, application_record())


def test_tombstone_then_restore_keeps_the_id(registry, orgs):
    out, _ = _publish(registry, application_record())
    with registry.db.transaction() as session:
        applications.retire(session, out["id"], EDITOR)
    with registry.db.session() as session, pytest.raises(Gone) as excinfo:
        applications.get_live(session, out["id"])
    assert excinfo.value.extra["tombstone"]["deleted"] is True
    back, outcome = _publish(registry, application_record())
    assert outcome is Outcome.RESTORED and back["id"] == out["id"] and back["version"] == 3


def test_only_the_owner_or_an_admin_writes(registry, orgs):
    with pytest.raises(Forbidden):
        _publish(registry, application_record(organization=ORG), actor=STRANGER)
    out, _ = _publish(registry, application_record())
    with pytest.raises(Forbidden):
        _replace(registry, out["id"], application_record(), actor=STRANGER)
    with registry.db.transaction() as session, pytest.raises(Forbidden):
        applications.retire(session, out["id"], STRANGER)
    admin = Actor("token:admin", "kominfo", "admin")
    _, outcome = _replace(registry, out["id"], application_record(lifecycle="dikembangkan"), admin)
    assert outcome is Outcome.UPDATED


def test_list_filters(registry, orgs):
    _publish(registry, application_record("a", kind="mobile", splp={"status": "belum"}))
    _publish(registry, application_record("b", lifecycle="direncanakan"))
    with registry.db.session() as session:
        assert applications.list_applications(session, kind="mobile")[0] == 1
        assert applications.list_applications(session, splp_status="terdaftar")[0] == 1
        assert applications.list_applications(session, lifecycle="direncanakan")[0] == 1
        assert applications.list_applications(session, organization=OTHER)[0] == 0
