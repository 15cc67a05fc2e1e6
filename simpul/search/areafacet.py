"""The ``area`` facet: how many matching services reach each child area of the area asked for
(no area: the provinces), the same on every backend.

A service counts once in every child area it covers: in each child that holds one of its areas
(however many of them lie in that child), and in every child when one of its areas covers the
whole asked area (a provincial service in each regency of its province). National services
(area ``00``) would count everywhere: they are reported apart, under the facet ``national``. So
a child's count plus the national count is the total of the same search with ``area`` set to
that child.

Each document carries ``reach_1`` .. ``reach_4``: the provinces, regencies, districts and
villages its areas lie in or are (``reach_fields``). The backends count ``reach_<d>`` (``d`` the
depth of the children) over the matching services that cover only parts of the asked area
(``inner``), and count the ones that cover all of it (``wide``) and the national ones apart;
``buckets`` puts the numbers together.
"""

from __future__ import annotations

from typing import Any

from simpul.reference.areas import NATIONAL, ancestors, depth, load_areas

DEPTHS = (1, 2, 3, 4)
REACH_FIELDS = tuple(f"reach_{d}" for d in DEPTHS)
MAX_CHILDREN = 10_000  # buckets asked of the engine (an area has a few hundred children at most)


def reach_fields(areas: list[str]) -> dict[str, list[str]]:
    """The areas a document's areas lie in or are, by depth (``00`` in none)."""
    out: dict[str, list[str]] = {name: [] for name in REACH_FIELDS}
    for code in areas:
        for up in ancestors(code):
            if up != NATIONAL:
                found = out[f"reach_{depth(up)}"]
                if up not in found:
                    found.append(up)
    return out


class AreaFacet:
    """What to count for the area asked for (``None``: the nation)."""

    def __init__(self, area: str | None):
        self.area = area or NATIONAL
        self.level = depth(self.area) + 1  # the depth of the children
        # services covering the whole area (not national): one of their areas is it or above it
        self.wide_codes = [code for code in ancestors(self.area) if code != NATIONAL]

    @property
    def has_children(self) -> bool:
        return self.level in DEPTHS

    @property
    def field(self) -> str:
        return f"reach_{self.level}"

    @property
    def prefix(self) -> str:
        return "" if self.area == NATIONAL else self.area + "."

    def buckets(
        self, inner: dict[str, int], wide: int, national: int
    ) -> dict[str, list[dict[str, Any]]]:
        """The two facets from the engine's counts: ``inner`` per ``reach_<d>`` value."""
        counts = {code: n for code, n in inner.items() if code.startswith(self.prefix) and n}
        if wide and self.has_children:
            for child in load_areas().children(self.area):
                counts[child.code] = counts.get(child.code, 0) + wide
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return {
            "area": [{"value": code, "count": n} for code, n in ordered],
            "national": [{"value": NATIONAL, "count": national}] if national else [],
        }


FACET_NAMES = ("area", "national")
