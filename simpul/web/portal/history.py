"""What changed between two versions of a record: field by field, words within a text."""

from __future__ import annotations

import difflib
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

ACTIONS = {
    "created": _l("created"),
    "updated": _l("updated"),
    "deleted": _l("withdrawn"),
    "restored": _l("restored"),
}

TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """``{"channels[0].url": "https://..."}``: every leaf of a record under its path."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{index}]"))
    elif data is not None:
        out[prefix] = str(data)
    return out


def diff(older: dict[str, Any] | None, newer: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Rows ``{"path", "before", "after", "change", "words"}`` for every field that differs,
    in the order the fields appear in the newer version (removed fields last)."""
    before, after = flatten(older or {}), flatten(newer or {})
    paths = list(after) + [p for p in before if p not in after]
    rows = []
    for path in paths:
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        change = "added" if old is None else "removed" if new is None else "changed"
        rows.append(
            {
                "path": path,
                "before": old,
                "after": new,
                "change": change,
                "words": words(old or "", new or "") if change == "changed" else None,
            }
        )
    return rows


def words(old: str, new: str) -> Markup:
    """``new`` with removed words in ``<del>`` and added words in ``<ins>``."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("replace", "insert"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
    return Markup("".join(out))  # noqa: S704 - every piece was escaped above
