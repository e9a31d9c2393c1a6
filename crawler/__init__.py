"""The crawling side of newsarchive: site profiles, the spider, extraction, settings and the CLI."""
