"""``hsds``: Open Referral Human Services Data Specification (HSDS 3) APIs.

``GET {url}/services?page=N&per_page=M`` answers ``{"contents": [...], "total_pages", ...}``;
each service maps to a record: name, description, its web address as the online channel,
e-mail, the application process as the procedure, the fees text, and the organization as the
competent authority as the remote names it. Any mapping can be changed with ``fields``, as for
``json`` sources.
"""

from __future__ import annotations

from dataclasses import replace

from marshmallow import fields as mf

from simpul.harvesters.types.jsonapi import (
    Expression,
    JsonHarvester,
    JsonMapping,
    JsonOptions,
    PaginationOptions,
)

DEFAULT_FIELDS = {
    "identifier": "id",
    "name": "name",
    "description": "description",
    "online_url": "url",
    "email": "email",
    "procedure": "application_process",
    "cost": "fees_description",
    "requirements": "eligibility_description",
    "processing_time": "wait_time",
    "authority_name": "organization.name",
    "authority_uri": "organization.uri || organization.website",
    "keywords": "alternate_name",
}


def _paging() -> dict:
    return PaginationOptions().load(
        {"style": "page", "param": "page", "size_param": "per_page", "size": 100}
    )


class HsdsOptions(JsonOptions):
    items = Expression(load_default="contents")
    modified = Expression(load_default="last_modified")
    pagination = mf.Nested(PaginationOptions, load_default=_paging)


class HsdsHarvester(JsonHarvester):
    name = "hsds"
    title = "Open Referral HSDS API"
    Options = HsdsOptions
    mapping_version = "1"

    def __init__(self, source, fetcher):
        url = source.url.rstrip("/")
        if not url.endswith("/services"):
            url += "/services"
        source = replace(source, url=url)
        super().__init__(source, fetcher)
        self.mapping = JsonMapping(self.options, DEFAULT_FIELDS)
