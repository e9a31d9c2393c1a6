"""Discovery bounds of a cluster run: listings and child sitemaps counted in Redis for the whole run."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from crawler.bounds import DiscoveryBounds
from crawler.cluster.keys import run_key


@dataclass
class RunBounds(DiscoveryBounds):
    """NEWSARCHIVE_MAX_LISTINGS and NEWSARCHIVE_SITEMAP_MAX_FILES for the run, whichever worker parses the
    home page or sitemap: N workers stop where one plain crawl would, not at N times the limit."""

    server: Any = None
    run: str = ""

    @classmethod
    def of(cls, bounds: DiscoveryBounds, server: Any, run: str) -> RunBounds:
        own = {f.name: getattr(bounds, f.name) for f in fields(DiscoveryBounds)}
        return cls(**own, server=server, run=run)

    def take(self, name: str, limit: int) -> bool:
        key = run_key(self.run, f"bounds_{name}")
        if self.server.incr(key) > limit:
            self.server.decr(key)  # refused: the count stays the run's real one (a give_back may follow)
            return False
        return True

    def give_back(self, name: str) -> None:
        self.server.decr(run_key(self.run, f"bounds_{name}"))
