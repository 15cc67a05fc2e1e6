"""``api-gateway``: an SPLP-style API manager (WSO2 API Manager's Developer Portal REST API).

The APIs are listed with offset paging (``/apis?limit=&offset=``); each API's details give its
gateway URLs and its OpenAPI (or Swagger) document comes from ``/apis/{id}/swagger``. A mapping
rule names the service each API serves: by default a tag ``layanan:<identifier>`` or an
additional property ``layanan``; the ``link`` option takes any JMESPath over the API details.
Linked APIs become ``api`` channels of their services; the rest wait in the integration
inventory (see ``inventory``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jmespath
from marshmallow import fields as mf
from marshmallow import validate

from simpul.harvesters.base import (
    CommonOptions,
    Harvester,
    Item,
    RecordProblem,
    SourceBroken,
    Transformed,
    json_original,
    loads_json,
)
from simpul.harvesters.fetching import FetchError
from simpul.harvesters.types.jsonapi import Expression, parse_json
from simpul.registry.schemas import safe_url

DEFAULT_LINK = (
    "(additionalProperties[?name=='layanan'].value | [0]) || "
    "(tags[?starts_with(@, 'layanan:')] | [0])"
)


class GatewayOptions(CommonOptions):
    api_path = mf.String(load_default="/api/am/devportal/v3")
    limit = mf.Integer(load_default=25, validate=validate.Range(1, 1000))
    link = Expression(load_default=DEFAULT_LINK)
    environment = mf.String()  # gateway environment to take URLs from (default the first)
    lifecycle = mf.List(mf.String(), load_default=lambda: ["PUBLISHED", "PROTOTYPED"])
    max_pages = mf.Integer(load_default=10_000, validate=validate.Range(1, 1_000_000))


class ApiGatewayHarvester(Harvester):
    name = "api-gateway"
    title = "API gateway (WSO2 API Manager Developer Portal)"
    Options = GatewayOptions
    mapping_version = "1"

    def __init__(self, source, fetcher):
        super().__init__(source, fetcher)
        self.base = source.url.rstrip("/") + self.options["api_path"].rstrip("/")
        self.link = jmespath.compile(self.options["link"])

    def gather(self, since: str | None) -> Iterator[Item]:
        limit, offset, previous = self.options["limit"], 0, None
        for number in range(self.options["max_pages"]):
            fetched = self.fetcher.get(
                f"{self.base}/apis",
                params={"limit": limit, "offset": offset},
                accept="application/json",
            )
            body = parse_json(fetched)
            apis = body.get("list") if isinstance(body, dict) else None
            if not isinstance(apis, list):
                raise SourceBroken(f"{fetched.url}: not a Developer Portal API list")
            keys = [a.get("id") for a in apis if isinstance(a, dict)]
            if apis and keys == previous:
                raise SourceBroken(
                    f"{fetched.url}: the gateway ignores paging (page {number + 1} repeats)"
                )
            previous = keys
            for api in apis:
                if not isinstance(api, dict) or not api.get("id"):
                    continue
                if api.get("lifeCycleStatus", "PUBLISHED") not in self.options["lifecycle"]:
                    continue
                yield Item(str(api["id"]), complete=False, parsed=api)
            offset += len(apis)
            total = (body.get("pagination") or {}).get("total", body.get("count"))
            if not apis or len(apis) < limit or (isinstance(total, int) and offset >= total):
                return
        raise SourceBroken(f"{self.base}/apis: more than {self.options['max_pages']} pages")

    def fetch(self, item: Item) -> Item:
        details = parse_json(
            self.fetcher.get(f"{self.base}/apis/{item.key}", accept="application/json")
        )
        try:
            document = parse_json(
                self.fetcher.get(f"{self.base}/apis/{item.key}/swagger", accept="application/json")
            )
        except (FetchError, SourceBroken) as exc:
            document = {"error": str(exc)}
        original = {"api": details, "openapi": document}
        return Item(item.key, json_original(original), "application/json", parsed=original)

    def transform(self, item: Item) -> Transformed:
        original = loads_json(item)
        api = original.get("api")
        if not isinstance(api, dict) or not api.get("name"):
            raise RecordProblem("the gateway's API details have no name")
        document = original.get("openapi") or {}
        link = self.link.search(api)
        if isinstance(link, str) and link.startswith("layanan:"):
            link = link.removeprefix("layanan:")
        entry = {
            "key": item.key,
            "source": self.source.id,
            "name": str(api["name"])[:300],
            "version": api.get("version"),
            "context": api.get("context"),
            "description": (api.get("description") or _info(document, "description") or None),
            "provider": api.get("provider"),
            "gateway_url": self._gateway_url(api),
            "operations": _operations(document),
            "openapi_version": document.get("openapi") or document.get("swagger"),
            "link": str(link)[:200] if link else None,
        }
        notes = []
        if "error" in document:
            notes.append(f"no OpenAPI document: {document['error']}")
        return Transformed({}, notes, inventory=entry)

    def _gateway_url(self, api: dict[str, Any]) -> str | None:
        wanted = self.options.get("environment")
        for environment in api.get("endpointURLs") or []:
            if wanted and environment.get("environmentName") != wanted:
                continue
            urls = environment.get("URLs") if isinstance(environment, dict) else None
            urls = urls if isinstance(urls, dict) else {}
            url = safe_url(urls.get("https")) or safe_url(urls.get("http"))
            if url:  # it becomes a channel of a service: http(s) only, as the schema says
                return url
        return None


def _info(document: dict[str, Any], key: str) -> str | None:
    info = document.get("info")
    return info.get(key) if isinstance(info, dict) else None


def _operations(document: dict[str, Any]) -> int:
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return 0
    return sum(1 for ops in paths.values() if isinstance(ops, dict) for m in ops if m in methods)
