"""A news site as a typed, validated unit: schema, loader, identity of URLs, mirrors, generic sites."""

from crawler.site.errors import SiteError
from crawler.site.identity import Identity
from crawler.site.loader import GENERIC, SITES_DIR, available_sites, load_site, read_site, site_file
from crawler.site.schema import Site

__all__ = ["GENERIC", "SITES_DIR", "Identity", "Site", "SiteError", "available_sites", "load_site", "read_site",
           "site_file"]
