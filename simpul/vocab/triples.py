"""Reading large RDF documents fast: pyoxigraph's parsers (Rust) into a small read-only index
with the slice of rdflib's Graph API the profile readers use.

Harvesting a catalog of thousands of services spends most of its time in rdflib's Turtle parser
and in ``Graph.add``; pyoxigraph parses the same page 30 times faster. The index hands out
rdflib terms, so ``cpsv_ap_id.parse`` reads it exactly as it reads a Graph. The same safety
rules as ``parsing`` apply: no DTDs or entities in RDF/XML, no remote JSON-LD contexts (JSON-LD
goes through rdflib after the context check), a size limit, errors that name the line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.graph import Graph

from simpul.errors import InvalidInput
from simpul.reference.formats import RDF_FORMATS
from simpul.reference.namespaces import XSD_STRING
from simpul.vocab import parsing

OX_FORMATS = {
    f.rdflib: getattr(ox.RdfFormat, f.oxigraph) for f in RDF_FORMATS.values() if f.oxigraph
}


class TripleIndex:
    """Subject -> predicate -> objects; the reverse (predicate -> object -> subjects) is built
    per predicate on first use, since most readers only ever ask it for ``rdf:type``."""

    def __init__(self, triples: Iterable[tuple] = ()):
        self._spo: dict = defaultdict(lambda: defaultdict(list))
        self._pos: dict = {}
        self._size = 0
        self.nt_of: dict = {}  # rdflib term -> its N-Triples form, as the parser wrote it
        spo = self._spo
        for s, p, o in triples:
            spo[s][p].append(o)
            self._size += 1

    def add(self, triple) -> None:
        s, p, o = triple
        self._spo[s][p].append(o)
        self._size += 1
        self._pos.clear()

    def _reverse(self, predicate) -> dict:
        found = self._pos.get(predicate)
        if found is None:
            found = defaultdict(list)
            for s, by_predicate in self._spo.items():
                for o in by_predicate.get(predicate, ()):
                    found[o].append(s)
            self._pos[predicate] = found
        return found

    def __len__(self) -> int:
        return self._size

    def __contains__(self, triple: tuple) -> bool:
        s, p, o = triple
        objects = self._spo.get(s, {}).get(p, ())
        return bool(objects) if o is None else o in objects

    def objects(self, subject=None, predicate=None) -> Iterator:
        if subject is None:
            yield from self._reverse(predicate)
            return
        by_predicate = self._spo.get(subject, {})
        if predicate is None:
            for objects in by_predicate.values():
                yield from objects
        else:
            yield from by_predicate.get(predicate, ())

    def value(self, subject=None, predicate=None, object=None, default=None):  # noqa: A002
        if subject is None:
            found = self._reverse(predicate).get(object, ())
            return found[0] if found else default
        found = self._spo.get(subject, {}).get(predicate, ())
        return found[0] if found else default

    def subjects(self, predicate=None, object=None) -> Iterator:  # noqa: A002
        if predicate is None:
            yield from self._spo
            return
        by_object = self._reverse(predicate)
        if object is None:
            yield from dict.fromkeys(s for subjects in by_object.values() for s in subjects)
        else:
            yield from dict.fromkeys(by_object.get(object, ()))

    def predicate_objects(self, subject) -> Iterator[tuple]:
        for p, objects in self._spo.get(subject, {}).items():
            for o in objects:
                yield p, o

    def triples(self) -> Iterator[tuple]:
        for s, by_predicate in self._spo.items():
            for p, objects in by_predicate.items():
                for o in objects:
                    yield s, p, o


def _term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    datatype = term.datatype.value
    if term.language:
        return Literal(term.value, lang=term.language)
    if datatype == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def parse(data: bytes, fmt: str, *, base: str | None = None, limit: int | None = None):
    """A TripleIndex of an RDF document (``fmt`` as in ``parsing``: turtle, nt, xml, json-ld).
    Raises InvalidInput naming what is wrong and where."""
    if limit is not None and len(data) > limit:
        raise InvalidInput(f"RDF input of {len(data)} bytes is over the limit of {limit} bytes")
    if fmt == "json-ld":  # through rdflib, after refusing remote contexts
        graph: Graph = parsing.parse(data, fmt, base=base, limit=len(data) + 1)
        return TripleIndex(graph)
    if fmt == "xml":
        parsing.refuse_dtd(data)
    if fmt not in OX_FORMATS:
        raise InvalidInput(f"unsupported RDF format {fmt!r}")
    index = TripleIndex()
    terms: dict = {}
    nt_of, spo, size = index.nt_of, index._spo, 0
    try:
        for quad in ox.parse(data, format=OX_FORMATS[fmt], base_iri=base, lenient=False):
            triple = []
            for term in (quad.subject, quad.predicate, quad.object):
                found = terms.get(term)
                if found is None:
                    found = terms[term] = _term(term)
                    nt_of[found] = str(term)
                triple.append(found)
            spo[triple[0]][triple[1]].append(triple[2])
            size += 1
    except (SyntaxError, ValueError) as exc:
        raise InvalidInput(f"malformed {fmt} input: {' '.join(str(exc).split())[:500]}") from None
    index._size = size
    return index


def nt(triple: tuple, nt_of: dict | None = None) -> str:
    """One N-Triples line; with ``nt_of`` (a TripleIndex's) the parser's own spelling."""
    if nt_of:
        try:
            return f"{nt_of[triple[0]]} {nt_of[triple[1]]} {nt_of[triple[2]]} .\n"
        except KeyError:
            pass
    s, p, o = triple
    return f"{s.n3()} {p.n3()} {o.n3()} .\n"
