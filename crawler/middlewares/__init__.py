"""Downloader middlewares: strict robots.txt and the host/scheme guard."""
