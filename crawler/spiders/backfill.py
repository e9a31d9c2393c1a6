"""The backfill spider: a site's whole history (every listing to its end, sitemaps, an id range), resumable."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from scrapy import Request, signals
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater
from twisted.python.failure import Failure

from archive.backfill import BackfillProgress
from archive.urls import clean_url
from crawler.backfill_walk import SOURCES, Unit, Walk, parse_date, parse_ids, when_of
from crawler.feeds import FeedError, parse_feed
from crawler.outcomes import COUNTED
from crawler.recheck import Rechecker
from crawler.site import SiteError
from crawler.site.urls import next_page
from crawler.spiders.news import PRIO_ARTICLE, PRIO_ENTRY, NewsSpider

logger = logging.getLogger(__name__)

# Articles before the next listing page: a listing's cursor then moves page by page while the walk goes on.
PRIO_NEXT_PAGE = 5


class BackfillSpider(NewsSpider):
    """Arguments: those of `news`, and ids (LOW-HIGH), oldest_first, since, until, sources
    (listings,sitemaps,ids), restart."""

    name = "backfill"

    def __init__(self, ids: str | None = None, oldest_first: str | bool | None = None, since: str | None = None,
                 until: str | None = None, sources: str | None = None, restart: str | bool | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bf_args = {"ids": ids, "oldest_first": oldest_first, "since": since, "until": until,
                         "sources": sources, "restart": restart}
        self._progress: BackfillProgress | None = None
        self.walks: list[Walk] = []
        self.ids: tuple[int, int] | None = None
        self.oldest_first = False
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.sources: tuple[str, ...] = SOURCES
        self.restart = False
        self.fetched_keys: set[str] = set()   # archived (or answered) in this run: a redirect target only once
        self.ids_in_flight = 0
        self.ids_left = 0
        self.oldest: datetime | None = None
        self.sitemap_files = 0
        self.crawl_id: int | None = None

    @property
    def progress(self) -> BackfillProgress:
        assert self._progress is not None, "opened in start()"
        return self._progress

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BackfillSpider:
        spider: BackfillSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        crawler.signals.connect(spider._item_stored, signal=signals.item_scraped)
        crawler.signals.connect(spider._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider._item_error, signal=signals.item_error)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        return spider

    def _configure_backfill(self, settings: Any) -> None:
        a = self._bf_args
        conf = self.site.backfill
        if a["ids"]:
            if not (conf.get("sequential_ids") and conf.get("article_url")):
                raise SiteError(f"site {self.site.name} does not declare sequential ids: --ids needs "
                                   "[backfill] sequential_ids = true and article_url in its profile")
            self.ids = parse_ids(a["ids"])
            self._check_template(conf["article_url"])
        self.oldest_first = str(a["oldest_first"] or "").lower() in ("1", "true", "yes")
        self.restart = str(a["restart"] or "").lower() in ("1", "true", "yes")
        tz = self.site.timezone
        self.since = parse_date(a["since"], tz) if a["since"] else None
        self.until = parse_date(a["until"], tz, end_of_day=True) if a["until"] else None
        if self.since and self.until and self.since > self.until:
            raise SiteError("--since is later than --until: nothing to backfill")
        if a["sources"]:
            wanted = tuple(s.strip() for s in str(a["sources"]).split(",") if s.strip())
            unknown = [s for s in wanted if s not in SOURCES]
            if unknown:
                raise SiteError(f"unknown backfill source {unknown[0]!r} (expected {', '.join(SOURCES)})")
            self.sources = wanted
        if "ids" in self.sources and not self.ids:
            self.sources = tuple(s for s in self.sources if s != "ids")
        self.max_sitemaps = settings.getint("NEWSARCHIVE_BACKFILL_SITEMAP_MAX_FILES", 10000)
        self.max_depth = settings.getint("NEWSARCHIVE_BACKFILL_SITEMAP_MAX_DEPTH", 3)
        self.stale_pages = max(1, settings.getint("NEWSARCHIVE_BACKFILL_STALE_PAGES", 2))
        self.since_run = max(1, settings.getint("NEWSARCHIVE_BACKFILL_SINCE_RUN", 50))
        self.save_interval = settings.getfloat("NEWSARCHIVE_BACKFILL_SAVE_INTERVAL", 1.0)
        window = settings.getint("NEWSARCHIVE_BACKFILL_ID_WINDOW", 0)
        self.id_window = window or max(8, 2 * settings.getint("CONCURRENT_REQUESTS", 16))

    def _check_template(self, template: str) -> None:
        for edition in self.editions:
            url = self.site.site_url + template.format(edition=edition, id=123456789)
            ident = self.site.identify(url)
            if ident is None or ident.article_id != "123456789" or ident.edition != edition:
                raise SiteError(f"[backfill] article_url {template!r} does not give an article URL of "
                                   f"edition {edition} under the profile's article_urls patterns")

    # --- progress bookkeeping ---------------------------------------------------------------------
    def _unit(self, walk: Walk, index: int, on_done: Callable[[Unit], None] | None = None) -> Unit:
        return Unit(walk, index, pending=1, on_done=on_done)

    def _member(self, unit: Unit, request: Request) -> Request:
        request.meta["bf_unit"] = unit
        unit.pending += 1
        return request

    def _tracked(self, unit: Unit | None, outputs: Iterable[Any]) -> Iterator[Any]:
        """Pass a callback's output through, counting its items into the unit; the request is done at the end."""
        try:
            for out in outputs:
                if unit is not None and not isinstance(out, Request):
                    unit.pending += 1
                yield out
        finally:
            if unit is not None:
                self._release(unit)

    def _release(self, unit: Unit) -> None:
        unit.pending -= 1
        if unit.pending == 0:
            walk = unit.walk
            moved = walk.finish(unit.index, not unit.failed)
            if unit.on_done is not None:
                unit.on_done(unit)
            if unit.parent is not None:
                unit.parent.failed |= unit.failed
                self._release(unit.parent)
            if moved or walk.complete or walk.stopped:
                self._save(walk)

    @staticmethod
    def _unit_of(source: Any) -> Unit | None:
        meta = getattr(source, "meta", None) if isinstance(source, Response) else \
            getattr(getattr(source, "request", None), "meta", None)
        return (meta or {}).get("bf_unit")

    def _item_stored(self, item: Any, response: Any, spider: Any = None) -> None:
        unit = self._unit_of(response)
        if unit is None:
            return
        if item.get("kind") == "article":
            when = when_of(item.get("published_at"))
            if when is not None:
                unit.dates[item["key"]] = when
                self.oldest = when if self.oldest is None or when < self.oldest else self.oldest
        elif item.get("outcome") in ("failed", "blocked"):
            unit.failed = True  # not in the archive: the cursor stays before it, the next backfill retries
        self._release(unit)

    def _item_dropped(self, item: Any, response: Any, exception: Any = None, spider: Any = None) -> None:
        if (unit := self._unit_of(response)) is not None:
            self._release(unit)

    def _item_error(self, item: Any, response: Any, failure: Any = None, spider: Any = None) -> None:
        if (unit := self._unit_of(response)) is not None:
            unit.failed = True
            self._release(unit)

    def _request_dropped(self, request: Request, spider: Any = None) -> None:
        # A duplicate of a request made earlier in this run: that one archives the article.
        if (unit := request.meta.get("bf_unit")) is not None:
            self._release(unit)

    def _position(self, walk: Walk) -> int:
        if walk.kind == "ids":
            assert self.ids is not None
            lo, hi = self.ids
            return lo + walk.frontier if self.oldest_first else hi - walk.frontier
        # Listings: the last page walked with all its articles in the archive (never behind the saved one).
        return max(walk.frontier - 1, walk.saved or 0)

    def _save(self, walk: Walk, force: bool = False) -> None:
        stamp = time.monotonic()
        if walk.kind == "ids" and not force and not walk.complete and stamp - walk.saved_at < self.save_interval:
            return  # a cursor write per id is not needed: a resume re-checks at most a second of ids
        walk.saved_at = stamp
        if walk.kind == "listing" and walk.frontier - 1 <= (walk.saved or 0) and not walk.complete:
            return
        self.progress.save(walk.kind, walk.target, self._position(walk), done=walk.complete,
                           lastmod=walk.lastmod, crawl_id=self.crawl_id)

    def _budget_spent(self) -> bool:
        return bool(self.config.max_pages and self.scheduled >= self.config.max_pages)

    def _articles(self, unit: Unit, links: Iterable[tuple[str, str | None]]) -> Iterator[Request]:
        """Requests for the article links of one unit; archived ones not due are skipped (their date counts)."""
        for link, hint in links:
            ident = self.site.identify(link)
            if ident is None or ident.edition not in self.editions:
                continue
            req = self.article_request(link, hint=hint)
            if req is not None:
                yield self._member(unit, req)
            elif self._budget_spent():
                unit.pending += 1  # never completes in this run: the next backfill starts here
                return
            elif self.since is not None and (when := when_of(self.progress.published_at(ident.key))):
                unit.dates[ident.key] = when

    # --- start --------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        # Here, not in from_crawler: the site is put on the crawler by SiteExtension, built after the spider.
        # The command checked these arguments before Scrapy started (crawler/commands/backfill.py).
        self._configure_backfill(self.crawler.settings)
        self._progress = BackfillProgress(self.config.db, self.site.name)
        self.rechecker = Rechecker(self.config.db, self.site.name, list(self.editions), self.config.recheck)
        self.crawl_id = self.crawler.stats.get_value("store/crawl_id")
        if self.restart:
            self.progress.forget()
        if self.crawl_id is not None:
            self.progress.register_run(self.crawl_id, {k: v for k, v in self._bf_args.items() if v})
        if "sitemaps" in self.sources:
            root = self.site.fetch_root
            if req := self._request(f"{root}/robots.txt", self.parse_robots, PRIO_ENTRY, kind="robots"):
                yield req
            for path in self.site.backfill.get("sitemaps", []):
                for edition in self.editions if "{edition}" in path else [None]:
                    url = root + (path.format(edition=edition) if edition else path)
                    if req := self._sitemap_request(url, depth=0, lastmod=None):
                        yield req
        if "listings" in self.sources:
            for edition in self.editions:
                entries = self.site.entry_urls(edition)
                for url in entries["home"]:
                    if req := self._request(url, self.parse_home, PRIO_ENTRY, kind="home"):
                        yield req
                for url in entries["listings"]:
                    if req := self._listing_start(url, edition):
                        yield req
        if "ids" in self.sources:
            async for req in self._id_requests():
                yield req

    async def _pause(self, seconds: float) -> None:
        from twisted.internet import reactor  # here: importing it at the top would install the default reactor

        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))

    # --- listings -----------------------------------------------------------------------------------
    def _listing_start(self, url: str, edition: str | None) -> Request | None:
        target = self.site.to_site_url(url)
        if any(w.kind == "listing" and w.target == target for w in self.walks):
            return None
        row = self.progress.get("listing", target)
        if row and row["done"]:
            self.crawler.stats.inc_value("backfill/listing_done_before")
            return None
        first = max(1, int(row["position"] or 0)) if row else 1  # the last page walked again: deletions shift
        walk = Walk("listing", target, edition, first)
        walk.saved = int(row["position"] or 0) if row else None
        self.walks.append(walk)
        return self._page_request(walk, url, first)

    def _page_url(self, base: str, page: int) -> str:
        if page == 1:
            return base
        # Pages by number (`?page=N`, `/page/N`); a site paginated only by next links is walked as `?page=N`.
        return next_page(self.site, base, page - 1, None) or f"{base}{'&' if '?' in base else '?'}page={page}"

    def _page_request(self, walk: Walk, base: str, page: int) -> Request | None:
        unit = self._unit(walk, page, on_done=self._page_done)
        req = self._request(self._page_url(base, page), self.parse_listing, PRIO_ENTRY if page == walk.first
                            else PRIO_NEXT_PAGE, kind="listing", listing=base, page=page, bf_unit=unit)
        unit.base = base
        return req

    def parse_home(self, response: Response) -> Iterator[Request | dict[str, Any]]:
        # The home page's navigation names more listings (categories): each is walked to its end too.
        # Its own article links are the newest ones, which the listings (and `crawl`) cover.
        if failure := self._entry_failure(response):
            yield failure
            return
        for link in self._links(response, self.site.discovery.navigation):
            edition = self.site.listing_edition(link)
            if edition in self.editions and (req := self._listing_start(self.site.to_fetch_url(clean_url(link) or link),
                                                                         edition)):
                yield req

    def parse_listing(self, response: Response) -> Iterable[Request | dict[str, Any]]:
        unit: Unit = response.meta["bf_unit"]
        return self._tracked(unit, self._listing(response, unit))

    def _listing(self, response: Response, unit: Unit) -> Iterator[Request | dict[str, Any]]:
        walk, page = unit.walk, response.meta["page"]
        if response.status in (404, 410) and page > 1:
            self.crawler.stats.inc_value("backfill/listing_past_end")
            walk.end = page  # past the last page: the walk is over
            return
        if failure := self._entry_failure(response):
            unit.failed = True
            yield failure
            return
        self.crawler.stats.inc_value("discovery/listing_pages")
        links = self._links(response, self.site.discovery.listing_links)
        found = [(link, ident) for link in links if (ident := self.site.identify(link))]
        keys = {ident.key for _, ident in found}
        fresh = keys - walk.seen
        walk.seen |= keys
        if not keys:
            walk.end = page  # a page without article links: the end of the listing
            self.crawler.stats.inc_value("backfill/listing_end")
            return
        walk.stale = 0 if fresh else walk.stale + 1
        unit.fresh = fresh
        yield from self._articles(unit, ((link, None) for link, _ in found))
        if walk.stale >= self.stale_pages:
            # Sites often answer past-the-end pages with the last page again.
            walk.end = page
            self.crawler.stats.inc_value("backfill/listing_end")
            return
        if self.since is None and (req := self._page_request(walk, response.meta["listing"], page + 1)):
            yield req  # without --since the next page need not wait for this page's articles

    def _page_done(self, unit: Unit) -> None:
        walk = unit.walk
        if self.since is None or walk.end is not None or walk.stopped:
            return
        # The page's own cards are the links new to the walk (furniture such as a "breaking" ticker repeats
        # from page to page); their median date is older than --since: listings go newest first, so
        # every later page is older still.
        dates = sorted(d for k, d in unit.dates.items() if k in unit.fresh)
        if dates and dates[len(dates) // 2] < self.since:
            walk.stopped = True
            self.crawler.stats.inc_value("backfill/listing_since_reached")
            return
        if req := self._page_request(walk, unit.base, unit.index + 1):
            self.crawler.engine.crawl(req)

    # --- sitemaps -----------------------------------------------------------------------------------
    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        for line in response.text.splitlines():
            name, _, value = line.partition(":")
            if name.strip().lower() == "sitemap" and value.strip():
                url = self.site.to_fetch_url(value.strip())
                if self.site.is_own_url(url) and (req := self._sitemap_request(url, depth=0, lastmod=None)):
                    yield req

    def _sitemap_request(self, url: str, depth: int, lastmod: str | None, parent: Unit | None = None) -> Request | None:
        target = self.site.to_site_url(url)
        if any(w.kind == "sitemap" and w.target == target for w in self.walks):
            return None
        row = self.progress.get("sitemap", target)
        if row and row["done"] and (not lastmod or row["lastmod"] == lastmod):
            self.crawler.stats.inc_value("backfill/sitemap_done_before")
            return None
        if self.sitemap_files >= self.max_sitemaps:
            self.crawler.stats.inc_value("backfill/sitemap_limit_reached")
            if parent is not None:
                parent.failed = True  # not complete: the next backfill reads the rest
            return None
        self.sitemap_files += 1
        walk = Walk("sitemap", target, None, 0)
        walk.end, walk.lastmod = 0, lastmod
        self.walks.append(walk)
        unit = self._unit(walk, 0)
        req = self._request(url, self.parse_sitemap, PRIO_ENTRY, kind="feed", depth=depth, bf_unit=unit)
        if req is not None and parent is not None:
            unit.parent = parent
            parent.pending += 1
        return req

    def parse_sitemap(self, response: Response) -> Iterable[Request | dict[str, Any]]:
        unit: Unit = response.meta["bf_unit"]
        return self._tracked(unit, self._sitemap(response, unit))

    def _sitemap(self, response: Response, unit: Unit) -> Iterator[Request | dict[str, Any]]:
        if failure := self._entry_failure(response):
            unit.failed = True
            yield failure
            return
        if response.status != 200:  # a missing sitemap (counted by _entry_failure): not done, tried again
            unit.failed = True
            return
        try:
            entries = parse_feed(response.body, response.url, self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        except FeedError as exc:
            self.crawler.stats.inc_value("discovery/feed_refused")
            logger.warning("sitemap %s refused: %s", response.url, exc)
            unit.failed = True
            return
        self.crawler.stats.inc_value("backfill/sitemaps")
        links: list[tuple[str, str | None]] = []
        for entry in entries:
            published, modified = when_of(entry.published), when_of(entry.modified)
            if entry.sitemap:
                if self.since and modified and modified < self.since:
                    self.crawler.stats.inc_value("backfill/sitemap_before_since")
                elif response.meta["depth"] >= self.max_depth:
                    self.crawler.stats.inc_value("backfill/sitemap_too_deep")
                elif req := self._sitemap_request(self.site.to_fetch_url(entry.url), response.meta["depth"] + 1,
                                                  entry.modified, parent=unit):
                    yield req
                continue
            # A lastmod before --since means published before it too; only a publication date tells --until.
            if self.since and ((published or modified) and (published or modified) < self.since):  # type: ignore[operator]
                self.crawler.stats.inc_value("backfill/entry_outside_dates")
            elif self.until and published and published > self.until:
                self.crawler.stats.inc_value("backfill/entry_outside_dates")
            else:
                links.append((entry.url, entry.modified or entry.published))
        self.crawler.stats.inc_value("backfill/sitemap_entries", len(links))
        yield from self._articles(unit, links)

    # --- ids ----------------------------------------------------------------------------------------
    async def _id_requests(self) -> AsyncIterator[Request]:
        assert self.ids is not None
        lo, hi = self.ids
        template = self.site.backfill["article_url"]
        order = "oldest" if self.oldest_first else "newest"
        for edition in self.editions:
            target = f"{edition}:{lo}-{hi}:{order}-first"
            row = self.progress.get("ids", target)
            if row and row["done"]:
                self.crawler.stats.inc_value("backfill/ids_done_before")
                continue
            first = 0
            if row and row["position"] is not None:
                first = (row["position"] - lo) if self.oldest_first else (hi - row["position"])
            walk = Walk("ids", target, edition, max(first, 0))
            walk.end = hi - lo
            self.walks.append(walk)
            self.ids_left += walk.end + 1 - walk.first
            for k in range(walk.first, walk.end + 1):
                while self.ids_in_flight >= self.id_window:
                    await self._pause(0.01)
                if walk.stopped or self._budget_spent():
                    break
                self.ids_left -= 1
                article_id = lo + k if self.oldest_first else hi - k
                url = self.site.fetch_root + template.format(edition=edition, id=article_id)
                unit = self._unit(walk, k, on_done=self._id_done)
                ident = self.site.identify(self.site.to_site_url(url))
                req = None
                if ident is not None and ident.key in self.fetched_keys:
                    self.crawler.stats.inc_value("backfill/ids_fetched_by_redirect")
                else:
                    req = self._articles_one(unit, url)
                if req is not None:
                    # Scrapy's queues are last-in first-out within a priority: a falling priority keeps the
                    # walk in id order. dont_filter: two ids redirecting to one article are two events
                    # (the identity check above already makes each id one request).
                    req = req.replace(priority=PRIO_ARTICLE - k, dont_filter=True)
                    self.ids_in_flight += 1
                    unit.id_request = True
                # The unit's own count: with no request (archived and not due, or already reached through
                # a redirect) it is complete now; else when its request and items are.
                self._release(unit)
                if req is not None:
                    yield req

    def _articles_one(self, unit: Unit, url: str) -> Request | None:
        reqs = list(self._articles(unit, [(url, None)]))
        return reqs[0] if reqs else None

    def _id_done(self, unit: Unit) -> None:
        if unit is not None and unit.id_request:
            self.ids_in_flight -= 1
        walk = unit.walk
        if self.since is None or not unit.dates:
            return
        # Ids do not grow at a steady rate: stop only after a run of articles all older than --since.
        walk.stale = walk.stale + 1 if max(unit.dates.values()) < self.since else 0
        if walk.stale >= self.since_run and not walk.stopped:
            walk.stopped = True
            self.crawler.stats.inc_value("backfill/ids_since_reached")

    # --- articles -------------------------------------------------------------------------------------
    async def parse_article(self, response: Response) -> AsyncIterator[Request | dict[str, Any]]:
        unit: Unit | None = response.meta.get("bf_unit")
        try:
            items = await self.article_items(response)
        except BaseException:
            if unit is not None:  # as _tracked does when a callback raises: the unit must not wait for it
                self._release(unit)
            raise
        for out in self._tracked(unit, self._article(response, unit, items)):
            yield out

    def _article(self, response: Response, unit: Unit | None,
                 items: list[dict[str, Any]]) -> Iterator[Request | dict[str, Any]]:
        ident = response.meta["identity"]
        for item in self.article_outputs(response, items):
            if item.get("kind") == "article":
                # Once per run under its own key, whether reached directly or as the target of a redirect
                # (a redirect target archived before and not due is not recorded again either).
                if item["key"] in self.fetched_keys or (item["key"] != ident.key and self.rechecker
                                                        and not self.rechecker.decide(item["key"])[0]):
                    self.crawler.stats.inc_value("backfill/article_seen_in_run")
                    continue
                self.fetched_keys.add(item["key"])
            elif (unit is not None and unit.id_request and item.get("outcome") == "gone"
                  and not response.meta.get("recheck")):
                # An id never archived that answers 404/410: counted, not an error (ids have gaps).
                status = item.get("http_status")
                self.crawler.stats.inc_value("backfill/ids_missing" if status == 404 else "backfill/ids_gone")
                logger.info("id %s: HTTP %s (never archived)", ident.key, status)
                response.meta[COUNTED] = True  # the outcome ledger: accounted for, not a lost page
                continue
            yield item

    def on_error(self, failure: Failure) -> Iterable[dict[str, Any]]:
        unit = failure.request.meta.get("bf_unit")  # type: ignore[attr-defined]
        if unit is not None and failure.request.meta.get("kind") != "article":  # type: ignore[attr-defined]
            unit.failed = True
        return self._tracked(unit, super().on_error(failure))

    # --- the end ------------------------------------------------------------------------------------
    def summary(self) -> list[dict[str, Any]]:
        out = []
        for walk in self.walks:
            state = "complete" if walk.complete else "stopped at --since" if walk.stopped else "to continue"
            out.append({"kind": walk.kind, "target": walk.target, "edition": walk.edition, "state": state,
                        "from": walk.first, "position": self._position(walk), "failed_units": walk.failed})
        return out

    def closed(self, reason: str) -> None:
        try:
            if self._progress is not None:
                for walk in self.walks:
                    self._save(walk, force=True)
                self.progress.close()
            self.crawler.stats.set_value("backfill/walks", self.summary())
            if self.oldest is not None:
                self.crawler.stats.set_value("backfill/oldest_published", self.oldest.isoformat())
        finally:
            super().closed(reason)

