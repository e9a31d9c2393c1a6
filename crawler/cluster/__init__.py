"""A Redis-backed cluster: many `crawl --redis` workers, one `ingest` writing the archive (docs/cluster.md)."""
