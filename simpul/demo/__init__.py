"""The demo federation: Gorontalo province, its regencies, districts and villages, and the central
agencies whose services reach them. ``simpul demo`` loads it; loading twice changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources

from sqlalchemy import select

from simpul.registry import roadmap, roadmap_board, services
from simpul.registry.auth import SYSTEM
from simpul.registry.context import Registry
from simpul.registry.models import Organization
from simpul.registry.organizations import create_organization
from simpul.registry.types import load_types, national_list


def demo_organizations() -> list[dict]:
    from simpul.demo.organizations import organizations

    return organizations()


def demo_services() -> list[dict]:
    """Every demo record with its ``authority``."""
    from simpul.demo import national, organizations, regional

    records = national.central() + national.province()
    for code, slug, name, seat, domain in organizations.REGENCIES:
        regency = regional.Regency(code, slug, name, seat, domain)
        for prefix, template in regional.TEMPLATES.items():
            authority = regency.office(prefix)
            records += [{"authority": authority, **rec} for rec in template(regency)]
    for code, slug, name, _parent in organizations.DISTRICTS:
        records += national.district(slug, code, name)
    for code, slug, name, _kind, _parent in organizations.VILLAGES:
        records += national.village(slug, code, name)
    return records


def load_demo(registry: Registry, progress: Callable[[int], None] | None = None) -> dict:
    orgs = demo_organizations()
    records = demo_services()
    with registry.db.transaction() as session:
        known = set(session.scalars(select(Organization.id)))
        for org in orgs:
            if org["id"] not in known:
                create_organization(session, org)
    with registry.db.transaction() as session:
        provenance = registry.provenance(SYSTEM, "demo")
        load_types(
            session, national_list(), SYSTEM, base_uri=registry.base_uri, provenance=provenance
        )
    links = demo_type_links()
    with registry.db.transaction() as session:
        lookup = services.session_lookup(session)
        types = registry.type_index(session)
        prepared = [
            services.prepare(_linked(record, links), lookup, types=types) for record in records
        ]
        results = services.publish_many(
            session,
            prepared,
            SYSTEM,
            base_uri=registry.base_uri,
            provenance=registry.provenance(SYSTEM, "demo"),
        )
    with registry.db.transaction() as session:
        roadmap.seed(session)
        roadmap_board.refresh(session)
    if progress:
        progress(len(records))
    created = sum(1 for _, outcome in results if outcome is services.Outcome.CREATED)
    return {"organizations": len(orgs), "services": len(records), "created": created}


def demo_type_links() -> dict[str, str]:
    """Demo service identifier -> the national service type it instantiates."""
    text = resources.files("simpul.reference").joinpath("data", "demo-type-links.json")
    return json.loads(text.read_text("utf-8"))["links"]


def _linked(record: dict, links: dict[str, str]) -> dict:
    found = links.get(record["identifier"])
    return {**record, "type": found} if found and "type" not in record else record
