"""The one URL-cleaning rule: absolute http(s), no fragment, no tracking parameters (shared by crawler and archive)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urljoin, urlsplit

from w3lib.url import url_query_cleaner

# Query parameters that identify a campaign or a click, never a page. Prefixes are `utm_` only: a
# broader prefix (`ref`, `amp`) would also drop parameters that do select a page.
TRACKING_PREFIXES = ("utm_",)
TRACKING_NAMES = frozenset((
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "mc_cid", "mc_eid",
    "igshid", "ref_src", "ref_url", "_ga", "_gl", "mkt_tok",
))


def is_tracking(name: str) -> bool:
    name = name.lower()
    return name.startswith(TRACKING_PREFIXES) or name in TRACKING_NAMES


def clean_url(raw: str | None, base: str | None = None) -> str | None:
    """`raw` made absolute against `base`, without fragment and tracking parameters; None unless http(s).

    The other parameters keep their encoding, order and repeats: they may select the page.
    """
    if not raw or not raw.strip():
        return None
    absolute = urljoin(base, raw.strip()) if base else raw.strip()
    if urlsplit(absolute).scheme.lower() not in ("http", "https"):
        return None
    drop = sorted({k for k, _ in parse_qsl(urlsplit(absolute).query, keep_blank_values=True) if is_tracking(k)})
    return url_query_cleaner(absolute, drop, remove=True, unique=False, keep_fragments=False)
