"""Profile CPSV-AP-ID: CPSV-AP 3.2 plus Simpul's extension for the Indonesian service standard.

``serialize`` maps a service record (as the API returns it) to triples; ``parse`` maps an RDF
graph in CPSV-AP 3.x or 2.x back to records. docs/cpsv-ap-id.md lists the mapping term by term.
Nodes owned by a record get fragment IRIs (``<service>#requirement-1``), never blank nodes, so
the same record always gives the same triples.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from simpul.reference.namespaces import (
    ADMS,
    DCAT,
    DCT,
    FOAF,
    LOCN,
    OWL,
    PROV,
    RDF_TYPE,
    SCHEMA,
    SKOS,
    cpsv,
    cpsvid,
    cv,
    eli,
)
from simpul.vocab import servicetypes, skos
from simpul.vocab.terms import Lit, Triple, lang_texts, typed

MANAGEMENT = {
    "facilities": cpsvid.facilities,
    "staff_competence": cpsvid.staffCompetence,
    "internal_supervision": cpsvid.internalSupervision,
    "service_guarantee": cpsvid.serviceGuarantee,
    "safety_guarantee": cpsvid.safetyGuarantee,
    "performance_evaluation": cpsvid.performanceEvaluation,
}
CONTACT = {"url": str(SCHEMA.url), "email": str(SCHEMA.email), "phone": str(SCHEMA.telephone)}
LOCN_ADDRESS, LOCN_ADDRESS_CLASS, LOCN_FULL = (
    str(LOCN.address),
    str(LOCN.Address),
    str(LOCN.fullAddress),
)
CODE_FIELDS = {"sectors": ("sectors", cv.sector), "audiences": ("audiences", DCT + "audience")}


def organization_uri(org: dict[str, Any]) -> str:
    return org["uri"]


def organization_triples(org: dict[str, Any]) -> Iterator[Triple]:
    uri = organization_uri(org)
    yield uri, RDF_TYPE, cv.PublicOrganisation
    yield uri, DCT + "identifier", Lit(org["id"])
    for label in lang_texts(org["name"]):
        yield uri, SKOS + "prefLabel", label
    yield uri, DCT + "spatial", skos.area_uri(org.get("area") or "00")
    yield uri, cpsvid.level, skos.concept_uri("levels", org["level"])
    if org.get("parent_uri"):
        yield uri, "http://www.w3.org/ns/org#subOrganizationOf", org["parent_uri"]


def serialize(record: dict[str, Any], org: dict[str, Any]) -> tuple[list[Triple], set[str]]:
    """The triples of one service, and the shared things it refers to (codes, areas, languages,
    its organization) whose own triples an export writes once."""
    s = record["uri"]
    out: list[Triple] = [(s, RDF_TYPE, cpsv.PublicService)]
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
        add((s, cpsvid.descriptionMissing, typed(True, "boolean")))
    for keyword in record.get("keywords", []):
        add((s, DCAT + "keyword", Lit(keyword, "id")))
    for field, (scheme, predicate) in CODE_FIELDS.items():
        for code in record.get(field, []):
            ref(str(predicate), skos.concept_uri(scheme, code))
    for code in record.get("life_events", []):
        ref(cv.isGroupedBy, skos.concept_uri("life-events", code))
    for code in record.get("areas", []):
        ref(DCT + "spatial", skos.area_uri(code))
    for lang in record.get("languages", []):
        ref(DCT + "language", skos.language_uri(lang))
    for triple in servicetypes.record_link(s, record.get("type_link")):
        ref(triple[1], triple[2])
    ref(ADMS + "status", skos.concept_uri("service-statuses", record.get("status", "active")))
    ref(cpsvid.level, skos.concept_uri("levels", record["level"]))
    original = record.get("original_authority")
    if original:
        _original_authority(s, original, record, out, shared)
        ref(cpsvid.heldBy, organization_uri(org))
    else:
        ref(cv.hasCompetentAuthority, organization_uri(org))
    if record.get("processing_time"):
        add((s, cv.processingTime, typed(record["processing_time"], "duration")))
    if record.get("homepage"):
        add((s, FOAF + "homepage", record["homepage"]))
    _channels(s, record.get("channels", []), out, shared)
    _numbered(
        s, "requirement", cv.holdsRequirement, cv.Requirement, record.get("requirements"), out
    )
    _numbered(s, "output", cpsv.produces, cv.Output, record.get("outputs"), out)
    _procedure(s, record.get("procedure", []), out)
    _cost(s, record.get("cost"), out, shared)
    _legal(s, record.get("legal_basis", []), out)
    _contact(s, "contact", cv.contactPoint, record.get("contact"), out)
    _contact(s, "complaints", cpsvid.complaints, record.get("complaints"), out)
    _management(s, record.get("management"), out)
    _integration(s, record.get("integration"), out, shared)
    _travels(s, (record.get("provenance") or {}).get("chain"), out)
    for key, predicate, datatype in (
        ("modified", DCT + "modified", "dateTime"),
        ("created", DCT + "created", "dateTime"),
        ("version", OWL + "versionInfo", None),
    ):
        if record.get(key) is not None:
            value = typed(record[key], datatype) if datatype else Lit(str(record[key]))
            add((s, predicate, value))
    return out, shared


def _original_authority(s, original, record, out, shared) -> None:
    """A competent authority named by a harvested source but not registered here, as given."""
    node = original.get("uri") or _node(s, "authority")
    out.append((s, cv.hasCompetentAuthority, node))
    out.append((node, RDF_TYPE, cv.PublicOrganisation))
    if original.get("id"):
        out.append((node, DCT + "identifier", Lit(original["id"])))
    for label in lang_texts(original["name"]):
        out.append((node, SKOS + "prefLabel", label))
    area = skos.area_uri((record.get("areas") or ["00"])[0])
    out.append((node, DCT + "spatial", area))
    shared.add(area)


def _travels(s: str, chain: list[str] | None, out: list[Triple]) -> None:
    """PROV-O for a record that came through other Simpul nodes: one activity per node it
    reached, in order, each associated with that node; the first is where it was published."""
    if not chain:
        return
    previous = None
    for position, node_id in enumerate(chain, start=1):
        hop, agent = _node(s, "hop", position), _node(s, "node", position)
        out.append((hop, RDF_TYPE, PROV + "Activity"))
        out.append((hop, PROV + "wasAssociatedWith", agent))
        out.append((hop, cpsvid.position, typed(position, "integer")))
        out.append((agent, RDF_TYPE, PROV + "SoftwareAgent"))
        out.append((agent, DCT + "identifier", Lit(node_id)))
        out.append((s, PROV + ("wasGeneratedBy" if previous is None else "wasInfluencedBy"), hop))
        if previous is not None:
            out.append((hop, PROV + "wasInformedBy", previous))
        previous = hop
    out.append((s, PROV + "wasAttributedTo", _node(s, "node", 1)))


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
        out.append((s, cpsv.follows, node))
        out.append((node, RDF_TYPE, cpsv.Rule))
        out.append((node, DCT + "identifier", Lit(str(index))))
        out.append((node, DCT + "title", Lit(f"Langkah {index}", "id")))
        out.append((node, DCT + "title", Lit(f"Step {index}", "en")))
        out.extend((node, DCT + "description", t) for t in lang_texts(texts))


def _channels(s, channels, out, shared) -> None:
    for index, channel in enumerate(channels, 1):
        node = _node(s, "channel", index)
        kind = skos.concept_uri("channel-types", channel["type"])
        out.append((s, cv.hasChannel, node))
        out.append((node, RDF_TYPE, cv.Channel))
        out.append((node, DCT + "identifier", Lit(str(index))))
        out.append((node, DCT + "type", kind))
        shared.add(kind)
        out.extend((node, DCT + "title", t) for t in lang_texts(channel.get("name")))
        out.extend((node, DCT + "description", t) for t in lang_texts(channel.get("description")))
        out.extend((node, cpsvid.openingHours, t) for t in lang_texts(channel.get("hours")))
        for key, predicate in CONTACT.items():
            if channel.get(key):
                out.append(
                    (node, str(predicate), channel[key] if key == "url" else Lit(channel[key]))
                )
        if channel.get("address"):
            address = _node(s, "address", index)
            out.append((node, LOCN_ADDRESS, address))
            out.append((address, RDF_TYPE, LOCN_ADDRESS_CLASS))
            out.append((address, LOCN_FULL, Lit(channel["address"], "id")))
        if "splp" in channel:
            out.append((node, cpsvid.viaSplp, typed(channel["splp"], "boolean")))


def _cost(s, cost, out, shared) -> None:
    if not cost:
        return
    node = _node(s, "cost")
    currency = skos.currency_uri(cost.get("currency", "IDR"))
    out.append((s, cv.hasCost, node))
    out.append((node, RDF_TYPE, cv.Cost))
    out.append((node, DCT + "identifier", Lit("cost")))
    out.append((node, cv.hasValue, typed(float(cost["amount"]), "double")))
    out.append((node, cv.currency, currency))
    shared.add(currency)
    out.extend((node, DCT + "description", t) for t in lang_texts(cost.get("description")))


def _legal(s, items, out) -> None:
    for index, item in enumerate(items, 1):
        node = _node(s, "legal", index)
        out.append((s, cv.hasLegalResource, node))
        out.append((node, RDF_TYPE, eli.LegalResource))
        out.append((node, DCT + "title", Lit(item["title"], "id")))
        out.append((node, cpsvid.position, typed(index, "integer")))
        if item.get("identifier"):
            out.append((node, DCT + "identifier", Lit(item["identifier"])))
        if item.get("url"):
            out.append((node, str(SCHEMA.url), item["url"]))


def _contact(s, name, link, contact, out) -> None:
    if not contact:
        return
    node = _node(s, name)
    out.append((s, str(link), node))
    out.append((node, RDF_TYPE, cv.ContactPoint))
    for lang in ("id", "en"):  # complaint texts are stored beside url/email/phone
        if isinstance(contact.get(lang), str):
            out.append((node, DCT + "description", Lit(contact[lang], lang)))
    out.extend((node, cpsvid.openingHours, t) for t in lang_texts(contact.get("hours")))
    for key, predicate in CONTACT.items():
        if contact.get(key):
            out.append((node, str(predicate), contact[key] if key == "url" else Lit(contact[key])))


def _management(s, management, out) -> None:
    for key, predicate in MANAGEMENT.items():
        out.extend((s, str(predicate), t) for t in lang_texts((management or {}).get(key)))
    if management and management.get("staff_count") is not None:
        out.append((s, cpsvid.staffCount, typed(management["staff_count"], "integer")))


def _integration(s, integration, out, shared) -> None:
    if not integration:
        return
    status = skos.concept_uri("integration-statuses", integration.get("status", "inventoried"))
    out.append((s, cpsvid.integrationStatus, status))
    shared.add(status)
    if integration.get("splp_api"):
        out.append((s, cpsvid.splpApi, Lit(integration["splp_api"])))
    out.extend((s, cpsvid.integrationNote, t) for t in lang_texts(integration.get("note")))


# -- parsing --------------------------------------------------------------------------------------
SCHEMA_HTTP = "http://schema.org/"


class Imported(NamedTuple):
    """A record read from RDF, with what could not be mapped (for harvest reports)."""

    uri: str
    record: dict[str, Any]
    authority_uri: str | None
    unmapped: list[str]


def parse(graph: Graph, default_language: str = "id") -> list[Imported]:
    """Every cpsv:PublicService of a CPSV-AP 3.x or 2.x graph as a Simpul record. Literals
    without a language tag are taken to be in ``default_language``."""
    services = sorted(graph.subjects(RDF.type, URIRef(cpsv.PublicService)), key=str)
    return [_read_service(_View(graph, s, default_language)) for s in services]


class _View:
    """Reading helpers over one subject; terms of CPSV-AP 3 first, then their 2.x forms."""

    def __init__(self, graph: Graph, subject, default_language: str = "id"):
        self.g, self.s, self.default_language = graph, subject, default_language

    def objects(self, *predicates: str, subject=None) -> list:
        subject = self.s if subject is None else subject
        return [o for p in predicates for o in self.g.objects(subject, _iri(p))]

    def texts(self, *predicates: str, subject=None) -> dict[str, str]:
        out: dict[str, str] = {}
        for o in self.objects(*predicates, subject=subject):
            if isinstance(o, Literal):
                out.setdefault(o.language or self.default_language, str(o).strip())
        return out

    def value(self, *predicates: str, subject=None):
        found = self.objects(*predicates, subject=subject)
        return found[0] if found else None

    def ordered(self, *predicates: str) -> list:
        def key(node):
            for p in (cpsvid.position, DCT + "identifier"):  # legal resources keep their number
                v = self.g.value(node, _iri(p))
                if v is not None and str(v).isdigit():
                    return (0, int(str(v)), str(node))
            return (1, 0, str(node))

        return sorted(self.objects(*predicates), key=key)


@functools.lru_cache(maxsize=512)
def _iri(term: str) -> URIRef:
    """rdflib checks every IRI it builds; predicates repeat, so build each once."""
    return URIRef(term)


def _read_codes(
    view: _View, scheme: str, predicates: tuple[str, ...], unmapped: list[str]
) -> list[str]:
    out = []
    for o in view.objects(*predicates):
        parts = skos.split_concept(str(o)) if isinstance(o, URIRef) else None
        if parts and parts[0] == scheme:
            out.append(parts[1])
        else:
            unmapped.append(f"{scheme}: {o}")
    return out


def _read_service(v: _View) -> Imported:
    unmapped: list[str] = []
    uri = str(v.s)
    identifier = v.value(DCT + "identifier")
    record: dict[str, Any] = {
        "identifier": str(identifier) if identifier is not None else _read_slug(uri),
        "name": v.texts(DCT + "title"),
    }
    flag = v.value(cpsvid.descriptionMissing)
    if not (flag is not None and str(flag) == "true"):
        _read_put(record, "description", v.texts(DCT + "description"))
    _read_put(record, "keywords", [str(k) for k in v.objects(DCAT + "keyword")])
    _read_put(
        record,
        "sectors",
        _read_codes(v, "sectors", (cv.sector, cv.thematicArea), unmapped),
    )
    _read_put(record, "audiences", _read_codes(v, "audiences", (DCT + "audience",), unmapped))
    _read_put(
        record,
        "life_events",
        _read_codes(v, "life-events", (cv.isGroupedBy, cpsv.isGroupedBy), unmapped),
    )
    _read_put(record, "areas", _read_codes(v, skos.AREAS, (DCT + "spatial",), unmapped))
    languages = [skos.language_code(str(o)) for o in v.objects(DCT + "language")]
    _read_put(record, "languages", [code for code in languages if code])
    status = _read_codes(v, "service-statuses", (ADMS + "status",), unmapped)
    if status:
        record["status"] = status[0]
    for key, predicate in (
        ("processing_time", cv.processingTime),
        ("homepage", FOAF + "homepage"),
    ):
        value = v.value(predicate)
        if value is not None:
            record[key] = str(value)
    _read_put(
        record,
        "channels",
        [_read_channel(v, node, unmapped) for node in v.ordered(cv.hasChannel, cpsv.hasChannel)],
    )
    _read_put(
        record,
        "requirements",
        [v.texts(DCT + "title", subject=n) for n in v.ordered(cv.holdsRequirement)],
    )
    _read_put(
        record,
        "outputs",
        [v.texts(DCT + "title", subject=n) for n in v.ordered(cpsv.produces)],
    )
    _read_put(
        record,
        "procedure",
        [v.texts(DCT + "description", subject=n) for n in v.ordered(cpsv.follows)],
    )
    cost = v.value(cv.hasCost)
    if cost is not None and v.value(cv.hasValue, subject=cost) is not None:
        record["cost"] = _read_cost(v, cost)
    _read_put(record, "legal_basis", [_read_legal(v, n) for n in v.ordered(cv.hasLegalResource)])
    contact = v.value(cv.contactPoint, cpsv.hasContactPoint)
    if contact is not None:
        _read_put(record, "contact", _read_contact(v, contact, with_text=False))
    complaints = v.value(cpsvid.complaints)
    if complaints is not None:
        _read_put(record, "complaints", _read_contact(v, complaints, with_text=True))
    _read_put(record, "management", _read_management(v))
    _read_put(record, "integration", _read_integration(v, unmapped))
    authority = v.value(cv.hasCompetentAuthority, cpsv.hasCompetentAuthority)
    holder = v.value(cpsvid.heldBy)
    if holder is not None:
        record["original_authority"] = _read_original_authority(v, authority)
        authority = holder
    if authority is not None:
        org_id = v.value(DCT + "identifier", subject=authority)
        record["authority"] = str(org_id) if org_id is not None else _read_slug(str(authority))
    return Imported(uri, record, str(authority) if authority is not None else None, unmapped)


def _read_original_authority(v: _View, node) -> dict[str, Any]:
    out: dict[str, Any] = {"name": v.texts(SKOS + "prefLabel", subject=node)}
    identifier = v.value(DCT + "identifier", subject=node)
    if identifier is not None:
        out["id"] = str(identifier)
    if isinstance(node, URIRef) and str(node) != _node(str(v.s), "authority"):
        out["uri"] = str(node)
    return out


def _read_put(record: dict, key: str, value) -> None:
    if value:
        record[key] = value


def _read_slug(uri: str) -> str:
    tail = uri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    slug = "".join(c if c.isalnum() or c in "._-" else "-" for c in tail).strip("-._")
    return slug[:200] or "tanpa-nama"


def _read_contact_fields(v: _View, node) -> dict[str, str]:
    out = {}
    for key, predicate in CONTACT.items():
        value = v.value(
            str(predicate), SCHEMA_HTTP + str(predicate).removeprefix(str(SCHEMA)), subject=node
        )
        if value is not None:
            out[key] = str(value)
    return out


def _read_channel(v: _View, node, unmapped: list[str]) -> dict[str, Any]:
    channel: dict[str, Any] = {}
    kind = v.value(DCT + "type", subject=node)
    parts = skos.split_concept(str(kind)) if kind is not None else None
    if parts and parts[0] == "channel-types":
        channel["type"] = parts[1]
    else:
        if kind is not None:
            unmapped.append(f"channel-types: {kind}")
        channel["type"] = "online" if v.value(str(SCHEMA.url), subject=node) else "loket"
    for key, predicate in (
        ("name", DCT + "title"),
        ("description", DCT + "description"),
        ("hours", cpsvid.openingHours),
    ):
        _read_put(channel, key, v.texts(predicate, subject=node))
    channel.update(_read_contact_fields(v, node))
    address = v.value(LOCN_ADDRESS, subject=node)
    if address is not None:
        full = v.value(LOCN_FULL, subject=address)
        if full is not None:
            channel["address"] = str(full)
    splp = v.value(cpsvid.viaSplp, subject=node)
    if splp is not None:
        channel["splp"] = str(splp) == "true"
    return channel


def _read_cost(v: _View, node) -> dict[str, Any]:
    amount = float(str(v.value(cv.hasValue, subject=node)))
    cost: dict[str, Any] = {"amount": int(amount) if amount.is_integer() else amount}
    currency = v.value(cv.currency, subject=node)
    cost["currency"] = (
        str(currency).rstrip("/").rsplit("/", 1)[-1] if currency is not None else "IDR"
    )
    _read_put(cost, "description", v.texts(DCT + "description", subject=node))
    return cost


def _read_legal(v: _View, node) -> dict[str, Any]:
    titles = v.texts(DCT + "title", subject=node)
    item: dict[str, Any] = {"title": titles.get("id") or next(iter(titles.values()), str(node))}
    identifier = v.value(DCT + "identifier", subject=node)
    if identifier is not None:
        item["identifier"] = str(identifier)
    url = v.value(str(SCHEMA.url), subject=node)
    if url is not None:
        item["url"] = str(url)
    return item


def _read_contact(v: _View, node, *, with_text: bool) -> dict[str, Any]:
    contact: dict[str, Any] = {}
    if with_text:
        contact.update(v.texts(DCT + "description", subject=node))
    _read_put(contact, "hours", v.texts(cpsvid.openingHours, subject=node))
    contact.update(_read_contact_fields(v, node))
    return contact


def _read_management(v: _View) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, predicate in MANAGEMENT.items():
        _read_put(out, key, v.texts(str(predicate)))
    count = v.value(cpsvid.staffCount)
    if count is not None:
        out["staff_count"] = int(str(count))
    return out


def _read_integration(v: _View, unmapped: list[str]) -> dict[str, Any]:
    status = _read_codes(v, "integration-statuses", (cpsvid.integrationStatus,), unmapped)
    if not status:
        return {}
    out: dict[str, Any] = {"status": status[0]}
    api = v.value(cpsvid.splpApi)
    if api is not None:
        out["splp_api"] = str(api)
    _read_put(out, "note", v.texts(cpsvid.integrationNote))
    return out
