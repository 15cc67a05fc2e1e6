"""Criteria sets of readiness assessments and the scoring against one.

A set ships with the product (``reference/data/assessment-criteria-v1.json``, version ``v1``) and
the national coordinator may publish a replacement version; the newest version stored is the
current one. Each criterion is scored 0-5; each level has a description shown to the assessor;
from ``evidence_from`` upward a score needs evidence (a text or a URL). The weighted mean gives
the class by the set's thresholds; the criteria under ``weak_below`` are the reasons, and the
description of their next level the next steps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from simpul.errors import Conflict, NotFound, ValidationFailed
from simpul.registry.auth import Actor
from simpul.registry.db import as_utc, utcnow
from simpul.registry.models import CriteriaSet

SHIPPED = Path(__file__).parent.parent / "reference" / "data" / "assessment-criteria-v1.json"
CLASSES = ("siap", "siap-bersyarat", "belum-siap")  # best first
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,59}$")


class CriteriaText(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    en = fields.String(validate=validate.Length(max=2000))


class Level(Schema):
    score = fields.Integer(required=True, validate=validate.Range(0, 5))
    description = fields.Nested(CriteriaText, required=True)


class Criterion(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.Nested(CriteriaText, required=True)
    weight = fields.Float(
        required=True, validate=validate.Range(min=0, max=100, min_inclusive=False)
    )
    evidence_from = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 6)
    )
    levels = fields.List(fields.Nested(Level), required=True, validate=validate.Length(equal=6))

    @validates_schema
    def _every_level(self, data, **kwargs):
        if sorted(level["score"] for level in data.get("levels", [])) != list(range(6)):
            raise ValidationError("give each score 0 to 5 once", "levels")


class Threshold(Schema):
    code = fields.String(required=True, validate=validate.OneOf(CLASSES))
    min_score = fields.Float(required=True, validate=validate.Range(0, 5))
    label = fields.Nested(CriteriaText)


class CriteriaSetSchema(Schema):
    version = fields.String(required=True, validate=CODE)
    name = fields.Nested(CriteriaText, required=True)
    scale = fields.Dict()
    weak_below = fields.Integer(load_default=3, validate=validate.Range(0, 6))
    classes = fields.List(fields.Nested(Threshold), required=True)
    criteria = fields.List(
        fields.Nested(Criterion), required=True, validate=validate.Length(min=1, max=50)
    )

    @validates_schema
    def _consistent(self, data, **kwargs):
        codes = [c["code"] for c in data.get("criteria", [])]
        if len(set(codes)) != len(codes):
            raise ValidationError("criterion codes must be unique", "criteria")
        classes = {c["code"]: c["min_score"] for c in data.get("classes", [])}
        if set(classes) != set(CLASSES):
            raise ValidationError(f"give a threshold for each of {', '.join(CLASSES)}", "classes")
        if not classes["siap"] >= classes["siap-bersyarat"] >= classes["belum-siap"] == 0:
            raise ValidationError(
                "thresholds must satisfy siap >= siap-bersyarat >= belum-siap = 0", "classes"
            )


def load_set(raw: Any) -> dict[str, Any]:
    """A criteria set checked against the schema, or ValidationFailed naming the field."""
    if not isinstance(raw, dict):
        raise ValidationFailed.from_messages(f"expected a JSON object, got {type(raw).__name__}")
    try:
        return CriteriaSetSchema().load(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_messages(exc.messages) from None


def shipped() -> dict[str, Any]:
    return load_set(json.loads(SHIPPED.read_text(encoding="utf-8")))


def ensure_shipped(session: Session) -> None:
    """Store the shipped set the first time it is needed (assessments refer to it by version)."""
    data = shipped()
    if session.get(CriteriaSet, data["version"]) is None:
        session.add(
            CriteriaSet(version=data["version"], data=data, actor="system", created=utcnow())
        )
        session.flush()


def current(session: Session) -> dict[str, Any]:
    ensure_shipped(session)
    query = select(CriteriaSet.data).order_by(
        CriteriaSet.created.desc(), CriteriaSet.version.desc()
    )
    return session.scalars(query.limit(1)).one()


def get(session: Session, version: str) -> dict[str, Any]:
    ensure_shipped(session)
    row = session.get(CriteriaSet, version)
    if row is None:
        raise NotFound(f"no criteria set {version!r}")
    return row.data


def list_sets(session: Session) -> list[dict[str, Any]]:
    ensure_shipped(session)
    rows = session.scalars(select(CriteriaSet).order_by(CriteriaSet.created, CriteriaSet.version))
    return [
        {"version": r.version, "name": r.data["name"], "created": as_utc(r.created).isoformat()}
        for r in rows
    ]


def publish(session: Session, raw: Any, actor: Actor) -> dict[str, Any]:
    """A new version of the criteria, by the national coordinator; versions are never replaced
    (assessments refer to them)."""
    actor.require_coordinator(None)
    data = load_set(raw)
    ensure_shipped(session)
    if session.get(CriteriaSet, data["version"]) is not None:
        raise Conflict(
            f"criteria set {data['version']!r} exists; publish a new version",
            errors=[{"path": "version", "message": "exists"}],
        )
    session.add(CriteriaSet(version=data["version"], data=data, actor=actor.name, created=utcnow()))
    session.flush()
    return data


# -- scoring --------------------------------------------------------------------------------------
def check_scores(criteria: dict[str, Any], scores: Any) -> dict[str, dict[str, Any]]:
    """The scores normalised (``{code: {score, evidence?, url?}}``), or ValidationFailed naming
    each criterion outside the set, missing, out of range, or without required evidence."""
    if not isinstance(scores, dict) or not scores:
        raise ValidationFailed.from_messages({"scores": "give an object of criterion: score"})
    by_code = {c["code"]: c for c in criteria["criteria"]}
    problems: dict[str, str] = {}
    out: dict[str, dict[str, Any]] = {}
    for code, entry in scores.items():
        if code not in by_code:
            known = ", ".join(by_code)
            problems[f"scores.{code}"] = (
                f"not a criterion of set {criteria['version']!r} (criteria: {known})"
            )
            continue
        entry = entry if isinstance(entry, dict) else {"score": entry}
        problem = _score_problem(by_code[code], entry)
        if problem:
            problems[f"scores.{code}{problem[0]}"] = problem[1]
        else:
            out[code] = {k: entry[k] for k in ("score", "evidence", "url") if entry.get(k)}
            out[code]["score"] = entry["score"]
    for code in by_code:
        if code not in scores:
            problems[f"scores.{code}"] = "missing: score every criterion of the set"
    if problems:
        raise ValidationFailed.from_messages(problems)
    return out


def _score_problem(criterion: dict[str, Any], entry: dict[str, Any]) -> tuple[str, str] | None:
    score = entry.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 5:
        return ".score", "a level from 0 to 5"
    for key, limit in (("evidence", 4000), ("url", 1000)):
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            return f".{key}", f"a text of at most {limit} characters"
    url = entry.get("url")
    if url and not url.startswith(("https://", "http://")):
        return ".url", "an http(s) URL"
    unknown = set(entry) - {"score", "evidence", "url"}
    if unknown:
        return f".{sorted(unknown)[0]}", "unknown field (score, evidence, url)"
    needs = criterion.get("evidence_from")
    if needs is not None and score >= needs and not (entry.get("evidence") or url):
        return ".evidence", f"a score of {needs} or more needs evidence (a text or a URL)"
    return None


def result(criteria: dict[str, Any], scores: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Weighted score (0-5, two decimals), class, reasons and next steps."""
    total = sum(c["weight"] for c in criteria["criteria"])
    weighted = sum(c["weight"] * scores[c["code"]]["score"] for c in criteria["criteria"]) / total
    score = round(weighted, 2)
    thresholds = sorted(criteria["classes"], key=lambda c: -c["min_score"])
    klass = next(c["code"] for c in thresholds if score >= c["min_score"])
    weak = [c for c in criteria["criteria"] if scores[c["code"]]["score"] < criteria["weak_below"]]
    weak.sort(key=lambda c: -c["weight"] * (5 - scores[c["code"]]["score"]))
    reasons, steps = [], []
    for c in weak:
        level = scores[c["code"]]["score"]
        reasons.append({"criterion": c["code"], "name": c["name"], "score": level})
        nxt = next(lv for lv in c["levels"] if lv["score"] == level + 1)
        steps.append(
            {"criterion": c["code"], "score": level + 1, "description": nxt["description"]}
        )
    return {"score": score, "class": klass, "reasons": reasons, "next_steps": steps}


def at_least(klass: str, minimum: str) -> bool:
    return CLASSES.index(klass) <= CLASSES.index(minimum)
