"""Code lists and Kemendagri areas as SKOS concept schemes with stable URIs.

The URIs are national (``https://simpul.go.id/kode/...``), the same on every node, so that codes
stored by other nodes keep meaning the same thing; each node also serves them at ``/kode/...``."""

from __future__ import annotations

from collections.abc import Iterator

from simpul.reference import codelists
from simpul.reference.areas import NATIONAL, load_areas
from simpul.reference.namespaces import CODE_BASE, CV, DCT, EU_CURRENCY, EU_LANGUAGE, RDF_TYPE, SKOS
from simpul.vocab.terms import Lit, Triple

AREAS = "areas"
SCHEMES = {name: codes for name, codes in codelists.CODE_LISTS.items()}
SCHEME_TITLES = {
    "levels": ("Tingkat pemerintahan", "Government levels"),
    "sectors": ("Sektor layanan", "Service sectors"),
    "channel-types": ("Jenis kanal layanan", "Channel types"),
    "audiences": ("Kelompok sasaran", "Audiences"),
    "life-events": ("Peristiwa kehidupan", "Life events"),
    "integration-statuses": ("Status integrasi SPLP", "SPLP integration statuses"),
    "service-statuses": ("Status layanan", "Service statuses"),
    "type-kinds": ("Jenis layanan menurut sifatnya", "Kinds of service types"),
    "type-statuses": ("Status jenis layanan", "Service type statuses"),
    "declarations": ("Pernyataan penyelenggaraan jenis layanan", "Declarations on service types"),
    "application-kinds": ("Jenis aplikasi", "Kinds of applications"),
    "application-categories": ("Kategori aplikasi SPBE", "SPBE application categories"),
    "application-lifecycles": ("Siklus hidup aplikasi", "Application lifecycle stages"),
    "hosting": ("Tempat penyelenggaraan aplikasi", "Application hosting"),
    "interface-types": ("Jenis antarmuka aplikasi", "Application interface types"),
    "api-authentication": ("Autentikasi API", "API authentication"),
    "splp-statuses": ("Status aplikasi di SPLP", "Application SPLP statuses"),
    "security-levels": ("Kategori keamanan sistem elektronik", "Electronic system security levels"),
    AREAS: ("Wilayah administrasi Kemendagri", "Kemendagri administrative areas"),
}
# ISO 639-1 to the EU languages authority table (what CPSV-AP expects).
LANGUAGES = {
    "id": "IND",
    "en": "ENG",
    "ms": "MSA",
    "jv": "JAV",
    "su": "SUN",
    "ar": "ARA",
    "zh": "ZHO",
    "nl": "NLD",
    "ja": "JPN",
    "ko": "KOR",
    "fr": "FRA",
    "de": "DEU",
}
LANGUAGE_CODES = {v: k for k, v in LANGUAGES.items()}


def scheme_uri(scheme: str) -> str:
    return f"{CODE_BASE}/{scheme}"


def concept_uri(scheme: str, code: str) -> str:
    return f"{CODE_BASE}/{scheme}/{code}"


def area_uri(code: str) -> str:
    return concept_uri(AREAS, code)


def language_uri(code: str) -> str:
    if code in LANGUAGES:
        return EU_LANGUAGE + LANGUAGES[code]
    return f"http://id.loc.gov/vocabulary/iso639-1/{code}"


def language_code(uri: str) -> str | None:
    if uri.startswith(EU_LANGUAGE):
        return LANGUAGE_CODES.get(uri.removeprefix(EU_LANGUAGE), uri.rsplit("/", 1)[-1].lower()[:2])
    if uri.startswith("http://id.loc.gov/vocabulary/iso639-1/"):
        return uri.rsplit("/", 1)[-1]
    return None


def currency_uri(code: str) -> str:
    return EU_CURRENCY + code


def split_concept(uri: str) -> tuple[str, str] | None:
    """(scheme, code) of a Simpul concept URI, else None."""
    if not uri.startswith(CODE_BASE + "/"):
        return None
    scheme, _, code = uri.removeprefix(CODE_BASE + "/").partition("/")
    return (scheme, code) if code else None


def concept_triples(uri: str) -> Iterator[Triple]:
    """What an export says about a code, area, language or currency it refers to (the CPSV-AP
    shapes check the type of referenced things, so these travel with every export)."""
    parts = split_concept(uri)
    if parts is None:
        yield from _external_triples(uri)
        return
    scheme, code = parts
    yield uri, RDF_TYPE, SKOS + "Concept"
    yield uri, SKOS + "inScheme", scheme_uri(scheme)
    yield uri, SKOS + "notation", Lit(code)
    if scheme == AREAS:
        area = load_areas().get(code)
        yield uri, RDF_TYPE, DCT + "Location"
        yield uri, SKOS + "prefLabel", Lit(area.name if area else code, "id")
        if area and area.parent is not None:
            yield uri, SKOS + "broader", area_uri(area.parent)
        return
    labels = SCHEMES.get(scheme, {}).get(code, {})
    for lang, label in labels.items():
        yield uri, SKOS + "prefLabel", Lit(label, lang)
    if (
        scheme == "life-events"
    ):  # also a cv:LifeEvent, which CPSV-AP asks an identifier and title of
        yield uri, RDF_TYPE, str(CV.LifeEvent)
        yield uri, RDF_TYPE, str(CV.Event)
        yield uri, DCT + "identifier", Lit(code)
        for lang, label in labels.items():
            yield uri, DCT + "title", Lit(label, lang)


def _external_triples(uri: str) -> Iterator[Triple]:
    if uri.startswith(EU_LANGUAGE) or uri.startswith("http://id.loc.gov/vocabulary/iso639-1/"):
        yield uri, RDF_TYPE, DCT + "LinguisticSystem"
    elif uri.startswith(EU_CURRENCY):
        yield uri, RDF_TYPE, SKOS + "Concept"
        yield uri, SKOS + "notation", Lit(uri.removeprefix(EU_CURRENCY))


def scheme_triples(scheme: str, *, with_concepts: bool = True) -> Iterator[Triple]:
    """A whole concept scheme (for areas: the scheme and the provinces, unless asked)."""
    uri = scheme_uri(scheme)
    title_id, title_en = SCHEME_TITLES[scheme]
    yield uri, RDF_TYPE, SKOS + "ConceptScheme"
    yield uri, DCT + "title", Lit(title_id, "id")
    yield uri, DCT + "title", Lit(title_en, "en")
    if not with_concepts:
        return
    if scheme == AREAS:
        codes = [a.code for a in load_areas().children(NATIONAL)]
    else:
        codes = list(SCHEMES[scheme])
    for code in codes:
        concept = concept_uri(scheme, code)
        yield uri, SKOS + "hasTopConcept", concept
        yield from concept_triples(concept)


def is_known_scheme(scheme: str) -> bool:
    return scheme in SCHEME_TITLES
