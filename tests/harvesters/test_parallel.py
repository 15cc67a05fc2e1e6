"""Transforming in worker processes gives what transforming in the job's thread gives."""

from __future__ import annotations

import orjson

from simpul.harvesters.base import Item, SourceSpec
from simpul.harvesters.fetching import Fetcher, FetchPolicy
from simpul.harvesters.importing import Organizations
from simpul.harvesters.parallel import init_worker, transform_batch
from simpul.harvesters.storing import transform_one
from simpul.harvesters.types.jsonapi import JsonHarvester

OPTIONS = {"fields": {"identifier": "id", "name": "nama"}}


def test_a_batch_is_transformed_and_checked_as_in_process(registry, harvests):
    harvests.org()
    with registry.db.session() as session:
        orgs = Organizations(session, "kota-gorontalo")
    spec = SourceSpec("s", "https://x.go.id/", "kota-gorontalo", OPTIONS, {}, {})
    good = orjson.dumps({"id": "akta", "nama": "Akta Kelahiran"})
    nameless = orjson.dumps({"id": "x"})
    payload = [
        ("a", good, "application/json", None, None),
        ("b", nameless, "application/json", None, None),
    ]
    init_worker("json", spec, orgs)
    out = dict(transform_batch(payload))
    assert out["a"][0] == "checked" and out["a"][1].prepared.data["identifier"] == "akta"
    assert out["b"][0] == "problem"
    here = transform_one(JsonHarvester(spec, Fetcher(FetchPolicy())), orgs, Item("a", good))
    assert here[1].prepared.data == out["a"][1].prepared.data
