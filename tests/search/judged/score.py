"""Score the search on the judged set: ``python -m tests.search.judged.score [--split S]``.

Loads the demo and the set into a temporary registry with the embedded index, asks every
query through ``/api/v1/search`` (size 10, with its area when it has one) and prints nDCG@10
and MRR@10 per kind and split. Information only; no floor is asserted here."""

from __future__ import annotations

import argparse
import math
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from simpul.registry.db import Database
from simpul.registry.indexing import sync
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, help="only this half (default: both)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'simpul.db'}"
        db = Database(url)
        db.upgrade()
        db.dispose()
        with running_app(url, folder) as app:
            registry = app.extensions["simpul"]
            load_into(registry)
            sync(registry, registry.search)
            client = app.test_client()

            def search(query: str, area: str | None) -> list[dict]:
                params = {"q": query, "size": K, **({"area": area} if area else {})}
                response = client.get("/api/v1/search", query_string=params)
                return response.get_json()["items"]

            print(render(table(search, load_queries(args.split))))


if __name__ == "__main__":
    main()
