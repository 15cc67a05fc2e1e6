"""Streaming RDF writers: N-Triples, Turtle, JSON-LD and RDF/XML from plain triples.

A document is ``begin()``, any number of ``block(triples)`` (one record and the shared things it
brings in), then ``end()``; nothing is kept between blocks, so memory stays flat whatever the
size of the catalog. Output is checked against rdflib's parsers in the tests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import orjson

from simpul.reference.formats import BY_MEDIA_TYPE, RDF_FORMATS
from simpul.reference.namespaces import PREFIXES, RDF_TYPE
from simpul.vocab.terms import Lit, Triple

_ECHAR = {
    ord("\\"): "\\\\",
    ord('"'): '\\"',
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    ord("\b"): "\\b",
    ord("\f"): "\\f",
}
_ECHAR.update({c: f"\\u{c:04X}" for c in range(0x20) if c not in _ECHAR})
_ECHAR[0x7F] = "\\u007F"
_IRI_ESCAPE = {c: f"\\u{c:04X}" for c in [*range(0x21), *map(ord, '<>"{}|^`\\')]}
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not in XML 1.0
_LIT_SPECIAL = re.compile(r'[\\"\x00-\x1f\x7f]')
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# longest namespace first, so that e.g. cpsvid is not taken for cpsv
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def _group(triples: Iterable[Triple]) -> dict[str, dict[str, list]]:
    subjects: dict[str, dict[str, list]] = {}
    for s, p, o in triples:
        subjects.setdefault(s, {}).setdefault(p, []).append(o)
    return subjects


def compact(iri: str) -> str | None:
    """``prefix:local`` when the IRI has a known namespace and a plain local part."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if _LOCAL.match(local):
                return f"{prefix}:{local}"
            return None
    return None


def _quoted(value: str) -> str:
    if _LIT_SPECIAL.search(value):
        value = value.translate(_ECHAR)
    return '"' + value + '"'


class NTriples:
    """A writer's ``block`` returns text to be joined by ``separator``.

    IRIs repeat (predicates, codes, the record's own IRI), so their rendering is cached."""

    media_type = RDF_FORMATS["nt"].media_type
    extension = RDF_FORMATS["nt"].extension
    separator = ""
    CACHE_LIMIT = 20_000  # codes and predicates stay; record IRIs pass through

    def __init__(self):
        self._iris: dict[str, str] = {}

    def begin(self) -> str:
        return ""

    def _iri(self, iri: str) -> str:
        if iri.startswith("_:"):
            return iri
        return "<" + (iri.translate(_IRI_ESCAPE) if _IRI_SPECIAL.search(iri) else iri) + ">"

    def _literal(self, term: Lit) -> str:
        text = _quoted(term.value)
        if term.lang:
            return f"{text}@{term.lang}"
        if term.datatype:
            return f"{text}^^{self.term(term.datatype)}"
        return text

    def term(self, term) -> str:
        if term.__class__ is Lit:
            return self._literal(term)
        return self._iris.get(term) or self._remember(term)

    def _remember(self, iri: str) -> str:
        if len(self._iris) >= self.CACHE_LIMIT:
            self._iris.clear()
        rendered = self._iris[iri] = self._iri(iri)
        return rendered

    def block(self, triples: Iterable[Triple]) -> str:
        cache, remember, literal = self._iris, self._remember, self._literal
        out = []
        for s, p, o in triples:
            o = literal(o) if o.__class__ is Lit else (cache.get(o) or remember(o))
            out.append(f"{cache.get(s) or remember(s)} {cache.get(p) or remember(p)} {o} .\n")
        return "".join(out)

    def end(self) -> str:
        return ""


class Turtle(NTriples):
    media_type = RDF_FORMATS["ttl"].media_type
    extension = RDF_FORMATS["ttl"].extension

    def begin(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + "\n"

    def _iri(self, iri: str) -> str:
        return compact(iri) or super()._iri(iri)

    def block(self, triples: Iterable[Triple]) -> str:
        parts = []
        for s, predicates in _group(triples).items():
            lines = []
            for p, objects in predicates.items():
                verb = "a" if p == RDF_TYPE else self.term(p)
                lines.append(f"{verb} " + ", ".join(self.term(o) for o in objects))
            parts.append(f"{self.term(s)} " + " ;\n    ".join(lines) + " .\n")
        return "\n".join(parts) + "\n"


class JsonLd:
    media_type = RDF_FORMATS["jsonld"].media_type
    extension = RDF_FORMATS["jsonld"].extension
    separator = ",\n"

    def begin(self) -> str:
        context = orjson.dumps(PREFIXES).decode()
        return '{"@context": ' + context + ', "@graph": [\n'

    @staticmethod
    def _value(term):
        if isinstance(term, Lit):
            if term.lang:
                return {"@value": term.value, "@language": term.lang}
            if term.datatype:
                return {"@value": term.value, "@type": compact(term.datatype) or term.datatype}
            return {"@value": term.value}
        return {"@id": term}

    def block(self, triples: Iterable[Triple]) -> str:
        nodes = []
        for s, predicates in _group(triples).items():
            node: dict = {"@id": s}
            for p, objects in predicates.items():
                if p == RDF_TYPE:
                    node["@type"] = [compact(o) or o for o in objects]
                else:
                    node[compact(p) or p] = [self._value(o) for o in objects]
            nodes.append(orjson.dumps(node).decode())
        return ",\n".join(nodes)

    def end(self) -> str:
        return "\n]}\n"


class RdfXml:
    media_type = RDF_FORMATS["rdfxml"].media_type
    extension = RDF_FORMATS["rdfxml"].extension
    separator = ""

    def begin(self) -> str:
        namespaces = " ".join(f'xmlns:{p}="{ns}"' for p, ns in PREFIXES.items())
        return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF {namespaces}>\n'

    @staticmethod
    def _element(p: str) -> tuple[str, str]:
        """(qualified name, extra namespace declaration) of a predicate."""
        name = compact(p)
        if name:
            return name, ""
        cut = max(p.rfind("#"), p.rfind("/")) + 1
        return f"ns0:{p[cut:]}", f' xmlns:ns0="{xml_escape(p[:cut])}"'

    def block(self, triples: Iterable[Triple]) -> str:
        out = []
        for s, predicates in _group(triples).items():
            about = (
                f"rdf:nodeID={quoteattr(s[2:])}"
                if s.startswith("_:")
                else f"rdf:about={quoteattr(s)}"
            )
            out.append(f"<rdf:Description {about}>")
            for p, objects in predicates.items():
                name, declaration = self._element(p)
                for o in objects:
                    out.append(self._property(name, declaration, o))
            out.append("</rdf:Description>")
        return "\n".join(out) + "\n"

    @staticmethod
    def _property(name: str, declaration: str, o) -> str:
        if not isinstance(o, Lit):
            return f"  <{name}{declaration} rdf:resource={quoteattr(o)}/>"
        attrs = ""
        if o.lang:
            attrs = f' xml:lang="{o.lang}"'
        elif o.datatype:
            attrs = f" rdf:datatype={quoteattr(o.datatype)}"
        text = xml_escape(_XML_ILLEGAL.sub("", o.value))
        return f"  <{name}{declaration}{attrs}>{text}</{name}>"

    def end(self) -> str:
        return "</rdf:RDF>\n"


FORMATS = {"nt": NTriples, "ttl": Turtle, "jsonld": JsonLd, "rdfxml": RdfXml}
MEDIA_TYPES = BY_MEDIA_TYPE


def writer(fmt: str):
    try:
        return FORMATS[fmt]()
    except KeyError:
        raise ValueError(f"unknown RDF format {fmt!r}; known: {', '.join(FORMATS)}") from None


def assemble(w, texts: Iterable[str]) -> Iterator[str]:
    """A whole document from rendered blocks (rendered here or in worker processes)."""
    yield w.begin()
    first = True
    for text in texts:
        if not text:
            continue
        if w.separator and not first:
            yield w.separator
        first = False
        yield text
    yield w.end()


def write_document(fmt: str, blocks: Iterable[Iterable[Triple]]) -> Iterator[str]:
    w = writer(fmt)
    return assemble(w, (w.block(triples) for triples in blocks))
