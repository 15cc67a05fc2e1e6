"""Reading RDF from outside, safely: no DTDs or entities in XML, no remote JSON-LD contexts, a
size limit, and errors that name the line or node."""

from __future__ import annotations

import re
from typing import Any

import orjson
from rdflib import Graph

from simpul.errors import InvalidInput, PayloadTooLarge
from simpul.nesting import check_depth
from simpul.reference.formats import RDFLIB_NAMES

FORMATS = RDFLIB_NAMES
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
DEFAULT_LIMIT = 50 * 1024 * 1024


def rdflib_format(name: str) -> str:
    try:
        return FORMATS[name.lower().split(";")[0].strip()]
    except KeyError:
        raise InvalidInput(
            f"unknown RDF format {name!r}; use Turtle, N-Triples, RDF/XML or JSON-LD"
        ) from None


def guess_format(filename: str, data: bytes) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in FORMATS:
        return FORMATS[suffix]
    head = data[:512].lstrip()
    if head.startswith((b"{", b"[")):
        return "json-ld"
    if head.startswith(b"<?xml") or head.startswith(b"<rdf:RDF"):
        return "xml"
    return "turtle"


def parse(data: bytes, fmt: str, *, limit: int = DEFAULT_LIMIT, base: str | None = None) -> Graph:
    if len(data) > limit:
        raise PayloadTooLarge(f"RDF input of {len(data)} bytes is over the limit of {limit} bytes")
    if fmt == "xml":
        refuse_dtd(data)
    if fmt == "json-ld":
        data = _safe_jsonld(data)
    graph = Graph()
    try:
        graph.parse(data=data, format=fmt, publicID=base)
    except RecursionError:
        raise InvalidInput(f"{fmt} input is nested too deeply to read") from None
    except Exception as exc:  # rdflib raises many types; all mean the input is malformed
        message = " ".join(str(exc).split())[:500]
        raise InvalidInput(f"malformed {fmt} input: {message}") from None
    return graph


def refuse_dtd(data: bytes) -> None:
    if _DTD.search(data):
        raise InvalidInput(
            "RDF/XML with a DTD or entity declarations is refused (no <!DOCTYPE>, "
            "no <!ENTITY>): entities can expand without bound or read local files"
        )


def _safe_jsonld(data: bytes) -> bytes:
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            f"malformed JSON-LD at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    check_depth(document, "the JSON-LD document")
    remote = _remote_contexts(document, "$")
    if remote:
        where, url = remote
        raise InvalidInput(
            f"JSON-LD at {where} refers to a remote @context ({url}); Simpul does "
            "not fetch contexts: inline it instead"
        )
    return data


def _remote_contexts(node: Any, where: str) -> tuple[str, str] | None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                found = _context_urls(value, f"{where}.{key}")
                if found:
                    return found
            found = _remote_contexts(value, f"{where}.{key}")
            if found:
                return found
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found = _remote_contexts(item, f"{where}[{index}]")
            if found:
                return found
    return None


def _context_urls(value: Any, where: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        return where, value
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _context_urls(item, f"{where}[{index}]")
            if found:
                return found
    if isinstance(value, dict) and isinstance(value.get("@import"), str):
        return f"{where}.@import", value["@import"]
    return None
