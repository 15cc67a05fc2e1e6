"""Score the search on the judged set: ``python -m tests.search.judged.score [--split S]
[--backend embedded|elasticsearch|opensearch|URL] [--without FEATURE ...]``.

Loads the demo and the set into a temporary registry, indexes every live service (with the
search features given, all by default) into the backend, asks every query (size 10, with its
area when it has one, spelling corrected towards that index's vocabulary, as the API does) and
prints nDCG@10 and MRR@10 per kind and split. ``elasticsearch`` and ``opensearch`` start a node
from Maven Central as the tests do; a URL uses a running cluster. Information only: the floor
is ``tests/search/test_judged_floor.py``."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import select

from simpul.registry.db import Database
from simpul.registry.models import Service
from simpul.registry.services import service_to_dict
from simpul.search.base import build_query, document
from simpul.search.features import ALL, NAMES, Features
from tests.conftest import running_app
from tests.search.judged import KINDS, SPLITS, load_into, load_queries

K = 10
Search = Callable[[str, str | None], list[dict]]


def dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:K]))


def score_query(query: dict, items: list[dict]) -> tuple[float, float]:
    """(nDCG@10, reciprocal rank of the first grade-2 answer within 10) of one query."""
    judged = query["judgments"]
    gains = [judged.get(f"{item['identifier']}@{item['authority']}", 0) for item in items[:K]]
    ideal = dcg(sorted(judged.values(), reverse=True))
    rr = next((1 / (i + 1) for i, g in enumerate(gains) if g == 2), 0.0)
    return (dcg(gains) / ideal if ideal else 0.0), rr


def table(search: Search, queries: list[dict]) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(kind, split) -> (mean nDCG@10, MRR@10, number of queries); kind 'all' sums the kinds."""
    rows: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for query in queries:
        result = score_query(query, search(query["query"], query["area"]))
        for kind in (query["kind"], "all"):
            rows[kind, query["split"]].append(result)
            rows[kind, "both"].append(result)
    return {
        key: (sum(n for n, _ in v) / len(v), sum(r for _, r in v) / len(v), len(v))
        for key, v in rows.items()
    }


def render(scores: dict[tuple[str, str], tuple[float, float, int]]) -> str:
    splits = (*SPLITS, "both")
    head = "kind        " + "".join(f"{s + ' nDCG':>14}{'MRR':>7}{'n':>5}" for s in splits)
    lines = [head, "-" * len(head)]
    for kind in (*KINDS, "all"):
        cells = ""
        for split in splits:
            ndcg, mrr, n = scores.get((kind, split), (0.0, 0.0, 0))
            cells += f"{ndcg:>14.3f}{mrr:>7.3f}{n:>5}"
        lines.append(f"{kind:<12}{cells}")
    return "\n".join(lines)


def judged_records(folder: Path) -> list[tuple[dict, dict | None]]:
    """Every live service of the demo and the set, as the index receives them: (its effective
    record, the published form of its service type or None), as ``typed_document`` reads them."""
    url = f"sqlite:///{folder / 'simpul.db'}"
    db = Database(url)
    db.upgrade()
    db.dispose()
    with running_app(url, folder) as app:
        registry = app.extensions["simpul"]
        load_into(registry)
        with registry.db.session() as session:
            types = registry.type_index(session)
            rows = session.scalars(select(Service).where(Service.deleted_at.is_(None)))
            return [
                (
                    service_to_dict(s, with_quality=False, types=types),
                    found.data if (found := types.get(s.type_id)) else None,
                )
                for s in rows
            ]


_prefixes = itertools.count()


def open_backend(kind: str, folder: Path, url: str | None = None):
    """A fresh, empty index: embedded in ``folder``, or on the cluster at ``url``."""
    if kind == "embedded":
        from simpul.search.embedded import EmbeddedBackend

        return EmbeddedBackend(folder / f"index-{next(_prefixes)}")
    from simpul.search.cluster import ClusterBackend

    prefix = f"judged-{os.getpid()}-{next(_prefixes)}"
    return ClusterBackend(url, prefix=prefix, engine=kind)


def drop(backend) -> None:
    if getattr(backend, "prefix", None):
        backend.client.indices.delete(index=f"{backend.prefix}-*", ignore_unavailable=True)
    backend.close()


def searcher(backend, records: list[tuple[dict, dict | None]], features: Features = ALL) -> Search:
    """Index ``records`` analysed with ``features``; a search of that index as the API asks."""
    backend.index_documents([document(r, features, kind) for r, kind in records])
    backend.commit(1)

    def search(query: str, area: str | None) -> list[dict]:
        built = build_query(
            query, area=area, size=K, features=features, vocabulary=backend.vocabulary()
        )
        return backend.search(built).items

    return search


@contextlib.contextmanager
def cluster(kind: str) -> Iterator[str]:
    if kind.startswith("http"):
        yield kind
        return
    from tests.services.elasticsearch import start_elasticsearch
    from tests.services.opensearch import start_opensearch

    node = (start_elasticsearch if kind == "elasticsearch" else start_opensearch)()
    if node is None:
        raise SystemExit(f"cannot start {kind} (java and mvn are needed)")
    try:
        yield node.url
    finally:
        node.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, help="only this half (default: both)")
    parser.add_argument(
        "--backend",
        default="embedded",
        help="embedded, elasticsearch, opensearch, or the URL of a running cluster",
    )
    parser.add_argument(
        "--without",
        action="append",
        choices=NAMES,
        default=[],
        help="switch a search feature off (repeatable)",
    )
    args = parser.parse_args(argv)
    features = ALL
    for name in args.without:
        features = features.without(name)
    queries = load_queries(args.split)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = judged_records(folder)
        with contextlib.ExitStack() as stack:
            kind, url = args.backend, None
            if kind != "embedded":
                url = stack.enter_context(cluster(kind))
                kind = kind if not kind.startswith("http") else "auto"
            backend = open_backend(kind, folder, url)
            stack.callback(drop, backend)
            print(render(table(searcher(backend, records, features), queries)))


if __name__ == "__main__":
    main()
