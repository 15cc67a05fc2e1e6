"""/api/v1/roadmap: the integration roadmap's phases, their board and the items' transitions."""

from __future__ import annotations

import functools

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from simpul.reference import codelists
from simpul.registry import roadmap, roadmap_board
from simpul.registry.auth import authenticate
from simpul.web.api.common import BEARER, Blueprint, read_json
from simpul.web.http import json_response, registry

blp = Blueprint(
    "roadmap", __name__, url_prefix="/api/v1/roadmap", description="Integration roadmap"
)
PHASE_BODY = {"required": True, "content": {"application/json": {"schema": roadmap.PhaseSchema}}}


class PhaseOut(roadmap.PhaseSchema):
    created = fields.DateTime(required=True)
    modified = fields.DateTime(required=True)


class PhaseList(Schema):
    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(PhaseOut), required=True)


class BoardArgs(Schema):
    area = fields.String(validate=roadmap.AREA, metadata={"description": "organizations in it"})
    sector = fields.String(validate=validate.OneOf(list(codelists.SECTORS)))
    level = fields.String(validate=validate.OneOf(list(codelists.LEVELS)))
    size = fields.Integer(
        load_default=20,
        validate=validate.Range(1, 200),
        metadata={"description": "items shown per status"},
    )


class Column(Schema):
    status = fields.String(required=True)
    count = fields.Integer(required=True)
    waits_on = fields.String(allow_none=True)
    items = fields.List(fields.Dict(), required=True)


class Board(Schema):
    phase = fields.Dict(required=True)
    filters = fields.Dict(required=True)
    total = fields.Integer(required=True)
    columns = fields.List(fields.Nested(Column), required=True)


class MoveIn(Schema):
    to = fields.String(required=True, validate=validate.OneOf(roadmap.STATUSES))
    note = fields.String()
    reason = fields.String(
        metadata={"description": "required for tertunda and tidak-dapat-diintegrasikan"}
    )


class ItemOut(Schema):
    phase = fields.String(required=True)
    target_type = fields.String(required=True)
    target = fields.String(required=True)
    organization = fields.String(required=True)
    area = fields.String(required=True)
    level = fields.String(required=True)
    sectors = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    reason = fields.String(allow_none=True)
    modified = fields.DateTime(required=True)
    history = fields.List(fields.Dict(), required=True)
    provenance = fields.Dict(
        allow_none=True,
        metadata={"description": "the child node whose status this is; null: this node's own"},
    )


@blp.route("")
class Phases(MethodView):
    @blp.response(200, PhaseList)
    def get(self):
        """The phases, in order."""
        with registry().db.session() as session:
            items = [roadmap.phase_to_dict(r) for r in roadmap.phases(session)]
        return json_response({"total": len(items), "items": items})

    @blp.doc(security=BEARER, requestBody=PHASE_BODY)
    @blp.response(201, PhaseOut)
    @blp.problem(409, "The phase exists")
    def post(self):
        """Define a phase (the national coordinator)."""
        header, body = request.headers.get("Authorization"), functools.cache(read_json)

        def save(session):
            row = roadmap.save_phase(session, body(), authenticate(session, header))
            return roadmap.phase_to_dict(row)

        out = registry().db.write(save)
        return json_response(out, 201, {"Location": f"/api/v1/roadmap/{out['id']}"})


@blp.route("/<phase_id>")
class Phase(MethodView):
    @blp.response(200, PhaseOut)
    def get(self, phase_id):
        with registry().db.session() as session:
            return json_response(roadmap.phase_to_dict(roadmap.get_phase(session, phase_id)))

    @blp.doc(security=BEARER, requestBody=PHASE_BODY)
    @blp.response(200, PhaseOut)
    def put(self, phase_id):
        """Replace a phase's scope, period, targets or gate (the national coordinator)."""
        header, body = request.headers.get("Authorization"), functools.cache(read_json)

        def save(session):
            actor = authenticate(session, header)
            return roadmap.phase_to_dict(
                roadmap.save_phase(session, body(), actor, replace=phase_id)
            )

        return json_response(registry().db.write(save))


@blp.route("/<phase_id>/board")
@blp.arguments(BoardArgs, location="query")
@blp.response(200, Board)
def board(args, phase_id):
    """Items by status (count and the first ``size`` of each) with the gate each waits on."""
    with registry().db.session() as session:
        return json_response(roadmap_board.board(session, phase_id, **args))


@blp.route("/<phase_id>/items/<target_id>")
@blp.response(200, ItemOut)
def get_item(phase_id, target_id):
    """A service's or application's item in the phase with its history (made on demand when
    the record is in the phase's scope)."""

    def read(session):
        return roadmap.item_to_dict(session, roadmap.item(session, phase_id, target_id))

    return json_response(registry().db.write(read))


@blp.route("/<phase_id>/items/<target_id>/transitions", methods=["POST"])
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"application/json": {"schema": MoveIn}}},
)
@blp.response(200, ItemOut)
@blp.problem(409, "The transition is refused: the problem names the gate")
def move(phase_id, target_id):
    """Move an item (a coordinator of its organization's area)."""
    header, body = request.headers.get("Authorization"), functools.cache(read_json)

    def transition(session):
        actor = authenticate(session, header)
        row = roadmap.move(session, phase_id, target_id, body(), actor)
        return roadmap.item_to_dict(session, row)

    return json_response(registry().db.write(transition))
