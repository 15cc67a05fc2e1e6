"""What a harvest job reports while it runs: its counts, the fields its records miss, and its
per-record errors. The run and its batch store both write here; it is the one thing they
share, and it is handed to the store explicitly."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from simpul.harvesters import jobs
from simpul.harvesters.credentials import scrub
from simpul.registry.models import HarvestError


class JobReport:
    def __init__(self, job_id: str, source_url: str, max_errors: int = 10_000):
        self.job_id, self.source_url, self.max_errors = job_id, source_url, max_errors
        self.counts: Counter[str] = Counter()
        self.gaps: Counter[str] = Counter()  # missing field -> number of records
        self.logged = 0  # error rows written

    def error(self, key: str | None, stage: str, message: str) -> dict[str, Any]:
        """An error row; the source's credentials never reach it, whatever the remote echoed."""
        return {
            "job_id": self.job_id,
            "key": scrub(key, self.source_url),
            "stage": stage,
            "message": scrub(message, self.source_url)[:4000],
        }

    def log(self, session: Session, errors: list[dict[str, Any]]) -> None:
        """Write error rows, up to ``max_errors`` per job (the counts keep counting)."""
        room = self.max_errors - self.logged
        if errors and room > 0:
            session.execute(insert(HarvestError.__table__), errors[:room])
            self.logged += min(room, len(errors))

    def log_now(self, db, key: str | None, stage: str, message: str) -> None:
        """One error, counted and written in a transaction of its own."""
        self.counts["errors"] += 1
        with db.transaction() as session:
            self.log(session, [self.error(key, stage, message)])

    def note_now(self, db, key: str | None, message: str) -> None:
        """A note (not an error: nothing failed), written in a transaction of its own."""
        with db.transaction() as session:
            self.log(session, [self.error(key, "note", message)])

    def snapshot(self) -> tuple[Counter, Counter]:
        return Counter(self.counts), Counter(self.gaps)

    def restore(self, snapshot: tuple[Counter, Counter]) -> None:
        """Back to a snapshot (a batch the database refused stored nothing)."""
        for mine, saved in zip((self.counts, self.gaps), snapshot, strict=True):
            mine.clear()
            mine.update(saved)

    def save(self, session: Session, **values: Any) -> None:
        """The counts so far on the job (and its mode once resolved)."""
        jobs.progress(session, self.job_id, self.counts, self.gaps, **values)
