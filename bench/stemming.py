"""Stemming accuracy: ``simpul.search.analysis.stem`` on the stemming test pairs of Lucene's
Indonesian stemmer and of Sastrawi (``shared/data/nlp``, beside the repository).

Not a speed figure: the share of words whose stem is the expected one, per list, with the misses
named so that a change to the stemmer can be judged word by word. Lucene's pairs include its
"inflectional only" mode and its over-stemming by design (``pantai`` → ``panta``), so not every
pair is a miss of ours to fix."""

from __future__ import annotations

import csv
import os
from pathlib import Path

PAIR_FILES = {
    "lucene_test_pairs": "lucene-indonesian-stemmer-test-pairs.csv",
    "sastrawi_functional_pairs": "stem-pairs-functional-test.csv",
    "sastrawi_integration_pairs": "stem-pairs-integration-test.csv",
}


def nlp_folder() -> Path:
    """``SIMPUL_SHARED_DATA``/nlp, or ``../shared/data/nlp`` beside the repository."""
    shared = os.environ.get("SIMPUL_SHARED_DATA")
    root = Path(shared) if shared else Path(__file__).resolve().parents[2] / "shared" / "data"
    return root / "nlp"


def accuracy(path: Path) -> dict:
    from simpul.search.analysis import stem

    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    misses = [
        f"{row['word']} -> {stem(row['word'])} (expected {row['expected_stem']})"
        for row in rows
        if stem(row["word"]) != row["expected_stem"]
    ]
    return {
        "pairs": len(rows),
        "correct": len(rows) - len(misses),
        "share": round((len(rows) - len(misses)) / len(rows), 3) if rows else None,
        "misses": misses,
    }


def stemming_accuracy(ctx=None) -> dict:
    folder = nlp_folder()
    if not folder.is_dir():
        return {"skipped": f"{folder} is missing (the reference data beside the repository)"}
    return {name: accuracy(folder / file) for name, file in PAIR_FILES.items()}
