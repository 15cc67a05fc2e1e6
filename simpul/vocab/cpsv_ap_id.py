"""Profile CPSV-AP-ID: CPSV-AP 3.2 plus Simpul's extension for the Indonesian service standard.

``serialize`` maps a service record (as the API returns it) to triples; ``parse`` maps an RDF
graph in CPSV-AP 3.x or 2.x back to records. docs/cpsv-ap-id.md lists the mapping term by term.
Nodes owned by a record get fragment IRIs (``<service>#requirement-1``), never blank nodes, so
the same record always gives the same triples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from simpul.vocab import codelists as skos
from simpul.vocab.namespaces import CPSV, CPSVID, CV, ELI, LOCN, SCHEMA
from simpul.vocab.terms import RDF_TYPE, Lit, Triple, lang_texts, typed

DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
ADMS = "http://www.w3.org/ns/adms#"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"

MANAGEMENT = {
    "facilities": CPSVID.facilities,
    "staff_competence": CPSVID.staffCompetence,
    "internal_supervision": CPSVID.internalSupervision,
    "service_guarantee": CPSVID.serviceGuarantee,
    "safety_guarantee": CPSVID.safetyGuarantee,
    "performance_evaluation": CPSVID.performanceEvaluation,
}
CONTACT = {"url": SCHEMA.url, "email": SCHEMA.email, "phone": SCHEMA.telephone}
CODE_FIELDS = {"sectors": ("sectors", CV.sector), "audiences": ("audiences", DCT + "audience")}


def organization_uri(org: dict[str, Any]) -> str:
    return org["uri"]


def organization_triples(org: dict[str, Any]) -> Iterator[Triple]:
    uri = organization_uri(org)
    yield uri, RDF_TYPE, str(CV.PublicOrganisation)
    yield uri, DCT + "identifier", Lit(org["id"])
    for label in lang_texts(org["name"]):
        yield uri, SKOS + "prefLabel", label
    yield uri, DCT + "spatial", skos.area_uri(org.get("area") or "00")
    yield uri, str(CPSVID.level), skos.concept_uri("levels", org["level"])
    if org.get("parent_uri"):
        yield uri, "http://www.w3.org/ns/org#subOrganizationOf", org["parent_uri"]


def serialize(record: dict[str, Any], org: dict[str, Any]) -> tuple[list[Triple], set[str]]:
    """The triples of one service, and the shared things it refers to (codes, areas, languages,
    its organization) whose own triples an export writes once."""
    s = record["uri"]
    out: list[Triple] = [(s, RDF_TYPE, str(CPSV.PublicService))]
    shared: set[str] = set()
    add = out.append

    def ref(predicate: str, target: str) -> None:
        add((s, predicate, target))
        shared.add(target)

    add((s, DCT + "identifier", Lit(record["identifier"])))
    for title in lang_texts(record["name"]):
        add((s, DCT + "title", title))
    description = record.get("description")
    if description:
        for text in lang_texts(description):
            add((s, DCT + "description", text))
    else:  # CPSV-AP requires a description: say the name, and that it stands in
        for text in lang_texts(record["name"]):
            add((s, DCT + "description", text))
        add((s, str(CPSVID.descriptionMissing), typed(True, "boolean")))
    for keyword in record.get("keywords", []):
        add((s, DCAT + "keyword", Lit(keyword, "id")))
    for field, (scheme, predicate) in CODE_FIELDS.items():
        for code in record.get(field, []):
            ref(str(predicate), skos.concept_uri(scheme, code))
    for code in record.get("life_events", []):
        ref(str(CV.isGroupedBy), skos.concept_uri("life-events", code))
    for code in record.get("areas", []):
        ref(DCT + "spatial", skos.area_uri(code))
    for lang in record.get("languages", []):
        ref(DCT + "language", skos.language_uri(lang))
    ref(ADMS + "status", skos.concept_uri("service-statuses", record.get("status", "active")))
    ref(str(CPSVID.level), skos.concept_uri("levels", record["level"]))
    ref(str(CV.hasCompetentAuthority), organization_uri(org))
    if record.get("processing_time"):
        add((s, str(CV.processingTime), typed(record["processing_time"], "duration")))
    if record.get("homepage"):
        add((s, FOAF + "homepage", record["homepage"]))
    _channels(s, record.get("channels", []), out, shared)
    _numbered(s, "requirement", CV.holdsRequirement, CV.Requirement, record.get("requirements"), out)
    _numbered(s, "output", CPSV.produces, CV.Output, record.get("outputs"), out)
    _procedure(s, record.get("procedure", []), out)
    _cost(s, record.get("cost"), out, shared)
    _legal(s, record.get("legal_basis", []), out)
    _contact(s, "contact", CV.contactPoint, record.get("contact"), out)
    _contact(s, "complaints", CPSVID.complaints, record.get("complaints"), out)
    _management(s, record.get("management"), out)
    _integration(s, record.get("integration"), out, shared)
    for key, predicate, datatype in (("modified", DCT + "modified", "dateTime"),
                                     ("created", DCT + "created", "dateTime"),
                                     ("version", OWL + "versionInfo", None)):
        if record.get(key) is not None:
            value = typed(record[key], datatype) if datatype else Lit(str(record[key]))
            add((s, predicate, value))
    return out, shared


def _node(s: str, name: str, index: int | None = None) -> str:
    return f"{s}#{name}" if index is None else f"{s}#{name}-{index}"


def _numbered(s, name, link, kind, items, out) -> None:
    for index, texts in enumerate(items or [], 1):
        node = _node(s, name, index)
        out.append((s, str(link), node))
        out.append((node, RDF_TYPE, str(kind)))
        out.append((node, DCT + "identifier", Lit(str(index))))
        out.extend((node, DCT + "title", t) for t in lang_texts(texts))


def _procedure(s, steps, out) -> None:
    """Each step of the procedure is a cpsv:Rule (CPSV-AP asks a title and a description)."""
    for index, texts in enumerate(steps, 1):
        node = _node(s, "step", index)
        out.append((s, str(CPSV.follows), node))
        out.append((node, RDF_TYPE, str(CPSV.Rule)))
        out.append((node, DCT + "identifier", Lit(str(index))))
        out.append((node, DCT + "title", Lit(f"Langkah {index}", "id")))
        out.append((node, DCT + "title", Lit(f"Step {index}", "en")))
        out.extend((node, DCT + "description", t) for t in lang_texts(texts))


def _channels(s, channels, out, shared) -> None:
    for index, channel in enumerate(channels, 1):
        node = _node(s, "channel", index)
        kind = skos.concept_uri("channel-types", channel["type"])
        out.append((s, str(CV.hasChannel), node))
        out.append((node, RDF_TYPE, str(CV.Channel)))
        out.append((node, DCT + "identifier", Lit(str(index))))
        out.append((node, DCT + "type", kind))
        shared.add(kind)
        out.extend((node, DCT + "title", t) for t in lang_texts(channel.get("name")))
        out.extend((node, DCT + "description", t) for t in lang_texts(channel.get("description")))
        out.extend((node, str(CPSVID.openingHours), t) for t in lang_texts(channel.get("hours")))
        for key, predicate in CONTACT.items():
            if channel.get(key):
                out.append((node, str(predicate), channel[key] if key == "url" else Lit(channel[key])))
        if channel.get("address"):
            address = _node(s, "address", index)
            out.append((node, str(LOCN.address), address))
            out.append((address, RDF_TYPE, str(LOCN.Address)))
            out.append((address, str(LOCN.fullAddress), Lit(channel["address"], "id")))
        if "splp" in channel:
            out.append((node, str(CPSVID.viaSplp), typed(channel["splp"], "boolean")))


def _cost(s, cost, out, shared) -> None:
    if not cost:
        return
    node = _node(s, "cost")
    currency = skos.currency_uri(cost.get("currency", "IDR"))
    out.append((s, str(CV.hasCost), node))
    out.append((node, RDF_TYPE, str(CV.Cost)))
    out.append((node, DCT + "identifier", Lit("cost")))
    out.append((node, str(CV.hasValue), typed(float(cost["amount"]), "double")))
    out.append((node, str(CV.currency), currency))
    shared.add(currency)
    out.extend((node, DCT + "description", t) for t in lang_texts(cost.get("description")))


def _legal(s, items, out) -> None:
    for index, item in enumerate(items, 1):
        node = _node(s, "legal", index)
        out.append((s, str(CV.hasLegalResource), node))
        out.append((node, RDF_TYPE, str(ELI.LegalResource)))
        out.append((node, DCT + "title", Lit(item["title"], "id")))
        out.append((node, str(CPSVID.position), typed(index, "integer")))
        if item.get("identifier"):
            out.append((node, DCT + "identifier", Lit(item["identifier"])))
        if item.get("url"):
            out.append((node, str(SCHEMA.url), item["url"]))


def _contact(s, name, link, contact, out) -> None:
    if not contact:
        return
    node = _node(s, name)
    out.append((s, str(link), node))
    out.append((node, RDF_TYPE, str(CV.ContactPoint)))
    for lang in ("id", "en"):  # complaint texts are stored beside url/email/phone
        if isinstance(contact.get(lang), str):
            out.append((node, DCT + "description", Lit(contact[lang], lang)))
    out.extend((node, str(CPSVID.openingHours), t) for t in lang_texts(contact.get("hours")))
    for key, predicate in CONTACT.items():
        if contact.get(key):
            out.append((node, str(predicate), contact[key] if key == "url" else Lit(contact[key])))


def _management(s, management, out) -> None:
    for key, predicate in MANAGEMENT.items():
        out.extend((s, str(predicate), t) for t in lang_texts((management or {}).get(key)))
    if management and management.get("staff_count") is not None:
        out.append((s, str(CPSVID.staffCount), typed(management["staff_count"], "integer")))


def _integration(s, integration, out, shared) -> None:
    if not integration:
        return
    status = skos.concept_uri("integration-statuses", integration.get("status", "inventoried"))
    out.append((s, str(CPSVID.integrationStatus), status))
    shared.add(status)
    if integration.get("splp_api"):
        out.append((s, str(CPSVID.splpApi), Lit(integration["splp_api"])))
    out.extend((s, str(CPSVID.integrationNote), t) for t in lang_texts(integration.get("note")))
