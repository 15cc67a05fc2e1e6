"""Search: a backend interface, Indonesian analysis, an embedded engine, and sync from the
database's change log (the outbox). The database stays the source of truth; an index can always be
rebuilt (``simpul reindex``)."""


def open_backend(settings):
    """The backend ``settings`` name: the embedded index, or an Elasticsearch/OpenSearch cluster.
    The entry points (app factory, command line) hand this to the core's ``Registry``."""
    if settings.search_url == "embedded":
        from simpul.search.embedded import EmbeddedBackend

        return EmbeddedBackend(settings.search_path)
    from simpul.search.cluster import ClusterBackend

    return ClusterBackend(
        settings.search_urls,
        settings.search_index,
        engine=settings.search_engine,
        ca_certs=settings.search_ca_certs or None,
        shards=settings.search_shards,
        replicas=settings.search_replicas,
        pool_size=settings.search_pool_size,
    )
