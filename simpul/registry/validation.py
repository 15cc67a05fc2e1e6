"""SHACL reports against Simpul's CPSV-AP-ID shapes: of a stored record, of a draft checked like
a publish, of RDF as sent. The cost of a check is bounded before it runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from simpul.config import Settings
from simpul.errors import PayloadTooLarge
from simpul.registry import services
from simpul.registry.catalog import organizations
from simpul.registry.types import load_index
from simpul.vocab import parsing, shacl
from simpul.vocab.export import record_graph


def record_report(session: Session, base_uri: str, record: dict[str, Any]) -> dict[str, Any]:
    """The report of a record (a service's dict), described as an export describes it."""
    orgs = organizations(session, base_uri, [record["authority"]])
    return shacl.validate(record_graph(record, orgs))


def stored_report(session: Session, base_uri: str, service_id: str) -> dict[str, Any]:
    record = services.service_to_dict(services.get_live(session, service_id))
    return record_report(session, base_uri, record)


def draft_report(session: Session, settings: Settings, raw: Any) -> dict[str, Any]:
    """A record not yet stored (JSON): checked like a publish, described like an export."""
    prepared = services.prepare(raw, services.session_lookup(session), types=load_index(session))
    orgs = organizations(session, settings.base_uri, [prepared.data["authority"]])
    draft = {
        **prepared.data,
        "uri": f"{settings.base_uri}/services/draft",
        "level": prepared.organization.level,
    }
    graph = record_graph(draft, orgs)
    check_cost(graph, settings.validate_max_triples, settings.validate_max_nodes)
    return shacl.validate(graph)


def rdf_report(settings: Settings, data: bytes, mimetype: str | None) -> dict[str, Any]:
    fmt = parsing.rdflib_format(mimetype) if mimetype else "turtle"
    graph = parsing.parse(data, fmt, limit=settings.validate_max_bytes)
    check_cost(graph, settings.validate_max_triples, settings.validate_max_nodes)
    return shacl.validate(graph)


def check_cost(graph, max_triples: int, max_nodes: int) -> None:
    """SHACL's time grows with the triples and the nodes the shapes check: refuse, before
    validating, what would keep a worker busy for seconds."""
    nodes = shacl.focus_nodes(graph)
    if len(graph) > max_triples or nodes > max_nodes:
        raise PayloadTooLarge(
            f"the input has {len(graph)} triples and {nodes} nodes to check; this endpoint "
            f"checks up to {max_triples} triples and {max_nodes} nodes "
            "(use 'simpul validate FILE' for whole catalogs)",
            triples=len(graph),
            nodes=nodes,
        )
