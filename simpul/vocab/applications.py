"""Applications (aplikasi) in CPSV-AP-ID: each a ``cv:Channel`` owned by its agency
(``cv:ownedBy``) through which the services it delivers are given (``cv:hasChannel`` from each),
and a ``dcat:DataService`` when it offers an interface with an endpoint. docs/cpsv-ap-id.md
lists the mapping; records come as plain dicts (``application_to_dict`` plus ``service_uris``).
"""

from __future__ import annotations

from typing import Any

from simpul.reference.namespaces import DCAT, DCT, FOAF, OWL, RDF_TYPE, SCHEMA, cpsvid, cv
from simpul.vocab import skos
from simpul.vocab.terms import Lit, Triple, lang_texts, typed

ORG_ORGANIZATION = "http://www.w3.org/ns/org#Organization"
CODES = {  # field -> (code list, predicate)
    "category": ("application-categories", cpsvid.applicationCategory),
    "lifecycle": ("application-lifecycles", cpsvid.lifecycle),
    "hosting": ("hosting", cpsvid.hosting),
}
UNITS = {"operator": cpsvid.operatedBy, "developer": cpsvid.developedBy}


def application_triples(
    record: dict[str, Any], owner_uri: str, org_uris: dict[str, str] | None = None
) -> tuple[list[Triple], set[str]]:
    """The triples of one application and the shared nodes it refers to (codes, organizations)
    that an export describes once. ``org_uris``: organization id -> URI, for the units."""
    s = record["uri"]
    out: list[Triple] = [(s, RDF_TYPE, cv.Channel), (s, RDF_TYPE, cpsvid.Application)]
    shared: set[str] = {owner_uri}
    add = out.append

    def ref(predicate: str, target: str) -> None:
        add((s, predicate, target))
        shared.add(target)

    add((s, DCT + "identifier", Lit(record["identifier"])))
    add((s, cv.ownedBy, owner_uri))
    add((owner_uri, RDF_TYPE, ORG_ORGANIZATION))  # the shape's class for an owner
    out.extend((s, DCT + "title", t) for t in lang_texts(record.get("name")))
    out.extend((s, DCT + "description", t) for t in lang_texts(record.get("description")))
    if record.get("short_name"):
        add((s, cpsvid.shortName, Lit(record["short_name"])))
    # a channel has one type (Simpul's Channel shape): the kind, else "online"
    kind = record.get("kind")
    ref(DCT + "type", skos.concept_uri(*(("application-kinds", kind) if kind else _ONLINE)))
    for field, (scheme, predicate) in CODES.items():
        if record.get(field):
            ref(predicate, skos.concept_uri(scheme, record[field]))
    for url in [record.get("url"), *record.get("store_urls", [])]:
        if url:
            add((s, str(SCHEMA.url), url))
    if record.get("documentation_url"):
        add((s, FOAF + "page", record["documentation_url"]))
    _documents(s, record.get("documents", []), out)
    _units(s, record, org_uris or {}, out, shared)
    _splp(s, record.get("splp"), record.get("security"), out, shared)
    _interfaces(s, record, out, shared)
    for service_uri in record.get("service_uris", []):
        add((service_uri, cv.hasChannel, s))
    for key, predicate, datatype in (
        ("modified", DCT + "modified", "dateTime"),
        ("created", DCT + "created", "dateTime"),
    ):
        if record.get(key):
            add((s, predicate, typed(record[key], datatype)))
    if record.get("version") is not None:
        add((s, OWL + "versionInfo", Lit(str(record["version"]))))
    return out, shared


_ONLINE = ("channel-types", "online")


def _documents(s: str, documents: list[dict[str, Any]], out: list[Triple]) -> None:
    for index, document in enumerate(documents, 1):
        node = f"{s}#document-{index}"
        out.append((s, FOAF + "page", node))
        out.append((node, RDF_TYPE, FOAF + "Document"))
        out.append((node, DCT + "title", Lit(document["title"], "id")))
        out.append((node, str(SCHEMA.url), document["url"]))


def _units(s, record, org_uris, out, shared) -> None:
    for field, predicate in UNITS.items():
        unit = record.get(field)
        if not unit:
            continue
        uri = org_uris.get(unit.get("organization") or "")
        if uri:
            out.append((s, predicate, uri))
            shared.add(uri)
            continue
        node = f"{s}#{field}"
        out.append((s, predicate, node))
        name = unit.get("name") or unit.get("organization", "")
        out.append((node, RDF_TYPE, FOAF + "Agent"))
        out.append((node, DCT + "identifier", Lit(field)))  # CPSV-AP's Agent shape asks both
        out.append((node, DCT + "title", Lit(name, "id")))
        out.append((node, FOAF + "name", Lit(name)))


def _splp(s, splp, security, out, shared) -> None:
    if splp:
        status = skos.concept_uri("splp-statuses", splp["status"])
        out.append((s, cpsvid.splpStatus, status))
        shared.add(status)
        out.extend((s, cpsvid.splpApi, Lit(api)) for api in splp.get("apis", []))
    if security and security.get("level"):
        level = skos.concept_uri("security-levels", security["level"])
        out.append((s, cpsvid.securityLevel, level))
        shared.add(level)
    if security and security.get("last_audit"):
        out.append((s, cpsvid.lastAudit, typed(security["last_audit"], "date")))


def _interfaces(s, record, out, shared) -> None:
    """An interface with an endpoint makes the application a dcat:DataService too (DCAT-AP's
    shape asks an endpoint URL and a title, which every application has)."""
    served = [i for i in record.get("interfaces", []) if i.get("url")]
    if not served:
        return
    out.append((s, RDF_TYPE, DCAT + "DataService"))
    for interface in served:
        out.append((s, DCAT + "endpointURL", interface["url"]))
        if interface.get("openapi"):
            out.append((s, DCAT + "endpointDescription", interface["openapi"]))
        if interface.get("authentication"):
            method = skos.concept_uri("api-authentication", interface["authentication"])
            out.append((s, cpsvid.authentication, method))
            shared.add(method)


def is_data_service(record: dict[str, Any]) -> bool:
    return any(i.get("url") for i in record.get("interfaces", []))


def channel_stub(record: dict[str, Any], owner_uri: str) -> tuple[list[Triple], set[str]]:
    """What a service's own document says of an application it is delivered through."""
    s = record["uri"]
    out: list[Triple] = [
        (s, RDF_TYPE, cv.Channel),
        (s, DCT + "identifier", Lit(record["identifier"])),
        (s, cv.ownedBy, owner_uri),
        (owner_uri, RDF_TYPE, ORG_ORGANIZATION),
    ]
    kind = record.get("kind")
    kind_uri = skos.concept_uri(*(("application-kinds", kind) if kind else _ONLINE))
    out.append((s, DCT + "type", kind_uri))
    out.extend((s, DCT + "title", t) for t in lang_texts(record.get("name")))
    return out, {kind_uri}
