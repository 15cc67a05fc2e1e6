"""Completeness of a record against the 14 components of the service standard (PermenPANRB
15/2014), plus what citizens need to find and use it, and the gaps of a record taken as it
exists (a channel without its address, a name without Indonesian, a very long name). Shown with
each record and in harvest reports; a record with gaps is still stored."""

from __future__ import annotations

from typing import Any

from simpul.reference.languages import pick

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


# channel type -> the field that says where to reach it
ADDRESS_OF = {
    "online": "url",
    "api": "url",
    "aplikasi-mobile": "url",
    "telepon": "phone",
    "sms": "phone",
    "email": "email",
}
NAME_LONG = 300  # characters; longer names are kept (up to schemas.NAME_MAX) and flagged
GAP_CODES = ("no-indonesian-name", "name-long", "channel-without-address")


def gaps(data: dict[str, Any]) -> list[dict[str, str]]:
    """What a record taken as it exists lacks, each ``{"code", "field", "message"}`` (codes in
    ``GAP_CODES``), in the record's order."""
    out: list[dict[str, str]] = []
    name = data.get("name") if isinstance(data.get("name"), dict) else {}
    if name and "id" not in name:
        languages = ", ".join(sorted(name))
        out.append(_gap("no-indonesian-name", "name", f"no Indonesian name (only {languages})"))
    long = sorted(lang for lang, text in name.items() if len(text) > NAME_LONG)
    if long:
        out.append(
            _gap(
                "name-long", "name", f"name longer than {NAME_LONG} characters ({', '.join(long)})"
            )
        )
    for index, channel in enumerate(data.get("channels") or []):
        kind = channel.get("type") if isinstance(channel, dict) else None
        key = ADDRESS_OF.get(kind)
        if key and not channel.get(key):
            name = pick(channel.get("name"))
            label = f"{name}, {kind}" if name else kind
            out.append(
                _gap(
                    "channel-without-address",
                    f"channels[{index}].{key}",
                    f"channel {index + 1} ({label}) has no {key}",
                )
            )
    return out


def _gap(code: str, field: str, message: str) -> dict[str, str]:
    return {"code": code, "field": field, "message": message}


def gap_codes(data: dict[str, Any]) -> list[str]:
    """The codes of the record's gaps, each once (harvest reports count records per code)."""
    return list(dict.fromkeys(g["code"] for g in gaps(data)))


def quality(data: dict[str, Any]) -> dict[str, Any]:
    """``{"completeness": share of the 14 components present, "missing": [...],
    "gaps": [...]}``"""
    absent = missing(data)
    count = sum(1 for path, _ in COMPONENTS if path not in absent)
    return {
        "completeness": round(count / len(COMPONENTS), 2),
        "missing": absent,
        "gaps": gaps(data),
    }


# Housekeeping an agency should see (``registry/checklists.py``), kept per record as bits of
# ``services.chores`` so that the checklist counts of a province are one grouped query.
CHORE_NO_CHANNELS = 1  # no channel, or only channels without their address
CHORE_NO_ENGLISH = 2  # no English name, or no English description


def chores(data: dict[str, Any]) -> int:
    """The housekeeping bits of a record as stored."""
    bits = 0
    channels = [c for c in data.get("channels") or [] if isinstance(c, dict)]
    if not any(not ADDRESS_OF.get(c.get("type")) or c.get(ADDRESS_OF[c["type"]]) for c in channels):
        bits |= CHORE_NO_CHANNELS
    for key in ("name", "description"):
        text = data.get(key)
        if not isinstance(text, dict) or not text.get("en"):
            bits |= CHORE_NO_ENGLISH
    return bits
