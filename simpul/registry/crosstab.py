"""Cross-tables of live active services over two dimensions chosen by the user, with row and
column totals (``GET /api/v1/reports/crosstab``).

A dimension is a column of one grouped query: the level, the child area of the area filter
(by the authority's area; central bodies are ``00``, apart), the integration status, the service
type, and the sectors (a JSON list: a service counts in each of its sectors, once in each total).
A new dimension (a roadmap phase) is one more entry in ``DIMENSIONS``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.reference.areas import NATIONAL, depth, load_areas
from simpul.registry.coverage_units import check_area
from simpul.registry.models import Organization, Service
from simpul.registry.reportfilters import within
from simpul.tables import Column, Table

CODE_LENGTHS = {1: 2, 2: 5, 3: 8, 4: 13}  # characters of a Kemendagri code at each depth
NONE = "none"


@dataclass(frozen=True)
class Dimension:
    column: Callable[[str], Any]  # the area filter -> the SQL expression grouped by
    many: bool = False  # the value is a JSON list: one count per member


def _child_area(area: str):
    below = depth(area) + 1
    if below not in CODE_LENGTHS:  # a village has no children: itself
        return func.coalesce(Organization.area, NATIONAL)
    central = (Organization.level == "pusat") | Organization.area.is_(None)
    return case((central, NATIONAL), else_=func.substr(Organization.area, 1, CODE_LENGTHS[below]))


DIMENSIONS: dict[str, Dimension] = {
    "level": Dimension(lambda area: Service.level),
    "area": Dimension(_child_area),
    "sector": Dimension(lambda area: cast(Service.data["sectors"], Text), many=True),
    "integration": Dimension(lambda area: Service.data["integration"]["status"].as_string()),
    "type": Dimension(lambda area: Service.type_id),
}


def _check(rows: str, cols: str) -> None:
    errors = {}
    for name, value in (("rows", rows), ("cols", cols)):
        if value not in DIMENSIONS:
            errors[name] = f"one of {', '.join(DIMENSIONS)}"
    if not errors and rows == cols:
        errors["cols"] = "a dimension other than rows"
    if errors:
        raise ValidationFailed.from_messages(errors)


def _values(raw: Any, many: bool) -> set[str]:
    if not many:
        return {raw if raw is not None else NONE}
    found = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    members = {str(v) for v in found} if isinstance(found, list) else set()
    return members or {NONE}


def _filtered(query, area: str, filters: dict[str, str | None]):
    query = query.where(Service.deleted_at.is_(None), Service.status == "active")
    if area != NATIONAL:
        query = query.where(within(Organization.area, area))
    if filters.get("level"):
        query = query.where(Service.level == filters["level"])
    if filters.get("integration"):
        query = query.where(DIMENSIONS["integration"].column(area) == filters["integration"])
    if filters.get("type"):
        query = query.where(Service.type_id == filters["type"])
    if filters.get("sector"):  # narrowed in Python: JSON list membership differs by database
        query = query.where(cast(Service.data["sectors"], Text).contains(filters["sector"]))
    return query


def crosstab(
    session: Session, rows: str, cols: str, *, area: str | None = None, **filters: str | None
) -> dict[str, Any]:
    """Counts of services by (row value, column value), row and column totals, the total."""
    _check(rows, cols)
    area = check_area(area)
    dims = (DIMENSIONS[rows], DIMENSIONS[cols])
    keys = [dims[0].column(area), dims[1].column(area)]
    if filters.get("sector"):
        keys.append(DIMENSIONS["sector"].column(area))
    inner = select(*(key.label(f"k{n}") for n, key in enumerate(keys)))
    inner = _filtered(inner.join(Organization, Organization.id == Service.authority), area, filters)
    inner = inner.subquery()  # PostgreSQL groups by its columns, not by two JSON paths
    grouped = list(inner.c)
    query = select(*grouped, func.count()).group_by(*grouped)
    cells: Counter = Counter()
    row_totals: Counter = Counter()
    col_totals: Counter = Counter()
    total = 0
    for *raw, n in session.execute(query):
        r_raw, c_raw = raw[0], raw[1]
        if filters.get("sector") and filters["sector"] not in _values(raw[2], True):
            continue
        r_values, c_values = _values(r_raw, dims[0].many), _values(c_raw, dims[1].many)
        for r in r_values:
            row_totals[r] += n
            for c in c_values:
                cells[(r, c)] += n
        for c in c_values:
            col_totals[c] += n
        total += n
    return _result(rows, cols, area, filters, cells, row_totals, col_totals, total)


def _result(rows, cols, area, filters, cells, row_totals, col_totals, total) -> dict[str, Any]:
    row_values, col_values = sorted(row_totals), sorted(col_totals)
    return {
        "rows": rows,
        "cols": cols,
        "area": area,
        "filters": {k: v for k, v in filters.items() if v},
        "row_values": [_label(rows, v) for v in row_values],
        "col_values": [_label(cols, v) for v in col_values],
        "cells": [[cells.get((r, c), 0) for c in col_values] for r in row_values],
        "row_totals": [row_totals[r] for r in row_values],
        "col_totals": [col_totals[c] for c in col_values],
        "total": total,
    }


def _label(dimension: str, value: str) -> dict[str, Any]:
    if dimension == "area":
        found = load_areas().get(value)
        return {"value": value, "name": found.name if found and value != NATIONAL else None}
    return {"value": value}


def crosstab_table(result: dict[str, Any]) -> Table:
    """The cross-table as a spreadsheet: one row per row value, a column per column value, the
    totals last."""
    columns = [Column(result["rows"], width=24)]
    columns += [Column(str(c["value"]), "integer", 12) for c in result["col_values"]]
    columns.append(Column("total", "integer", 12))
    body = [
        [r["value"], *cells, result["row_totals"][i]]
        for i, (r, cells) in enumerate(zip(result["row_values"], result["cells"], strict=True))
    ]
    body.append(["total", *result["col_totals"], result["total"]])
    filters = {"rows": result["rows"], "cols": result["cols"], "area": result["area"]}
    return Table("Tabulasi", columns, body, filters | result["filters"])
