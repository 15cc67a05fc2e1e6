"""The editor's notice when a record's national service type changed: the type's diff in
plain words, beside what the record has, with the adopt and confirm buttons."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from simpul.web.portal.forms import label_for

SECTIONS = {
    "kind": _l("Kind of service"),
    "applies_to": _l("Levels where it applies"),
    "mandatory_at": _l("Levels where it is mandatory"),
    "status": _l("Status of the type"),
    "superseded_by": _l("Superseded by"),
    "sectors": _l("Sectors"),
    "life_events": _l("Life events"),
    "audiences": _l("Who it is for"),
}
STATUSES = {
    "type-changed": _l("The national service type of this record changed"),
    "type-retired": _l("The national service type of this record was retired"),
}


def notice(review_of: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the editor shows for a pending flag (None when there is none)."""
    if not review_of or not review_of.get("pending"):
        return None
    flag = review_of["review"]
    rows = [
        {
            "label": _label(s),
            "functional": s["functional"],
            "old": show(s.get("old")),
            "new": show(s.get("new")),
            "record": s.get("record"),
            "own": show(s.get("own")) if "own" in s else None,
        }
        for s in review_of["sections"]
    ]
    return {
        "title": STATUSES.get(flag.get("status"), STATUSES["type-changed"]),
        "flag": flag,
        "rows": rows,
        "retired": flag.get("status") == "type-retired",
    }


def _label(section: dict[str, Any]) -> str:
    if section.get("component"):
        return label_for(section["component"])
    return str(SECTIONS.get(section["section"], section["section"]))


def show(value: Any) -> str:
    """A type's value in a line of text (language maps by their Indonesian text)."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        return "; ".join(show(v) for v in value)
    if isinstance(value, dict):
        if "amount" in value:
            return f"{value.get('currency', 'IDR')} {value['amount']:,}".replace(",", ".")
        for key in ("id", "title", "name"):
            if key in value:
                return show(value[key])
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    return str(value)
