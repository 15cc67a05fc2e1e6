"""Completeness of a record against the 14 components of the service standard (PermenPANRB
15/2014), plus what citizens need to find and use it. Shown with each record and in harvest
reports; a harvested record with gaps is still imported."""

from __future__ import annotations

from typing import Any

# (field path, Indonesian name of the component)
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("requirements", "persyaratan"),
    ("procedure", "sistem, mekanisme dan prosedur"),
    ("processing_time", "jangka waktu penyelesaian"),
    ("cost", "biaya/tarif"),
    ("outputs", "produk pelayanan"),
    ("complaints", "penanganan pengaduan, saran dan masukan"),
    ("legal_basis", "dasar hukum"),
    ("management.facilities", "sarana, prasarana dan/atau fasilitas"),
    ("management.staff_competence", "kompetensi pelaksana"),
    ("management.internal_supervision", "pengawasan internal"),
    ("management.staff_count", "jumlah pelaksana"),
    ("management.service_guarantee", "jaminan pelayanan"),
    ("management.safety_guarantee", "jaminan keamanan dan keselamatan pelayanan"),
    ("management.performance_evaluation", "evaluasi kinerja pelaksana"),
)
FINDABILITY = ("description", "channels", "sectors", "contact")


# each path split once (a bulk load counts the components of every record it stores)
_COMPONENT_PARTS = tuple(tuple(path.split(".")) for path, _ in COMPONENTS)
_ALL = tuple((path, tuple(path.split("."))) for path in [p for p, _ in COMPONENTS] + [*FINDABILITY])


def _present(data: dict[str, Any], parts: tuple[str, ...]) -> bool:
    value: Any = data
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return value not in (None, "", [], {})


def missing(data: dict[str, Any]) -> list[str]:
    """Field paths of the standard's components and findability fields the record lacks."""
    return [path for path, parts in _ALL if not _present(data, parts)]


def present(data: dict[str, Any]) -> int:
    """How many of the 14 components the record has."""
    return sum(_present(data, parts) for parts in _COMPONENT_PARTS)


def quality(data: dict[str, Any]) -> dict[str, Any]:
    """``{"completeness": share of the 14 components present, "missing": [...]}``"""
    gaps = missing(data)
    count = sum(1 for path, _ in COMPONENTS if path not in gaps)
    return {"completeness": round(count / len(COMPONENTS), 2), "missing": gaps}
