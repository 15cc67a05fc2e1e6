"""Precision and recall of the automatic type link on the judged set (issue 14).

    python -m tests.registry.typematch_score [--misses tune|held-out|all]

The judged set splits in two halves by a stable hash of each title, negatives and positives
apart so both halves hold both: the weights and the default threshold were tuned on ``tune``
only; ``held-out`` is the check (``tests/registry/test_typematch.py`` holds its floor)."""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from simpul.registry.typematch import DEFAULT_THRESHOLD, TypeMatcher

ROOT = Path(__file__).resolve().parents[2]
TYPES_FILE = ROOT / "simpul" / "reference" / "data" / "service-types-id.jsonl"
JUDGED_FILE = Path(__file__).parent / "data" / "type-matching-judged.jsonl"
THRESHOLDS = (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def matcher() -> TypeMatcher:
    return TypeMatcher.from_types(read_jsonl(TYPES_FILE))


def as_record(judged: dict) -> dict:
    """A judged line as the service record it stands for."""
    record = {"name": {"id": judged["title"]}, "keywords": judged["keywords"]}
    record["sectors"] = judged["sectors"]
    if judged["description"]:
        record["description"] = {"id": judged["description"]}
    return record


def _key(judged: dict) -> str:
    return hashlib.sha256(judged["title"].strip().lower().encode()).hexdigest()


def halves() -> dict[str, list[dict]]:
    """``tune`` and ``held-out``: each stratum (negatives, positives) ordered by the hash of the
    title, then dealt alternately."""
    judged = read_jsonl(JUDGED_FILE)
    out: dict[str, list[dict]] = {"tune": [], "held-out": []}
    for negative in (True, False):
        stratum = sorted((j for j in judged if (j["expected_type"] is None) == negative), key=_key)
        for n, item in enumerate(stratum):
            out["tune" if n % 2 == 0 else "held-out"].append(item)
    out["all"] = out["tune"] + out["held-out"]
    return out


@dataclass
class Figures:
    threshold: float
    links: int
    correct: int
    expected: int

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def figures(m: TypeMatcher, judged: list[dict], threshold: float) -> Figures:
    links = correct = 0
    for j in judged:
        link = m.best(as_record(j), j["level"], threshold)
        if link is not None:
            links += 1
            correct += link.type_id == j["expected_type"]
    expected = sum(1 for j in judged if j["expected_type"] is not None)
    return Figures(threshold, links, correct, expected)


def top1(m: TypeMatcher, judged: list[dict]) -> float:
    positives = [j for j in judged if j["expected_type"] is not None]
    hits = 0
    for j in positives:
        found = m.suggest(as_record(j), j["level"], limit=1)
        hits += bool(found) and found[0].type_id == j["expected_type"]
    return hits / len(positives)


def misses(m: TypeMatcher, judged: list[dict], threshold: float) -> list[str]:
    out = []
    for j in judged:
        link = m.best(as_record(j), j["level"], threshold)
        got = link.type_id if link else None
        if got != j["expected_type"]:
            top = m.suggest(as_record(j), j["level"], limit=3)
            shown = ", ".join(f"{s.type_id} {s.score:.2f} {list(s.reasons)}" for s in top)
            out.append(
                f"{j['title']!r} [{j['level']}] want {j['expected_type']} got {got}: {shown}"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=("tune", "held-out", "all"))
    args = parser.parse_args()
    m = matcher()
    parts = halves()
    for name, judged in parts.items():
        negatives = sum(1 for j in judged if j["expected_type"] is None)
        print(f"{name}: {len(judged)} records ({negatives} negatives)")
        print(f"  top-1 accuracy of suggestions (positives): {top1(m, judged):.3f}")
        print("  threshold  links  correct  precision  recall     F1")
        for threshold in sorted({*THRESHOLDS, DEFAULT_THRESHOLD}):
            f = figures(m, judged, threshold)
            mark = "  (default)" if threshold == DEFAULT_THRESHOLD else ""
            print(
                f"  {threshold:9.2f}  {f.links:5d}  {f.correct:7d}  {f.precision:9.3f}"
                f"  {f.recall:6.3f}  {f.f1:5.3f}{mark}"
            )
    if args.misses:
        for line in misses(m, parts[args.misses], DEFAULT_THRESHOLD):
            print(line)


if __name__ == "__main__":
    main()
