"""Spiders: one, driven by a site profile (`crawler/sites/*.toml`)."""
