"""Linked data over HTTP: the streamed catalog, per-record RDF by content negotiation, SKOS code
lists at their URIs, the JSON-LD context and shapes, and SHACL validation."""

from __future__ import annotations

from flask import Response, redirect, request, stream_with_context
from marshmallow import Schema, fields, validate

from simpul.errors import NotFound, PayloadTooLarge
from simpul.reference import codelists
from simpul.reference.areas import load_areas
from simpul.reference.formats import BY_EXTENSION
from simpul.reference.namespaces import PREFIXES, RDF_TYPE, SKOS
from simpul.registry import appcatalog, applications, services, types, validation
from simpul.registry.catalog import CatalogFilter, catalog_document, organizations
from simpul.vocab import servicetypes, skos
from simpul.vocab.export import gzipped, record_document
from simpul.vocab.writers import FORMATS, write_document
from simpul.web.api.common import Blueprint
from simpul.web.api.problems import ProblemSchema
from simpul.web.api.services import ServiceOut
from simpul.web.http import (
    PROBLEM,
    RDF_TYPES,
    asked_format,
    json_response,
    negotiate,
    not_acceptable,
    page,
    rdf_response,
    registry,
)

blp = Blueprint("linked_data", __name__, description="Linked data (CPSV-AP-ID)")
EXTENSIONS = BY_EXTENSION
TEXT = {"type": "string"}


def answers(status: int, description: str, content: dict) -> dict:
    """``blp.doc`` arguments for an answer in several media types (``{media type: schema}``)."""
    return {
        status: {
            "description": description,
            "content": {t: {"schema": s} for t, s in content.items()},
        }
    }


RDF = {t: {"type": "object"} if t.endswith("json") else TEXT for t in RDF_TYPES}
PAGE_OR_PROBLEM = {"text/html": TEXT, PROBLEM: ProblemSchema}


class CatalogArgs(Schema):
    authority = fields.String()
    level = fields.String(validate=validate.OneOf(list(codelists.LEVELS)))
    area = fields.String(metadata={"description": "services covering this Kemendagri area"})
    modified_since = fields.AwareDateTime(default_timezone=None)
    page = fields.Integer(
        validate=validate.Range(min=1, max=1_000_000), metadata={"description": "Hydra paging"}
    )
    size = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


@blp.route("/catalog.<ext>")
@blp.arguments(CatalogArgs, location="query")
@blp.response(200, description="The whole catalog (DCAT) in Turtle, N-Triples, JSON-LD or RDF/XML")
@blp.doc(responses=answers(200, "The whole catalog (DCAT)", RDF))
def catalog(args, ext):
    """The whole catalog, streamed record by record; Hydra paging with ``page`` and ``size``;
    gzip when the client accepts it."""
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        raise NotFound(f"no catalog format {ext!r}; use .ttl, .nt, .jsonld or .rdf")
    return _catalog(args, fmt)


@blp.route("/catalog")
@blp.arguments(CatalogArgs, location="query")
@blp.response(
    200, description="The catalog's own URI (and its Hydra pages), by content negotiation"
)
@blp.doc(responses=answers(200, "The catalog, in the RDF format Accept asks for", RDF))
@blp.problem(404, "No such area")
@blp.problem(406, "Accept asks for no RDF format")
def catalog_negotiated(args):
    """The catalog in the RDF format the Accept header asks for (Turtle by default)."""
    fmt = negotiate("ttl")
    if fmt is None:
        return not_acceptable()
    return _catalog(args, "ttl" if fmt in ("json", "html") else fmt)


def _catalog(args, fmt: str):
    reg = registry()
    if args.get("area") and load_areas().get(args["area"]) is None:
        raise NotFound(load_areas().check(args["area"]))
    where = CatalogFilter(**args)

    def generate():
        with reg.db.session() as session:
            yield from catalog_document(
                session, fmt, reg.base_uri, reg.settings.node_id, where, cache=reg.db
            )

    body = stream_with_context(generate())
    headers = {"Vary": "Accept, Accept-Encoding"}
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        body = stream_with_context(gzipped(generate()))
        headers["Content-Encoding"] = "gzip"
    return Response(body, content_type=f"{FORMATS[fmt].media_type}; charset=utf-8", headers=headers)


def service_representation(service_id: str, *, html: bool):
    reg = registry()
    fmt = asked_format() or negotiate("html" if html else "json", html=html)
    if fmt is None:
        return not_acceptable()
    if fmt == "html":
        return fmt, None
    with reg.db.session() as session:
        row = services.get_live(session, service_id)
        record = services.service_to_dict(row, types=reg.type_index(session))
        if fmt == "json":
            return fmt, record
        orgs = organizations(session, reg.base_uri, [record["authority"]])
        owner = orgs[record["authority"]]["uri"]
        channels = appcatalog.channels_of_service(session, record, owner)
    return fmt, rdf_response(fmt, record_document(fmt, record, orgs, channels))


@blp.route("/services/<service_id>")
@blp.response(200, description="The service at its URI: HTML, JSON or RDF by content negotiation")
@blp.doc(
    responses={
        **answers(
            200,
            "The service as HTML, JSON or RDF",
            {"text/html": TEXT, "application/json": ServiceOut, **RDF},
        ),
        **answers(404, "No such service (a page for browsers)", PAGE_OR_PROBLEM),
        **answers(410, "Deleted (a page for browsers)", PAGE_OR_PROBLEM),
    }
)
@blp.problem(406, "Accept asks for a format the record is not offered in")
def service_uri(service_id):
    """The service page for browsers; JSON or RDF by ``Accept``, or by ``?format=`` (ttl, nt,
    jsonld, rdf, json) for links that cannot set headers."""
    fmt, result = service_representation(service_id, html=True)
    if fmt == "html":
        return page("service")(service_id)
    if fmt == "json":
        return json_response(result, headers={"Vary": "Accept"})
    return result


@blp.route("/applications/<app_id>")
@blp.response(200, description="An application at its URI: HTML, JSON or RDF by negotiation")
@blp.doc(
    responses={
        **answers(
            200,
            "The application as HTML, JSON or RDF (a cv:Channel)",
            {"text/html": TEXT, "application/json": {"type": "object"}, **RDF},
        ),
        **answers(404, "No such application (a page for browsers)", PAGE_OR_PROBLEM),
        **answers(410, "Deleted (a page for browsers)", PAGE_OR_PROBLEM),
    }
)
@blp.problem(406, "Accept asks for a format the application is not offered in")
def application_uri(app_id):
    """The application's page for browsers (``/aplikasi/{id}``); JSON (as
    ``/api/v1/applications/{id}``) or RDF by ``Accept`` or ``?format=``."""
    fmt = asked_format() or negotiate("html", html=True)
    if fmt is None:
        return not_acceptable()
    if fmt == "html":
        render = page("application")
        return render(app_id) if render else redirect(f"/api/v1/applications/{app_id}", 303)
    reg = registry()
    with reg.db.session() as session:
        if fmt == "json":
            record = applications.application_to_dict(applications.get_live(session, app_id))
            return json_response(record, headers={"Vary": "Accept"})
        text = appcatalog.application_document(session, fmt, reg.base_uri, app_id)
    return rdf_response(fmt, text)


def _described(row, successor_uri: str | None = None) -> dict:
    return {**types.type_to_dict(row), "superseded_by_uri": successor_uri}


@blp.route("/types")
@blp.response(200, description="The node's service types as a SKOS concept scheme")
@blp.doc(
    responses=answers(
        200, "The portal's list, or SKOS in Turtle or JSON-LD", {"text/html": TEXT, **RDF}
    )
)
@blp.problem(406, "Accept asks for no RDF format")
def type_scheme():
    """The national service types as a ``skos:ConceptScheme`` (each type a ``skos:Concept``);
    ``application/json`` is the list at ``/api/v1/types``."""
    fmt = asked_format() or negotiate("html", html=True)
    if fmt == "html" and page("types") is not None:
        return page("types")()  # the portal's list of types, for a browser
    if fmt is None or fmt == "html":
        return not_acceptable()
    if fmt == "json":
        return redirect("/api/v1/types", 303)
    reg = registry()
    with reg.db.session() as session:
        rows = types.list_types(session, status=None)
        uris = {r.id: r.uri for r in rows}
        described = [_described(r, uris.get(r.data.get("superseded_by"))) for r in rows]
    triples = servicetypes.scheme_triples(reg.base_uri, reg.settings.node_id, described)
    return rdf_response(fmt, "".join(write_document(fmt, [triples])))


@blp.route("/types/<type_id>")
@blp.response(200, description="A service type at its URI: JSON or SKOS by content negotiation")
@blp.doc(
    responses={
        **answers(
            200,
            "The type's page, JSON, or a SKOS concept",
            {"text/html": TEXT, "application/json": {}, **RDF},
        ),
        **answers(404, "No such type (a page for browsers)", PAGE_OR_PROBLEM),
    }
)
@blp.problem(406, "Accept asks for a format the type is not offered in")
@blp.problem(410, "Retired (JSON): the problem carries the type and ``superseded_by``")
def type_uri(type_id):
    """A type's URI: JSON (as ``/api/v1/types/{id}``) or its SKOS concept in RDF (retired ones
    too, deprecated), by ``Accept`` or ``?format=``. Browsers get the portal's page of the type
    when the portal has one, else the JSON."""
    fmt = asked_format() or negotiate("html", html=True)
    if fmt is None:
        return not_acceptable()
    if fmt == "html":
        render = page("type")
        return render(type_id) if render else redirect(f"/api/v1/types/{type_id}", 303)
    reg = registry()
    with reg.db.session() as session:
        if fmt == "json":
            row = types.get_active_type(session, type_id)
            body = types.type_to_dict(row, types.instance_count(session, type_id))
            return json_response(body, headers={"Vary": "Accept", "ETag": types.type_etag(row)})
        row = types.get_type(session, type_id)
        successor = row.data.get("superseded_by")
        found = types.get_type(session, successor).uri if successor else None
        triples = list(servicetypes.concept_triples(_described(row, found)))
    triples.append((servicetypes.scheme_of(row.uri), RDF_TYPE, SKOS + "ConceptScheme"))
    return rdf_response(fmt, "".join(write_document(fmt, [triples])))


@blp.route("/kode/<scheme>")
@blp.route("/kode/<scheme>/<path:code>")
@blp.response(200, description="A SKOS concept scheme or concept at its URI")
@blp.doc(responses=answers(200, "SKOS in Turtle or JSON-LD", RDF))
def code_list(scheme, code=None):
    """Code lists (``levels``, ``sectors``, ``channel-types``, ``audiences``, ``life-events``,
    ``integration-statuses``, ``service-statuses``) and Kemendagri ``areas``, as SKOS."""
    if not skos.is_known_scheme(scheme):
        raise NotFound(f"no code list {scheme!r}; known: {', '.join(skos.SCHEME_TITLES)}")
    if code is not None:
        known = load_areas().get(code) if scheme == skos.AREAS else skos.SCHEMES[scheme].get(code)
        if not known:
            raise NotFound(f"no code {code!r} in {scheme}")
        uri = skos.concept_uri(scheme, code)
        triples = list(skos.concept_triples(uri))
        if scheme == skos.AREAS:
            triples += [
                (uri, skos.SKOS + "narrower", skos.area_uri(child.code))
                for child in load_areas().children(code)
            ]
    else:
        triples = list(skos.scheme_triples(scheme))
    fmt = negotiate("ttl")
    if fmt is None or fmt == "json":
        fmt = "jsonld" if fmt == "json" else "ttl"
    return rdf_response(fmt, "".join(write_document(fmt, [triples])))


@blp.route("/ns/cpsv-ap-id.jsonld")
@blp.response(200, description="The JSON-LD context of Simpul's RDF")
@blp.doc(responses=answers(200, "The JSON-LD context", {"application/ld+json": {"type": "object"}}))
def jsonld_context():
    return Response(
        json_response({"@context": PREFIXES}).get_data(), content_type="application/ld+json"
    )


@blp.route("/ns/cpsv-ap-id/shapes.ttl")
@blp.response(200, description="Simpul's SHACL shapes (CPSV-AP-ID)")
@blp.doc(responses=answers(200, "Simpul's SHACL shapes (CPSV-AP-ID)", {"text/turtle": TEXT}))
def shapes():
    from importlib import resources

    text = (resources.files("simpul.vocab") / "shapes" / "cpsv-ap-id.ttl").read_text("utf-8")
    return Response(text, content_type="text/turtle; charset=utf-8")


@blp.route("/api/v1/validate", methods=["POST"])
@blp.doc(
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "description": "a service record"}},
            "text/turtle": {"schema": {"type": "string"}},
            "application/ld+json": {"schema": {"type": "string"}},
            "application/rdf+xml": {"schema": {"type": "string"}},
            "application/n-triples": {"schema": {"type": "string"}},
        },
    }
)
@blp.response(200, description="SHACL report: conforms, violations, warnings, results")
def validate_rdf():
    """Check a service record (JSON) or RDF against Simpul's CPSV-AP-ID shapes. Each result names
    the record field, the problem and how to fix it, in Indonesian and English."""
    from simpul.web.api.common import read_json

    reg = registry()
    settings = reg.settings
    raw = request.get_data(cache=True)  # read_json() reads it again from the cache
    if len(raw) > settings.validate_max_bytes:
        raise PayloadTooLarge(
            f"the body is {len(raw)} bytes; this endpoint checks up to "
            f"{settings.validate_max_bytes} bytes (use 'simpul validate FILE' for more)"
        )
    mimetype = request.mimetype or ""
    if mimetype != "application/json":
        return json_response(validation.rdf_report(settings, raw, mimetype))
    with reg.db.session() as session:
        return json_response(validation.draft_report(session, settings, read_json()))


@blp.route("/api/v1/services/<service_id>/validation")
@blp.response(200, description="SHACL report of the stored record")
@blp.problem(410, "Deleted: the problem carries the tombstone")
def service_validation(service_id):
    """How a stored record fares against Simpul's CPSV-AP-ID shapes (auditors, editors)."""
    reg = registry()
    with reg.db.session() as session:
        return json_response(validation.stored_report(session, reg.base_uri, service_id))
