"""Harvesting: source types behind one interface (``base.Harvester``), a runner that owns jobs,
guarded fetching. Source types are plugins: the built-ins below by name, imported lazily, and
third-party ones through the ``simpul.harvesters`` entry point group."""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from simpul.errors import ValidationFailed

BUILTIN = {
    "ckan": "simpul.harvesters.types.ckan:CkanHarvester",
    "rdf": "simpul.harvesters.types.rdf:RdfHarvester",
    "spreadsheet": "simpul.harvesters.types.spreadsheet:SpreadsheetHarvester",
    "json": "simpul.harvesters.types.jsonapi:JsonHarvester",
    "api-gateway": "simpul.harvesters.types.apigateway:ApiGatewayHarvester",
    "simpul": "simpul.harvesters.types.simpul:SimpulHarvester",
    "hsds": "simpul.harvesters.types.hsds:HsdsHarvester",
}
ENTRY_POINT_GROUP = "simpul.harvesters"


def known_types() -> list[str]:
    names = set(BUILTIN) | {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(names)


def harvester_class(name: str):
    """The Harvester subclass registered as ``name``; an unknown name lists the known ones."""
    target = BUILTIN.get(name)
    if target is not None:
        module, _, attr = target.partition(":")
        return getattr(import_module(module), attr)
    for ep in entry_points(group=ENTRY_POINT_GROUP, name=name):
        return ep.load()
    raise ValidationFailed.from_messages(
        {"type": f"unknown source type {name!r}; known: {', '.join(known_types())}"}
    )
