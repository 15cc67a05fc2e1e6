"""SHACL validation with Simpul's CPSV-AP-ID shapes (and any extra shapes, such as the official
CPSV-AP ones), reported in terms a publisher knows: the record field, the problem, in Indonesian
and English."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")
FIELDS = {
    "http://purl.org/dc/terms/identifier": "identifier",
    "http://purl.org/dc/terms/title": "name",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/spatial": "areas",
    "http://purl.org/dc/terms/type": "type",
    "http://data.europa.eu/m8g/hasCompetentAuthority": "authority",
    "http://data.europa.eu/m8g/processingTime": "processing_time",
    "http://data.europa.eu/m8g/hasCost": "cost",
    "http://data.europa.eu/m8g/hasValue": "amount",
    "http://data.europa.eu/m8g/currency": "currency",
    "http://data.europa.eu/m8g/holdsRequirement": "requirements",
    "http://purl.org/vocab/cpsv#follows": "procedure",
    "http://purl.org/vocab/cpsv#produces": "outputs",
    "http://data.europa.eu/m8g/hasLegalResource": "legal_basis",
    "https://schema.org/url": "url",
    "https://simpul.go.id/ns/cpsv-ap-id#complaints": "complaints",
    "https://simpul.go.id/ns/cpsv-ap-id#staffCount": "management.staff_count",
    "https://simpul.go.id/ns/cpsv-ap-id#integrationStatus": "integration.status",
    "https://simpul.go.id/ns/cpsv-ap-id#level": "level",
    "https://simpul.go.id/ns/cpsv-ap-id#descriptionMissing": "description",
    "https://simpul.go.id/ns/cpsv-ap-id#serviceType": "type",
    "http://data.europa.eu/m8g/isClassifiedBy": "type",
}
# fragment of a node owned by a record -> the record field holding it
OWNED = {
    "channel": "channels",
    "requirement": "requirements",
    "output": "outputs",
    "step": "procedure",
    "legal": "legal_basis",
    "cost": "cost",
    "contact": "contact",
    "complaints": "complaints",
}
SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@cache
def simpul_shapes() -> Graph:
    path = resources.files("simpul.vocab") / "shapes" / "cpsv-ap-id.ttl"
    return Graph().parse(data=path.read_text(encoding="utf-8"), format="turtle")


def focus_nodes(data: Graph) -> int:
    """How many nodes of ``data`` Simpul's shapes would check (members of a target class):
    what the cost of a validation grows with."""
    targets = set(simpul_shapes().objects(None, SH.targetClass))
    return len({s for s, o in data.subject_objects(RDF.type) if o in targets})


def validate(data: Graph, extra_shapes: list[Graph] | None = None) -> dict[str, Any]:
    """``{"conforms", "violations", "warnings", "results": [...]}``; warnings do not break
    conformance (they name missing parts of the service standard)."""
    shapes = simpul_shapes()
    if extra_shapes:
        shapes = shapes + sum(extra_shapes, Graph())
    _, report, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, allow_infos=True
    )
    results = [_result(report, node) for node in report.subjects(RDF.type, SH.ValidationResult)]
    results.sort(key=lambda r: (r["severity"] != "violation", r["focus"], r["field"] or ""))
    violations = sum(1 for r in results if r["severity"] == "violation")
    return {
        "conforms": violations == 0,
        "violations": violations,
        "warnings": sum(1 for r in results if r["severity"] == "warning"),
        "results": results,
    }


def _result(report: Graph, node) -> dict[str, Any]:
    focus = str(report.value(node, SH.focusNode))
    path = report.value(node, SH.resultPath)
    messages = {
        m.language or "en": str(m)
        for m in report.objects(node, SH.resultMessage)
        if isinstance(m, Literal)
    }
    value = report.value(node, SH.value)
    return {
        "severity": SEVERITIES.get(report.value(node, SH.resultSeverity), "violation"),
        "focus": focus,
        "path": str(path) if path is not None else None,
        "field": field_path(focus, str(path) if path is not None else None),
        "message": {
            "id": messages.get("id", messages.get("en", "")),
            "en": messages.get("en", messages.get("id", "")),
        },
        "value": str(value) if value is not None else None,
    }


def field_path(focus: str, path: str | None) -> str | None:
    """``channels[1].url`` for a problem on ``<service>#channel-2`` at ``schema:url``."""
    leaf = FIELDS.get(path or "")
    if "#" not in focus:
        return leaf
    fragment = focus.rsplit("#", 1)[1]
    name, _, number = fragment.rpartition("-")
    if not name:
        name, number = fragment, ""
    owner = OWNED.get(name)
    if owner is None:
        return leaf
    where = f"{owner}[{int(number) - 1}]" if number.isdigit() else owner
    return f"{where}.{leaf}" if leaf and leaf != owner else where


def report_text(report: dict[str, Any], lang: str = "id") -> str:
    lines = []
    for r in report["results"]:
        where = r["field"] or r["path"] or ""
        lines.append(f"{r['severity']}: {where}: {r['message'][lang]} ({r['focus']})")
    verdict = "sesuai" if report["conforms"] else "tidak sesuai"
    if lang == "en":
        verdict = "conforms" if report["conforms"] else "does not conform"
    lines.append(f"{verdict}: {report['violations']} violation(s), {report['warnings']} warning(s)")
    return "\n".join(lines)
