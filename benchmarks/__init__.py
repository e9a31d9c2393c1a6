"""Benchmarks: a generated Kurdistan24-shaped site, a fast loopback server for it, and `python -m benchmarks.run`."""
