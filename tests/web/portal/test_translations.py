"""The Indonesian catalog covers every message of the portal and is compiled: a string added
to a template or view without a translation fails here, not in front of a citizen."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PORTAL = Path(__file__).resolve().parents[3] / "simpul" / "web" / "portal"
CATALOG = PORTAL / "translations" / "id" / "LC_MESSAGES"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": (1, 2),
    "T_": None,
}


def extracted() -> set:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(PORTAL), method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_message_has_an_indonesian_translation():
    with (CATALOG / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {
        m.id
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    used = extracted()
    assert len(used) > 200, "the portal's messages were not found in its sources"
    missing = sorted(map(str, used - translated))
    assert not missing, f"untranslated (run `make translations`, then fill in the .po): {missing}"


def _entries(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_the_compiled_catalog_matches_its_source():
    with (CATALOG / "messages.po").open("rb") as fh:
        source = _entries(read_po(fh))
    with (CATALOG / "messages.mo").open("rb") as fh:
        compiled = _entries(read_mo(io.BytesIO(fh.read())))
    assert compiled == source, "run `make translations` to compile the .po"
