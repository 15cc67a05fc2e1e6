"""RDF namespaces, declared here once. Closed namespaces: a mistyped term raises instead of minting
a new URI; the open ones are plain strings (an export concatenates them millions of times)."""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

CODE_BASE = "https://simpul.go.id/kode"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_CURRENCY = "http://publications.europa.eu/resource/authority/currency/"

ADMS = "http://www.w3.org/ns/adms#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
HYDRA = "http://www.w3.org/ns/hydra/core#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"


class CPSV(DefinedNamespace):
    _fail = True
    _NS = Namespace("http://purl.org/vocab/cpsv#")

    PublicService: URIRef
    Rule: URIRef
    follows: URIRef
    produces: URIRef
    hasInput: URIRef
    implements: URIRef
    # CPSV-AP 2.x terms, read when importing older catalogs
    hasChannel: URIRef
    hasCompetentAuthority: URIRef
    hasContactPoint: URIRef
    isGroupedBy: URIRef
    sector: URIRef


class CV(DefinedNamespace):
    """Core Vocabularies as used by CPSV-AP 3 (http://data.europa.eu/m8g/)."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/m8g/")

    Channel: URIRef
    ContactPoint: URIRef
    Cost: URIRef
    Event: URIRef
    Evidence: URIRef
    LifeEvent: URIRef
    Output: URIRef
    PublicOrganisation: URIRef
    Requirement: URIRef
    contactPoint: URIRef
    currency: URIRef
    hasChannel: URIRef
    hasCompetentAuthority: URIRef
    hasCost: URIRef
    hasLegalResource: URIRef
    hasValue: URIRef
    holdsRequirement: URIRef
    isClassifiedBy: URIRef
    isGroupedBy: URIRef
    ownedBy: URIRef
    processingTime: URIRef
    sector: URIRef
    thematicArea: URIRef


class ELI(DefinedNamespace):
    _fail = True
    _NS = Namespace("http://data.europa.eu/eli/ontology#")

    LegalResource: URIRef


class CPSVID(DefinedNamespace):
    """Simpul's extension of CPSV-AP for the Indonesian service standard (profile CPSV-AP-ID)."""

    _fail = True
    _NS = Namespace("https://simpul.go.id/ns/cpsv-ap-id#")

    # the seven management components of PermenPANRB 15/2014 (komponen pengelolaan)
    facilities: URIRef
    staffCompetence: URIRef
    internalSupervision: URIRef
    staffCount: URIRef
    serviceGuarantee: URIRef
    safetyGuarantee: URIRef
    performanceEvaluation: URIRef
    # complaint handling (penanganan pengaduan)
    complaints: URIRef
    # government level, SPLP integration, channel details
    level: URIRef
    integrationStatus: URIRef
    splpApi: URIRef
    integrationNote: URIRef
    viaSplp: URIRef
    openingHours: URIRef
    position: URIRef
    descriptionMissing: URIRef
    # the Simpul organization holding a record whose competent authority is not one of its own
    heldBy: URIRef
    # the national service type (jenis layanan) a service instantiates; a sub-property of
    # cv:isClassifiedBy, which is written beside it
    serviceType: URIRef
    # applications (aplikasi): a cv:Channel owned by the agency (docs/cpsv-ap-id.md)
    Application: URIRef
    shortName: URIRef
    applicationCategory: URIRef
    lifecycle: URIRef
    hosting: URIRef
    operatedBy: URIRef
    developedBy: URIRef
    splpStatus: URIRef
    securityLevel: URIRef
    lastAudit: URIRef
    authentication: URIRef


SCHEMA = Namespace("https://schema.org/")
LOCN = Namespace("http://www.w3.org/ns/locn#")

PREFIXES = {
    "cpsv": str(CPSV._NS),
    "cv": str(CV._NS),
    "cpsvid": str(CPSVID._NS),
    "eli": str(ELI._NS),
    "dct": DCT,
    "dcat": DCAT,
    "skos": SKOS,
    "adms": ADMS,
    "foaf": FOAF,
    "locn": str(LOCN),
    "schema": str(SCHEMA),
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "prov": PROV,
}


class Terms:
    """Plain-string IRIs of a closed namespace, resolved once (rdflib's attribute lookup costs a
    microsecond, and an export looks terms up millions of times)."""

    def __init__(self, namespace: type[DefinedNamespace]):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        value = str(getattr(self._namespace, name))  # raises for a term the namespace lacks
        setattr(self, name, value)
        return value


cpsv, cv, cpsvid, eli = Terms(CPSV), Terms(CV), Terms(CPSVID), Terms(ELI)
