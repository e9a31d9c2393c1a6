"""A Redis-backed cluster: many `crawl --redis` workers, one `ingest` writing the archive (docs/cluster.md)."""


def require() -> None:
    """UsageError (exit 2, one line) when the cluster extra is not installed."""
    try:
        import redis  # noqa: F401
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        from crawler.commands import UsageError

        raise UsageError(f"the cluster needs redis and scrapy-redis ({exc.name} is missing): "
                         "pip install 'newsarchive[cluster]'") from None
