"""Highlighting of searched words, shared by the API and the portal: the text is escaped first,
then the words whose stem was searched are wrapped in ``<mark>``, so an agency's text can never
bring its own markup into a page or into a portal that shows the API's ``highlight``."""

from __future__ import annotations

import re
from collections.abc import Collection

from markupsafe import escape

from simpul.search.analysis import stem

WORDS = re.compile(r"\w+|\W+")


def mark(text: str | None, terms: Collection[str]) -> str:
    """``text`` as HTML: escaped, with the words matching ``terms`` (lowercase words or their
    stems) inside ``<mark>``."""
    out = []
    for token in WORDS.findall(text or ""):
        low = token.lower()
        if terms and token[0].isalnum() and (low in terms or stem(low) in terms):
            out.append(f"<mark>{escape(token)}</mark>")
        else:
            out.append(str(escape(token)))
    return "".join(out)
