"""Scrapy settings for newsarchive: every default in one place, prefixed by its component."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsarchive")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# A real User-Agent that names the project, so a site's operators can tell who we are.
USER_AGENT = f"newsarchive/{__version__} (+https://github.com/newsarchive/newsarchive; news archiving for research)"

# --- newsarchive's own settings -----------------------------------------------------------------
# Read once per crawl by crawler/config.py (CrawlConfig), which SiteExtension puts on the crawler.
# CLI flags are these settings at Scrapy's "cmdline" priority; `-s NAME=VALUE` is applied after them.
NEWSARCHIVE_DB = "newsarchive.db"          # the SQLite archive (CLI: --db, env NEWSARCHIVE_DB)
NEWSARCHIVE_SITE = "kurdistan24"           # bundled profile name, path to a profile TOML, or "generic"
NEWSARCHIVE_EDITIONS = ""                  # comma list; empty = the profile's default editions
NEWSARCHIVE_BASE_URL = ""                  # a mirror or local copy to crawl instead of the real host
NEWSARCHIVE_MAX_PAGES = 0                  # stop scheduling new pages after this many (0 = no limit)
NEWSARCHIVE_RECHECK = "due"                # rechecks of archived articles: all, due (per policy) or none
# Recheck policy tiers as JSON [[age_seconds, interval_seconds], ...]; empty = archive.policy.DEFAULT_TIERS.
NEWSARCHIVE_RECHECK_TIERS = ""
# Cap the archive at this many SQLite pages (0 = none): SQLITE_FULL then stops the crawl as a full disk does.
NEWSARCHIVE_MAX_PAGE_COUNT = 0
# The crawl empties the archive's WAL file once it passes this size, even with readers attached (0 = off).
NEWSARCHIVE_WAL_LIMIT = 16 * 1024 * 1024
# The archive writer thread (pipelines/writer.py): one transaction per batch of up to this many items or
# this many milliseconds of waiting for more, or pages of this many bytes in all (what one transaction adds
# to the WAL before the WAL guard may empty it); at most NEWSARCHIVE_WRITE_QUEUE items wait for it.
NEWSARCHIVE_WRITE_BATCH = 100
NEWSARCHIVE_WRITE_BATCH_MS = 50
NEWSARCHIVE_WRITE_BATCH_BYTES = 256 * 1024
NEWSARCHIVE_WRITE_QUEUE = 500
# The writer thread hands each batch to a process of its own (pipelines/writerproc.py), so the archive's
# per-article work (key layers, MinHash, compression, SQL) runs on another core than the crawl's reactor.
NEWSARCHIVE_WRITER_PROCESS = True
# Extraction worker processes (crawler/pool.py, crawler/poolext.py; CLI --workers): article pages are
# extracted in this many processes beside the crawl's own (-1: one per core beyond two, as
# the crawl and the archive writer use two; 0: in the crawl's process).
# The pool starts after NEWSARCHIVE_WORKERS_START_AFTER article pages (a small crawl does not pay its
# start-up). A page a worker has not answered within NEWSARCHIVE_WORKER_TIMEOUT seconds, or that a worker
# died on twice, is recorded as a failed fetch with that reason. NEWSARCHIVE_WORKER_FAULTS is for tests
# only: JSON {"URL substring": "sleep" | "exit" | "exit-once:FLAG_PATH"} makes a worker hang or die there.
NEWSARCHIVE_WORKERS = -1
NEWSARCHIVE_WORKERS_START_AFTER = 20
NEWSARCHIVE_WORKER_TIMEOUT = 60.0
NEWSARCHIVE_WORKER_FAULTS = ""
# Bounded discovery (crawler/bounds.py): sitemap-index nesting and child sitemaps per crawl, entries read
# per feed or sitemap (50 000 is the sitemap protocol's own limit), listings taken from home pages per
# crawl. What is cut is recorded as a `failed` fetch row ("discovery cut: ...") on the page that named it.
NEWSARCHIVE_SITEMAP_MAX_DEPTH = 3
NEWSARCHIVE_SITEMAP_MAX_FILES = 1000
NEWSARCHIVE_FEED_MAX_ENTRIES = 50000
NEWSARCHIVE_MAX_LISTINGS = 500
NEWSARCHIVE_PROGRESS = True                # a live line of counts on a terminal, plain lines in a log
NEWSARCHIVE_PROGRESS_INTERVAL = 30.0       # seconds between plain progress lines when not on a terminal
# `newsarchive backfill` (crawler/spiders/backfill.py): bounded however deep a site's history goes.
NEWSARCHIVE_BACKFILL_SITEMAP_MAX_FILES = 10000  # sitemaps (indexes and their children) read in one run
NEWSARCHIVE_BACKFILL_SITEMAP_MAX_DEPTH = 3      # sitemap indexes nested deeper than this are not followed
NEWSARCHIVE_BACKFILL_STALE_PAGES = 2       # listing pages in a row with no article new to the walk end it
NEWSARCHIVE_BACKFILL_SINCE_RUN = 50        # ids: articles in a row older than --since end the id walk
NEWSARCHIVE_BACKFILL_ID_WINDOW = 0         # ids requested ahead of the finished ones (0: 2 x CONCURRENT_REQUESTS)
NEWSARCHIVE_BACKFILL_SAVE_INTERVAL = 1.0   # seconds between writes of an id cursor (listing cursors: every page)

# --- politeness (the defaults are for the real site; a local mirror overrides them with -s) -----
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# An article page yields one item; Scrapy's default of 100 parallel item tasks per response costs
# ~1.5 ms of CPU per page for nothing (docs/performance.md).
CONCURRENT_ITEMS = 8

# --- limits: a news page is never megabytes, and one hanging page must not hold a crawl ----------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2
# Retry n waits BACKOFF_BASE_DELAY * 2**(n-1) s; a 429/503 or a Retry-After holds the whole host.
# Every wait is capped; a Retry-After above the cap is not retried in this crawl (recorded failed).
BACKOFF_BASE_DELAY = 1.0
BACKOFF_MAX_DELAY = 120.0
REDIRECT_MAX_TIMES = 5
# Only http and https: an archiver of a web site has no business reading files or S3 buckets.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}

# Every response comes back to the spider whatever its status (522, 999, 401, ...), so each is recorded
# with its reason (`HTTP 522`) instead of HttpErrorMiddleware's silent IgnoreRequest (docs/failures.md).
HTTPERROR_ALLOW_ALL = True
# The single accounting point: each scheduled request gets exactly one recorded outcome
# (crawler/outcomes.py; stat outcomes/missing must stay 0). A crawl in which every discovery page
# (home, listing, feed, sitemap) failed ends as `failed: entry_pages_failed` (exit 1).
OUTCOMES_ENABLED = True
OUTCOMES_FAIL_WITHOUT_ENTRY = True
# An HTML document that opens <html> but reaches neither </body> nor </html> was cut short (a
# Content-Length smaller than the page): retried, then recorded as failed, never a version.
# Off only for a site whose pages really omit both end tags.
FAULTS_REQUIRE_HTML_END = True

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.StrictRobotsTxtMiddleware": 100,
    "crawler.middlewares.guard.HostGuardMiddleware": 50,
    # Above RetryMiddleware (550): its process_response runs first, so challenges are not retried.
    "crawler.middlewares.block.ChallengeNoRetryMiddleware": 560,
    # Faults are recorded with a reason, never swallowed (docs/hardening.md): backoff just above
    # RetryMiddleware, clear reasons just below it, truncation checked on the decompressed body.
    "crawler.middlewares.backoff.BackoffMiddleware": 555,
    "crawler.middlewares.faults.FaultReasonMiddleware": 540,
    "crawler.middlewares.faults.TruncationMiddleware": 585,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.faults.BoundedHttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.redirects.GuardedRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.redirects.GuardedMetaRefreshMiddleware": 580,
    # Scrapy's cookie middleware fetches the public-suffix list from the internet when tldextract's
    # cache is empty; this one uses the snapshot bundled with tldextract (no request, no cache file).
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.middlewares.cookies.OfflineCookiesMiddleware": 700,
}
SPIDER_MIDDLEWARES: dict[str, int] = {
    # Innermost (next to the callbacks): sees every callback's output and exception.
    "crawler.outcomes.OutcomeLedger": 950,
}

# Dedupe runs first: it compares key layers, which do not depend on cleaning (key(display(x)) ==
# key(x)), and the dateline is then read from the first paragraph that really is body text.
ITEM_PIPELINES = {
    "pipelines.dedupe.DedupePipeline": 100,
    "pipelines.clean.CleanPipeline": 200,
    "pipelines.store.StorePipeline": 300,
}

EXTENSIONS = {
    # Loads the site and the crawl's NEWSARCHIVE_* settings once; every component reads them from it.
    "crawler.site.extension.SiteExtension": 0,
    "crawler.progress.ProgressExtension": 500,
    "crawler.poolext.ExtractPoolExtension": 510,
}

# One request per article identity per crawl, whatever URL variant links to it.
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.IdentityFingerprinter"

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
