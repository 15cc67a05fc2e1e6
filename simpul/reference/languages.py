"""Which text of a language map to show.

A record's texts are language maps (``{"id": "Akta Kelahiran", "en": "Birth certificate"}``).
An inventory takes records as they exist, so a map may lack Indonesian (a Norwegian catalog's
names are ``nb`` only): every place that shows one text picks it here, so that none shows
nothing or fails on ``name["id"]``.
"""

from __future__ import annotations

from collections.abc import Mapping

PREFERRED = ("id", "en")  # Indonesian first, then English, then any other in code order


def pick_language(texts: Mapping[str, str] | None, lang: str | None = None) -> str | None:
    """The language whose text to show: ``lang`` when the map has it, else Indonesian, else
    English, else the first other language in code order (stable whatever order a database
    returned the keys in); None for an empty map."""
    if not texts:
        return None
    if lang and texts.get(lang):
        return lang
    for code in PREFERRED:
        if texts.get(code):
            return code
    return min(texts)


def pick(texts: Mapping[str, str] | None, lang: str | None = None) -> str:
    """The text to show of a language map (see ``pick_language``); '' for none."""
    code = pick_language(texts, lang)
    return texts[code] if code else ""  # type: ignore[index]


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis: for
    display only (the record keeps its full text)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"
