"""National service types (jenis layanan) as a SKOS concept scheme: the node's ``/types`` is a
``skos:ConceptScheme`` and each type a ``skos:Concept`` at its URI, with its names as preferred
and alternative labels. A type another node published (a province reusing the national list)
keeps that node's URI, and so belongs to that node's scheme. Handed plain type dicts
(``registry.types.type_to_dict``) or a record's ``type_link``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from simpul.reference.namespaces import DCT, OWL, RDF_TYPE, SKOS, cpsvid, cv
from simpul.vocab.terms import Lit, Triple, lang_texts, typed


def scheme_of(type_uri: str) -> str:
    """The scheme of a type URI (``{base}/types/{id}`` -> ``{base}/types``)."""
    return type_uri.rstrip("/").rsplit("/", 1)[0]


def concept_triples(service_type: dict[str, Any]) -> Iterator[Triple]:
    """One type as a concept: labels, notation, its scheme; a retired one is deprecated and
    names the type that replaces it."""
    uri = service_type["uri"]
    yield uri, RDF_TYPE, SKOS + "Concept"
    yield uri, SKOS + "inScheme", scheme_of(uri)
    yield uri, SKOS + "notation", Lit(service_type["id"])
    for label in lang_texts(service_type["name"]):
        yield uri, SKOS + "prefLabel", label
    for lang, names in (service_type.get("alt_names") or {}).items():
        for name in names:
            yield uri, SKOS + "altLabel", Lit(name, lang)
    for text in lang_texts(service_type.get("description")):
        yield uri, SKOS + "definition", text
    if service_type.get("status") == "retired":
        yield uri, OWL + "deprecated", typed(True, "boolean")
        successor = service_type.get("superseded_by_uri")
        if successor:
            yield uri, DCT + "isReplacedBy", successor


def link_concept(link: dict[str, Any], type_id: str) -> list[Triple]:
    """The concept a record's ``type_link`` describes (for a one-record document)."""
    return list(concept_triples({"id": type_id, "uri": link["uri"], "name": link["name"]}))


def scheme_triples(base_uri: str, node_id: str, types: Iterable[dict[str, Any]]) -> list[Triple]:
    """The node's scheme and every type it holds; a type of another node's scheme is listed
    there (that scheme is named as one)."""
    scheme = f"{base_uri}/types"
    out: list[Triple] = [
        (scheme, RDF_TYPE, SKOS + "ConceptScheme"),
        (scheme, DCT + "title", Lit(f"Jenis layanan publik ({node_id})", "id")),
        (scheme, DCT + "title", Lit(f"Public service types ({node_id})", "en")),
    ]
    others: set[str] = set()
    for service_type in types:
        home = scheme_of(service_type["uri"])
        out.append((home, SKOS + "hasTopConcept", service_type["uri"]))
        out += concept_triples(service_type)
        if home != scheme:
            others.add(home)
    out += [(other, RDF_TYPE, SKOS + "ConceptScheme") for other in sorted(others)]
    return out


def record_link(s: str, link: dict[str, Any] | None) -> list[Triple]:
    """A service's link to its type: ``cv:isClassifiedBy`` (CPSV-AP 3.2's property for any
    classification it does not name) and its CPSV-AP-ID specialisation ``cpsvid:serviceType``."""
    if not link or not link.get("uri"):
        return []
    return [(s, cv.isClassifiedBy, link["uri"]), (s, cpsvid.serviceType, link["uri"])]
