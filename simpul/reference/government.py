"""Who governs where: the government organization of each Kemendagri area, named as the area list
names the area, and the shipped list of central ministries and agencies.

Ids are stable: a province or regency is known by its name (``pemprov-gorontalo``,
``pemkab-gorontalo``, ``pemkot-gorontalo``, as the demo federation names them), a district or
village by its name and its code, since their names repeat across the country
(``desa-talumopatu-7503012004``). Village codes whose number starts with 1 are kelurahan (urban
wards, offices of the regency), the others desa (self-governing villages).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

from simpul.reference.areas import Area

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
KINDS = ("kementerian-koordinator", "kementerian", "lembaga")


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_SLUG.sub("-", folded).strip("-")


def is_kelurahan(code: str) -> bool:
    return code.rsplit(".", 1)[-1].startswith("1")


def _regency(name: str) -> tuple[str, str, str]:
    """('kota'|'kabupaten', the name after the kind, the English kind) of a regency or city."""
    kind, rest = name.split(" ", 1)
    english = "City" if kind == "Kota" else "Regency"
    if rest.startswith("Administrasi "):
        rest, english = rest.removeprefix("Administrasi "), f"Administrative {english}"
    return kind.lower(), rest, english


def government_id(area: Area) -> str:
    """The id a seeded government organization of ``area`` gets."""
    digits = area.code.replace(".", "")
    match area.level:
        case "provinsi":
            return f"pemprov-{slug(area.name)}"
        case "kabkota":
            kind, rest, _ = _regency(area.name)
            return f"{'pemkot' if kind == 'kota' else 'pemkab'}-{slug(rest)}"
        case "kecamatan":
            return f"kecamatan-{slug(area.name)}-{digits}"
        case "desa":
            kind = "kelurahan" if is_kelurahan(area.code) else "desa"
            return f"{kind}-{slug(area.name)}-{digits}"
    raise ValueError(f"no government organization for {area.code!r}")


def government_name(area: Area) -> dict[str, str]:
    """The Indonesian and English name of the government organization of ``area``."""
    name = area.name
    match area.level:
        case "provinsi":
            return {"id": f"Pemerintah Provinsi {name}", "en": f"Provincial Government of {name}"}
        case "kabkota":
            _, rest, english = _regency(name)
            return {"id": f"Pemerintah {name}", "en": f"Government of {rest} {english}"}
        case "kecamatan":
            return {"id": f"Kecamatan {name}", "en": f"{name} District"}
        case "desa":
            if is_kelurahan(area.code):
                return {"id": f"Kelurahan {name}", "en": f"{name} Urban Village"}
            return {"id": f"Pemerintah Desa {name}", "en": f"{name} Village Government"}
    raise ValueError(f"no government organization for {area.code!r}")


@cache
def central_organizations() -> tuple[dict[str, Any], ...]:
    """The ministries of the current cabinet and the main non-ministerial agencies: ``id``,
    ``name`` (id, en), ``abbreviation``, ``kind`` (one of KINDS), ``homepage`` where known."""
    path = resources.files("simpul.reference") / "data" / "central-organizations.jsonl"
    with path.open("r", encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh if line.strip())
