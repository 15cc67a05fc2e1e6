"""Search: a backend interface, Indonesian analysis, an embedded engine, and sync from the
database's change log (the outbox). The database stays the source of truth; an index can always be
rebuilt (``simpul reindex``)."""
