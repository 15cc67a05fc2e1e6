"""Comparison of the instances of a national service type (issue 14): how the agencies that
offer one type differ, over the *effective* records (what a record leaves empty is its type's).

The ministry sees that a birth certificate takes 1 day in one city and 14 in another: spread,
quartiles and outliers (the IQR rule) of processing time and cost, the requirements most
instances ask and the ones a single instance asks, online channels, completeness against the 14
components, integration status, and which components records leave to the type.

One query over the type's live instances (the ``(type_id, deleted_at)`` index), streamed; each
row is reduced to a small ``Instance`` as it comes, so the work is linear in the instances and
the memory is a few hundred bytes per instance however long the records' texts are.
"""

from __future__ import annotations

import heapq
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from simpul.errors import ValidationFailed
from simpul.reference import codelists
from simpul.reference.areas import NATIONAL, ancestors, is_within, load_areas
from simpul.registry import types
from simpul.registry.models import Organization, Service
from simpul.registry.quality import COMPONENTS
from simpul.registry.schemas import DURATION

ONLINE = frozenset({"online", "api", "aplikasi-mobile"})
LISTED = 50  # outliers and single-instance requirements listed (their totals are given)
COMMON = 20  # requirements listed among the most asked
STREAM = 1000  # rows fetched at a time
_DAYS = {"Y": 365.0, "M": 30.0, "W": 7.0, "D": 1.0}
_TIME = {"H": 1 / 24, "M": 1 / 1440, "S": 1 / 86400}
_WORD = re.compile(r"[^\w]+")
_NUMBERING = re.compile(r"^(?:\d+|[a-z])\s+(?=\w)")


class Instance(NamedTuple):
    """What the comparison keeps of one record."""

    id: str
    uri: str
    identifier: str
    name: Mapping[str, str]
    authority: str
    organization: Mapping[str, str]
    area: str | None  # the authority's area
    processing_time: str | None
    days: float | None
    cost: float | None  # in IDR; None when unknown or in another currency
    online: bool
    completeness: int
    integration: str
    inherited: tuple[str, ...]

    def ref(self) -> dict[str, Any]:
        """How an outlier or a requirement names the record and its organization."""
        return {
            "id": self.id,
            "uri": self.uri,
            "identifier": self.identifier,
            "name": dict(self.name),
            "authority": self.authority,
            "organization": dict(self.organization),
        }


# -- values --------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def duration_days(value: str | None) -> float | None:
    """An ISO 8601 duration in days (a month is 30 days, a year 365); None when unreadable."""
    if not isinstance(value, str) or not DURATION.match(value):
        return None
    date, _, time = value[1:].partition("T")
    days = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)([YMWDHS])", date):
        days += float(number) * _DAYS[unit]
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)([YMWDHS])", time):
        days += float(number) * _TIME[unit]
    return days


def normalise_requirement(item: Any) -> tuple[str, str] | None:
    """(key, text shown) of one requirement: case, punctuation, spacing and a leading list
    number do not make two requirements differ."""
    if isinstance(item, dict):  # records are decoded JSON: dict, not the slower ABC check
        text = item.get("id") or next((v for v in item.values() if isinstance(v, str)), None)
    else:
        text = item if isinstance(item, str) else None
    return _normalised(text) if text else None


@lru_cache(maxsize=65536)  # the same requirements recur across regions
def _normalised(text: str) -> tuple[str, str] | None:
    key = _NUMBERING.sub("", " ".join(_WORD.sub(" ", text.casefold()).split()))
    return (key, text.strip()) if key else None


def _cost(value: Any) -> float | None:
    if not isinstance(value, dict) or value.get("currency", "IDR") != "IDR":
        return None
    amount = value.get("amount")
    return float(amount) if isinstance(amount, (int, float)) else None


def _channel_types(channels: Any) -> set[str]:
    return {c.get("type") for c in channels or () if isinstance(c, dict)}


_EMPTY = (None, "", [], {})
# the top-level components (a type can define them) by their place in COMPONENTS
_OWN = {path: i for i, (path, _) in enumerate(COMPONENTS) if path in types.DEFAULTED}
_MANAGEMENT = tuple(
    (path.split(".", 1)[1], 1 << i) for i, (path, _) in enumerate(COMPONENTS) if "." in path
)
_DEFAULTED = tuple((key, 1 << _OWN[key]) for key in types.DEFAULTED)


def type_defaults(type_data: Mapping[str, Any]) -> dict[str, Any]:
    """The components a record inherits from its type when it leaves them empty."""
    out = dict(type_data.get("defaults", {}))
    if type_data.get("legal_basis"):
        out["legal_basis"] = type_data["legal_basis"]
    return out


def _components(
    data: Mapping[str, Any], defaults: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...], int]:
    """The record's effective top-level components (the rule of ``types.effective``, without
    copying the record), those it inherits, and which of the 14 components it has (bit i for
    ``COMPONENTS[i]``, so a whole pass counts a few distinct masks instead of 14 flags each)."""
    values, inherited, mask = {}, [], 0
    for key, bit in _DEFAULTED:
        value = data.get(key)
        if not value and key in defaults:
            value = defaults[key]
            inherited.append(key)
        if value:  # top-level components are texts, lists and maps: empty is absent
            mask |= bit
        values[key] = value
    management = data.get("management")
    if management:
        for key, bit in _MANAGEMENT:
            if management.get(key) not in _EMPTY:  # a staff count of 0 is stated
                mask |= bit
    return values, tuple(inherited), mask


# -- the query -----------------------------------------------------------------------------------
def _rows(session: Session, type_id: str, area: str | None) -> Iterable[Any]:
    """The type's live instances with their authority's area and name. Narrowed to an area,
    only the authorities at, inside or above it can have an instance there (a record's areas
    lie within its authority's)."""
    query = (
        select(
            Service.id,
            Service.uri,
            Service.identifier,
            Service.authority,
            Service.data,
            Organization.area,
            Organization.name,
        )
        .join(Organization, Organization.id == Service.authority)
        .where(Service.type_id == type_id, Service.deleted_at.is_(None))
        .execution_options(yield_per=STREAM)
    )
    if area is not None:
        query = query.where(
            or_(
                Organization.area.is_(None),
                Organization.area.in_(ancestors(area)),
                Organization.area.like(area + ".%"),
            )
        )
    # Core rather than ORM execution: plain rows, a third less time per row
    return session.connection().execute(query)


def _covers(areas: Any, org_area: str | None, area: str) -> bool:
    if org_area and is_within(org_area, area):
        return True
    return any(isinstance(code, str) and is_within(code, area) for code in areas or ())


def check_area(area: str | None) -> str | None:
    """The area to narrow to (None for the nation); an unknown code is a 422 naming ``area``."""
    if area in (None, "", NATIONAL):
        return None
    if area not in load_areas():
        raise ValidationFailed.from_messages({"area": load_areas().check(area)})
    return area


# -- the comparison ------------------------------------------------------------------------------
class Tally:
    """Everything counted in one pass over the instances. Per-instance facts with few distinct
    values (which components, which inherited, which channel types) are counted as shapes and
    spread out at the end."""

    def __init__(self) -> None:
        self.instances: list[Instance] = []
        self.requirements: dict[str, list] = {}  # key -> [count, text, first instance, wordings]
        self.asking = 0  # instances with at least one requirement
        self.shapes: Counter[tuple[int, tuple[str, ...]]] = Counter()  # (mask, inherited)
        self.channel_sets: Counter[frozenset[str]] = Counter()

    def add(self, row: Any, defaults: Mapping[str, Any]) -> None:
        """One row of ``_rows`` (unpacked: a Row's attributes by name cost more)."""
        service_id, uri, identifier, authority, data, org_area, org_name = row
        values, inherited, mask = _components(data, defaults)
        self.shapes[mask, inherited] += 1
        channels = frozenset(_channel_types(data.get("channels")))
        self.channel_sets[channels] += 1
        instance = Instance(
            service_id,
            uri,
            identifier,
            data.get("name") or {},
            authority,
            org_name or {},
            org_area,
            values["processing_time"],
            duration_days(values["processing_time"]),
            _cost(values["cost"]),
            not channels.isdisjoint(ONLINE),
            mask.bit_count(),
            (data.get("integration") or {}).get("status") or "inventoried",
            inherited,
        )
        if values["requirements"]:
            self._requirements(values["requirements"], instance)
        self.instances.append(instance)

    @property
    def channels(self) -> Counter[str]:
        return Counter({c: n for codes, n in self.channel_sets.items() for c in codes})

    def components(self) -> list[int]:
        return [
            sum(n for (mask, _), n in self.shapes.items() if mask >> i & 1)
            for i in range(len(COMPONENTS))
        ]

    def histogram(self) -> list[int]:
        out = [0] * (len(COMPONENTS) + 1)
        for (mask, _), n in self.shapes.items():
            out[mask.bit_count()] += n
        return out

    def inheritance(self, key: str) -> tuple[int, int]:
        """How many instances have ``key`` of their own, and how many inherit it."""
        bit = 1 << _OWN[key]
        own = inherited = 0
        for (mask, taken), n in self.shapes.items():
            if key in taken:
                inherited += n
            elif mask & bit:
                own += n
        return own, inherited

    def _requirements(self, items: Any, instance: Instance) -> None:
        seen = set()
        for item in items or ():
            found = normalise_requirement(item)
            if found is None or found[0] in seen:
                continue
            seen.add(found[0])
            shown = " ".join(found[1].split())
            entry = self.requirements.get(found[0])
            if entry is None:
                self.requirements[found[0]] = [1, shown, instance, {shown: 1}]
            else:
                entry[0] += 1
                entry[3][shown] = entry[3].get(shown, 0) + 1
                # the wording most instances use is shown, whatever order they came in
                entry[1] = min(entry[3], key=lambda text: (-entry[3][text], text))
        self.asking += bool(seen)


def compare(
    session: Session,
    type_id: str,
    *,
    area: str | None = None,
    page: int = 1,
    size: int = 50,
) -> dict[str, Any]:
    """The comparison of a type's live instances, narrowed to those in ``area`` (their areas
    fall inside it, or their authority's does); ``page``/``size`` page the instances list."""
    row = types.get_type(session, type_id)
    area = check_area(area)
    tally = Tally()
    defaults = type_defaults(row.data)
    for record in _rows(session, type_id, area):
        if area is None or _covers(record.data.get("areas"), record.area, area):
            tally.add(record, defaults)
    found = load_areas().get(area) if area else None
    return {
        "type": {"id": row.id, "uri": row.uri, "name": row.data["name"], "status": row.status},
        "area": {"code": found.code, "name": found.name, "path": load_areas().path(area)}
        if found
        else None,
        "count": len(tally.instances),
        "processing_time": _processing_time(tally.instances),
        "cost": _costs(tally.instances),
        "requirements": _requirement_summary(tally),
        "online": _online_summary(tally),
        "completeness": _completeness(tally),
        "integration": _integration(tally.instances),
        "inheritance": _inheritance(tally, defaults),
        "instances": _instance_page(tally.instances, page, size),
    }


# -- statistics ----------------------------------------------------------------------------------
def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Q1, median, Q3 of sorted ``values`` (inclusive method: they lie within the values)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def spread(pairs: list[tuple[float, Instance]], digits: int = 3) -> dict[str, Any]:
    """Min, quartiles, max and the outliers by the IQR rule (outside Q1 - 1.5 IQR .. Q3 + 1.5
    IQR), the farthest from the median first, each naming its record and organization."""
    if not pairs:
        return {"count": 0}
    pairs = sorted(pairs, key=itemgetter(0))  # equal values stay in the rows' order
    values = [v for v, _ in pairs]
    q1, median, q3 = quartiles(values)
    iqr = q3 - q1
    low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    outliers = [(v, i) for v, i in pairs if v < low or v > high]
    inside = [v for v in values if low <= v <= high]
    outliers.sort(key=lambda p: -abs(p[0] - median))
    return {
        "count": len(values),
        "min": round(values[0], digits),
        "q1": round(q1, digits),
        "median": round(median, digits),
        "q3": round(q3, digits),
        "max": round(values[-1], digits),
        "mean": round(statistics.fmean(values), digits),
        "fences": {"low": round(low, digits), "high": round(high, digits)},
        "whiskers": {"low": round(inside[0], digits), "high": round(inside[-1], digits)},
        "lowest": {**pairs[0][1].ref(), "value": round(values[0], digits)},
        "highest": {**pairs[-1][1].ref(), "value": round(values[-1], digits)},
        "outliers_total": len(outliers),
        "outliers": [
            {**i.ref(), "value": round(v, digits), "side": "high" if v > high else "low"}
            for v, i in outliers[:LISTED]
        ],
    }


def _processing_time(instances: list[Instance]) -> dict[str, Any]:
    pairs = [(i.days, i) for i in instances if i.days is not None]
    out = {"unit": "days", "known": len(pairs), "unknown": len(instances) - len(pairs)}
    return {**out, **spread(pairs)}


def _costs(instances: list[Instance]) -> dict[str, Any]:
    pairs = [(i.cost, i) for i in instances if i.cost is not None]
    free = sum(1 for v, _ in pairs if v == 0)
    return {
        "currency": "IDR",
        "known": len(pairs),
        "unknown": len(instances) - len(pairs),
        "free": free,
        "paid": len(pairs) - free,
        **spread(pairs, digits=2),
    }


def _requirement_summary(tally: Tally) -> dict[str, Any]:
    entries = tally.requirements.values()
    total = len(tally.instances)
    shared = (e for e in entries if e[0] > 1)
    common = [
        {"text": text, "count": count, "share": _share(count, total), "most": count * 2 > total}
        for count, text, *_ in heapq.nsmallest(COMMON, shared, key=lambda e: (-e[0], e[1]))
    ]
    single = [(e[1], e[2]) for e in entries if e[0] == 1]
    listed = heapq.nsmallest(LISTED, single, key=itemgetter(0))
    return {
        "instances": tally.asking,
        "distinct": len(entries),
        "common": common,
        "single_total": len(single) if total > 1 else 0,
        "single": [{"text": t, "asked_by": i.ref()} for t, i in listed] if total > 1 else [],
    }


def _online_summary(tally: Tally) -> dict[str, Any]:
    online = sum(1 for i in tally.instances if i.online)
    total = len(tally.instances)
    return {
        "online": online,
        "offline": total - online,
        "share": _share(online, total),
        "channels": {code: tally.channels[code] for code in codelists.CHANNEL_TYPES},
    }


def _completeness(tally: Tally) -> dict[str, Any]:
    total = len(tally.instances)
    mean = statistics.fmean(i.completeness for i in tally.instances) if total else None
    return {
        "of": len(COMPONENTS),
        "mean": round(mean, 2) if mean is not None else None,
        "mean_share": round(mean / len(COMPONENTS), 3) if mean is not None else None,
        "histogram": [{"components": n, "count": c} for n, c in enumerate(tally.histogram())],
        "components": [
            {"component": path, "name": name, "present": present}
            for (path, name), present in zip(COMPONENTS, tally.components(), strict=True)
        ],
    }


def _integration(instances: list[Instance]) -> dict[str, int]:
    counts = Counter(i.integration for i in instances)
    return {code: counts.get(code, 0) for code in codelists.INTEGRATION_STATUSES}


def _inheritance(tally: Tally, defaults: Mapping[str, Any]) -> list[dict[str, Any]]:
    total = len(tally.instances)
    out = []
    for key in types.DEFAULTED:
        own, inherited = tally.inheritance(key)
        out.append(
            {
                "component": key,
                "type_default": key in defaults,
                "own": own,
                "inherited": inherited,
                "missing": total - own - inherited,
            }
        )
    return out


def _instance_page(instances: list[Instance], page: int, size: int) -> dict[str, Any]:
    def order(i: Instance) -> tuple[str, str]:
        return _name(i.organization), i.identifier

    # the first pages without sorting every instance
    ordered = heapq.nsmallest(page * size, instances, key=order)
    chosen = ordered[(page - 1) * size : page * size]
    items = [
        {
            **i.ref(),
            "area": i.area,
            "processing_time": i.processing_time,
            "days": round(i.days, 3) if i.days is not None else None,
            "cost": i.cost,
            "online": i.online,
            "completeness": i.completeness,
            "integration": i.integration,
            "inherited": list(i.inherited),
        }
        for i in chosen
    ]
    return {"total": len(instances), "page": page, "size": size, "items": items}


def _name(text: Mapping[str, str]) -> str:
    return (text.get("id") or next(iter(text.values()), "")).casefold() if text else ""


def _share(part: int, total: int) -> float | None:
    return round(part / total, 3) if total else None
