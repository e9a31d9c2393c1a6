"""Item pipelines: cleaning (display layer), deduplication, and handing items to the archive."""
