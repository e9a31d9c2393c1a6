"""A Redis-backed cluster: many `crawl --redis` workers, one `ingest` writing the archive (docs/cluster.md)."""


def require() -> None:
    """UsageError (exit 2, one line) when the cluster extra is not installed."""
    from importlib.util import find_spec

    missing = [name for name in ("redis", "scrapy_redis") if find_spec(name) is None]
    if missing:
        from crawler.commands import UsageError

        raise UsageError(f"the cluster needs redis and scrapy-redis ({', '.join(missing)} missing): "
                         "pip install 'newsarchive[cluster]'")
