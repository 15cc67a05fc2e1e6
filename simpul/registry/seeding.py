"""Seeding the organizations expected to report: the government of every Kemendagri area of the
levels asked for, and the central ministries and agencies of the shipped list.

**Expected to report** is derived, not stored: an organization is expected to report unless its
parent is at the same level in the same area. A government (Pemerintah Provinsi, Pemerintah
Kabupaten/Kota, a kecamatan, a desa or kelurahan) and a ministry are; an office of one of them
(a dinas under its regency's government, a directorate general under its ministry) is not, it
reports through the body it belongs to. ``expected_organizations`` is that rule as SQL, and
seeding uses the same rule to find the organizations a node already has: an area whose
government is already registered (under any id) is kept as it is, never renamed or moved.

Parents: a province's government has none; a regency's or city's is its province's government; a
district's is its regency's; a village's is its district's organization when the district has
one (seeded or registered), else its regency's. The area tree gives containment whatever the
parents are, and seeding never changes an organization that exists, so seeding ``kecamatan``
after ``desa`` leaves the villages under their regency. Seeding touches no service: it writes
no change-feed entry and nothing for the search index.

A node seeds within its own area (``SIMPUL_NODE_AREA``) by default: a province's node holds its
province, regencies and villages, so the national node that harvests it finds the same
organizations (same ids) instead of governments outside the source's scope that the trust rules
would refuse. The central list is the national node's (``pusat`` needs the scope ``00``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from simpul.errors import InvalidInput
from simpul.reference.areas import LEVEL_DEPTHS, NATIONAL, Area, depth, is_within, load_areas
from simpul.reference.government import central_organizations, government_id, government_name
from simpul.registry.db import Database, utcnow
from simpul.registry.models import Organization

SEEDABLE = ("pusat", "provinsi", "kabkota", "kecamatan", "desa")
CHUNK = 5000  # organizations per insert transaction
# the level whose government a level's organizations need as parent (desa may have a kecamatan)
NEEDS = {"kabkota": "provinsi", "kecamatan": "kabkota", "desa": "kabkota"}


def is_expected(level: str, area: str | None, parent: tuple[str, str | None] | None) -> bool:
    """The rule in Python: ``parent`` is the parent's (level, area), or None."""
    if parent is None:
        return True
    return parent[0] != level or (parent[1] or NATIONAL) != (area or NATIONAL)


def expected_organizations() -> Select:
    """``select(Organization)`` of the organizations expected to report (add filters to it)."""
    parent = aliased(Organization)
    return (
        select(Organization)
        .outerjoin(parent, Organization.parent_id == parent.id)
        .where(
            or_(
                parent.id.is_(None),
                parent.level != Organization.level,
                func.coalesce(parent.area, NATIONAL) != func.coalesce(Organization.area, NATIONAL),
            )
        )
    )


def list_expected(session: Session, *, level: str | None = None) -> list[Organization]:
    query = expected_organizations()
    if level:
        query = query.where(Organization.level == level)
    return list(session.scalars(query.order_by(Organization.id)))


@dataclass
class LevelPlan:
    level: str
    expected: int = 0  # areas (or central bodies) in scope
    create: list[dict[str, Any]] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)  # area code or central id -> org id
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # area -> every candidate


@dataclass
class SeedPlan:
    scope: str
    levels: list[LevelPlan]

    @property
    def changes(self) -> int:
        return sum(len(level.create) for level in self.levels)

    def rows(self) -> list[dict[str, Any]]:
        """Every organization to create, parents before children."""
        return [row for level in self.levels for row in level.create]


class _Known:
    """The organizations the node has, and the government of each (level, area) so far."""

    def __init__(self, session: Session):
        rows = session.execute(
            select(
                Organization.id,
                Organization.level,
                Organization.area,
                Organization.parent_id,
                Organization.name,
            )
        ).all()
        self.ids = {r.id for r in rows}
        where = {r.id: (r.level, r.area) for r in rows}
        self.governments: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.central_names: dict[str, str] = {}
        for r in sorted(rows, key=lambda r: r.id):
            if not is_expected(r.level, r.area, where.get(r.parent_id)):
                continue
            self.governments[(r.level, r.area or NATIONAL)].append(r.id)
            if r.level == "pusat" and isinstance(r.name, dict) and r.name.get("id"):
                self.central_names.setdefault(str(r.name["id"]).casefold(), r.id)

    def government(self, level: str, code: str) -> str | None:
        found = self.governments.get((level, code))
        return found[0] if found else None

    def free_id(self, wanted: str, code: str) -> str:
        """``wanted``, or a variant no organization has (the code keeps it stable)."""
        digits = code.replace(".", "")
        for candidate in (wanted, f"{wanted}-{digits}", *(f"{wanted}-{n}" for n in range(2, 99))):
            if candidate not in self.ids:
                return candidate[:100]
        raise InvalidInput(f"no free organization id for {wanted!r}")


def plan_seed(session: Session, levels: Iterable[str], scope: str = NATIONAL) -> SeedPlan:
    """What seeding ``levels`` within the area ``scope`` would create and keep; writes nothing."""
    wanted = _check_levels(levels, scope)
    known = _Known(session)
    plan = SeedPlan(scope, [])
    for level in wanted:
        if level == "pusat":
            plan.levels.append(_plan_central(known))
        else:
            plan.levels.append(_plan_level(known, level, scope))
    return plan


def _check_levels(levels: Iterable[str], scope: str) -> list[str]:
    asked = [level.strip() for level in levels if level.strip()]
    unknown = [level for level in asked if level not in SEEDABLE]
    if unknown or not asked:
        raise InvalidInput(
            f"unknown level {', '.join(unknown) or '(none)'}; use {', '.join(SEEDABLE)}",
            errors=[{"path": "levels", "message": f"one or more of {', '.join(SEEDABLE)}"}],
        )
    if load_areas().get(scope) is None:
        raise InvalidInput(load_areas().check(scope), errors=[{"path": "area", "message": scope}])
    if "pusat" in asked and scope != NATIONAL:
        raise InvalidInput(
            f"the central ministries and agencies are the national node's to seed, not "
            f"within area {scope!r}; leave pusat out or seed with the area 00",
            errors=[{"path": "levels", "message": "pusat needs the area 00"}],
        )
    return sorted(set(asked), key=SEEDABLE.index)


def _plan_central(known: _Known) -> LevelPlan:
    plan = LevelPlan("pusat")
    now = utcnow()
    for body in central_organizations():
        plan.expected += 1
        existing = (
            body["id"]
            if body["id"] in known.ids
            else known.central_names.get(body["name"]["id"].casefold())
        )
        if existing:
            plan.kept[body["id"]] = existing
            continue
        plan.create.append(
            _row(body["id"], body["name"], "pusat", None, None, body.get("homepage"), now)
        )
        known.ids.add(body["id"])
    return plan


def _areas(level: str, scope: str) -> list[Area]:
    """The areas of ``level`` inside ``scope`` (none when the level is above the scope: a
    regency's node holds no province's government)."""
    areas = load_areas()
    found: list[Area] = []
    stack = [scope] if depth(scope) <= LEVEL_DEPTHS[level] else []
    while stack:
        code = stack.pop()
        if depth(code) == LEVEL_DEPTHS[level]:
            found.append(areas.get(code))
        else:
            stack.extend(child.code for child in areas.children(code))
    return sorted(found, key=lambda area: area.code)


def _above(code: str, level: str) -> str:
    """The area of ``level`` that contains ``code``."""
    return ".".join(code.split(".")[: LEVEL_DEPTHS[level]])


def _plan_level(known: _Known, level: str, scope: str) -> LevelPlan:
    plan = LevelPlan(level)
    missing: list[str] = []
    now = utcnow()
    for area in _areas(level, scope):
        plan.expected += 1
        candidates = known.governments.get((level, area.code))
        if candidates:
            plan.kept[area.code] = candidates[0]
            if len(candidates) > 1:
                plan.ambiguous[area.code] = list(candidates)
            continue
        parent = _parent(known, level, area.code)
        if parent is None and level in NEEDS and is_within(area.parent, scope):
            missing.append(area.code)
            continue
        org_id = known.free_id(government_id(area), area.code)
        plan.create.append(_row(org_id, government_name(area), level, area.code, parent, None, now))
        known.ids.add(org_id)
        known.governments[(level, area.code)].append(org_id)
    if missing:
        need = NEEDS[level]
        raise InvalidInput(
            f"{len(missing)} {level} area(s) ({', '.join(missing[:3])}...) lie in {need} areas "
            f"that have no government organization yet: add {need} to the levels (or seed it "
            "first)",
            errors=[{"path": "levels", "message": f"{level} needs {need}"}],
        )
    return plan


def _parent(known: _Known, level: str, code: str) -> str | None:
    up = code.rsplit(".", 1)[0] if "." in code else None
    if up is None:
        return None
    if level == "desa":
        return known.government("kecamatan", up) or known.government(
            "kabkota", _above(up, "kabkota")
        )
    return known.government(NEEDS[level], up)


def _row(org_id, name, level, area, parent, homepage, now) -> dict[str, Any]:
    return {
        "id": org_id,
        "name": name,
        "level": level,
        "area": area,
        "parent_id": parent,
        "homepage": homepage,
        "uri": None,
        "created": now,
        "modified": now,
    }


def apply_seed(
    db: Database,
    plan: SeedPlan,
    *,
    chunk: int = CHUNK,
    progress: Callable[[int], Any] | None = None,
) -> int:
    """Insert what ``plan`` creates, ``chunk`` organizations per transaction, parents first.
    An id that another writer took since the plan was made is left alone. Returns how many
    organizations were created."""
    rows, created = plan.rows(), 0
    for start in range(0, len(rows), chunk):
        batch = rows[start : start + chunk]
        with db.transaction() as session:
            ids = [row["id"] for row in batch]
            taken = set(session.scalars(select(Organization.id).where(Organization.id.in_(ids))))
            fresh = [row for row in batch if row["id"] not in taken]
            if fresh:
                session.execute(insert(Organization.__table__), fresh)
            created += len(fresh)
        if progress:
            progress(len(batch))
    if created:
        db.analyze("organizations")
    return created
