"""The one place the commands ask the site model about editions and article URLs (one spot to change)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

from crawler.site import SiteError, available_sites, load_site


def bundled_editions() -> dict[str, str]:
    """Every edition code and alias of the bundled site profiles, mapped to its edition (`so` -> `ckb`)."""
    codes: dict[str, str] = {}
    for name in available_sites():
        try:
            profile = load_site(name)
        except SiteError:
            continue
        for code in profile.editions:
            codes.setdefault(code, code)
        for alias, code in profile._aliases.items():
            codes.setdefault(alias, code)
    return codes


def url_identity(url: str, sites: list[str], mirrors: Sequence[str] = ()) -> list[str]:
    """Article keys `url` may name on these sites: as a URL of the real site (any generation, slug or
    edition alias), or of a mirror: one of `mirrors` (the archive's crawl base URLs), or any loopback
    address, since a local mirror's port changes from run to run. Any path prefix of the mirror works."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return []
    origin = f"{parts.scheme}://{parts.netloc}"
    roots: list[str | None] = [None]
    if _is_loopback(parts.hostname) or any(m.rstrip("/").startswith(origin) for m in mirrors):
        # The mirror may sit under a path prefix (.../mirror/ar/story/1): try each.
        segments = [s for s in parts.path.split("/") if s]
        roots += [origin + "".join(f"/{s}" for s in segments[:n]) for n in range(len(segments))]
    keys: list[str] = []
    for site in sites:
        for root in roots:
            try:
                profile = load_site(site, base_url=root)
            except SiteError:
                break  # not a bundled profile: nothing to map with
            identity = profile.identify(url.strip())
            if identity is not None and identity.key not in keys:
                keys.append(identity.key)
    return keys


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"
