"""``ckan``: CKAN portals through the Action API.

``package_search`` is paged with ``start``/``rows`` in a stable order; incremental runs ask for
packages modified since the newest ``metadata_modified`` seen; an ``organization`` option keeps
one publisher's packages. Packages and their extras map to service records with JMESPath
expressions; the defaults read the extras Indonesian portals use (persyaratan, prosedur,
jangka_waktu, biaya, produk, pengaduan, dasar_hukum ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from marshmallow import fields as mf
from marshmallow import validate

from simpul.harvesters.base import Harvester, Item, SourceBroken, Transformed
from simpul.harvesters.types.jsonapi import Expression, JsonMapping, JsonOptions, parse_json

EXTRAS = {
    "requirements": ("persyaratan", "syarat", "requirements"),
    "procedure": ("prosedur", "mekanisme", "procedure"),
    "processing_time": ("jangka_waktu", "waktu_penyelesaian", "processing_time"),
    "cost": ("biaya", "tarif", "cost"),
    "outputs": ("produk", "produk_layanan", "output"),
    "complaints": ("pengaduan", "penanganan_pengaduan", "complaints"),
    "legal_basis": ("dasar_hukum", "legal_basis"),
    "sectors": ("sektor", "sector"),
    "areas": ("kode_wilayah", "wilayah", "spatial_code"),
    "online_url": ("url_layanan", "service_url"),
    "name_en": ("title_en", "nama_en"),
    "description_en": ("notes_en", "deskripsi_en"),
}


def _extra(keys: tuple[str, ...]) -> str:
    return " || ".join(f"(extras[?key=='{k}'].value | [0])" for k in keys)


DEFAULT_FIELDS = {
    "identifier": "name",
    "name": "title",
    "description": "notes",
    "keywords": "tags[].display_name",
    "homepage": "url",
    "authority": "organization.name",
    "authority_name": "organization.title",
    "email": "maintainer_email || author_email",
    **{field: _extra(keys) for field, keys in EXTRAS.items()},
}


class CkanOptions(JsonOptions):
    organization = mf.String(validate=validate.Length(1, 200))
    fq = mf.String(validate=validate.Length(1, 1000))
    rows = mf.Integer(load_default=100, validate=validate.Range(1, 1000))
    key = Expression(load_default="id")
    uri = Expression()
    modified = Expression(load_default="metadata_modified")
    max_pages = mf.Integer(load_default=100_000, validate=validate.Range(1, 10_000_000))


class CkanHarvester(Harvester):
    name = "ckan"
    title = "CKAN Action API"
    incremental = True
    mapping_version = "1"
    Options = CkanOptions

    def __init__(self, source, fetcher):
        super().__init__(source, fetcher)
        self.mapping = JsonMapping(self.options, DEFAULT_FIELDS)
        self.base = source.url.rstrip("/")
        if self.base.endswith("/api/3"):
            self.base = self.base[: -len("/api/3")]

    def gather(self, since: str | None) -> Iterator[Item]:
        url = f"{self.base}/api/3/action/package_search"
        rows = self.options["rows"]
        filters = []
        if self.options.get("organization"):
            filters.append(f"organization:{self.options['organization']}")
        if self.options.get("fq"):
            filters.append(self.options["fq"])
        if since:
            filters.append(f"metadata_modified:[{_solr_date(since)} TO *]")
        start, count, previous = 0, None, None
        for number in range(self.options["max_pages"]):
            params = {
                "q": "*:*",
                "rows": rows,
                "start": start,
                "sort": "metadata_modified asc, id asc" if since else "id asc",
            }
            if filters:
                params["fq"] = " AND ".join(f"({f})" for f in filters)
            fetched = self.fetcher.get(url, params=params, accept="application/json")
            body = parse_json(fetched)
            result = _result(body, fetched.url)
            count = result.get("count", count)
            packages = result.get("results")
            if not isinstance(packages, list):
                raise SourceBroken(f"{fetched.url}: package_search returned no 'results' list")
            keys = [p.get("id") for p in packages if isinstance(p, dict)]
            if packages and keys == previous:
                raise SourceBroken(
                    f"{fetched.url}: the portal ignores paging (page {number + 1} repeats the "
                    "previous one)"
                )
            previous = keys
            for package in packages:
                item = self.mapping.item(package)
                if item.uri is None and isinstance(package, dict) and package.get("name"):
                    item.uri = f"{self.base}/dataset/{package['name']}"
                yield item
            start += len(packages)
            if not packages or (isinstance(count, int) and start >= count):
                return
        raise SourceBroken(f"{url}: more than {self.options['max_pages']} pages")

    def transform(self, item: Item) -> Transformed:
        transformed = self.mapping.transform(item)
        package = item.parsed
        if isinstance(package, dict) and package.get("private"):
            transformed.notes.append("the package is private on the portal")
        return transformed


def _result(body: Any, url: str) -> dict[str, Any]:
    if not isinstance(body, dict) or "success" not in body:
        raise SourceBroken(f"{url}: not a CKAN Action API answer")
    if not body["success"]:
        error = body.get("error") or {}
        raise SourceBroken(f"{url}: CKAN says {error.get('message') or error}")
    result = body.get("result")
    if not isinstance(result, dict):
        raise SourceBroken(f"{url}: CKAN answered without a result")
    return result


def _solr_date(stamp: str) -> str:
    """CKAN stores naive UTC timestamps; Solr wants them with a Z."""
    stamp = stamp.replace("+00:00", "")
    return stamp if stamp.endswith("Z") else stamp + "Z"
