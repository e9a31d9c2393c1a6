"""Fixture sites served on loopback for crawl tests of site shapes no profile describes."""
