"""The one place the commands ask the site model about editions and article URLs (one spot to change)."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.profile import ProfileError, available_sites, load_profile


def bundled_editions() -> dict[str, str]:
    """Every edition code and alias of the bundled site profiles, mapped to its edition (`so` -> `ckb`)."""
    codes: dict[str, str] = {}
    for name in available_sites():
        try:
            profile = load_profile(name)
        except ProfileError:
            continue
        for code in profile.editions:
            codes.setdefault(code, code)
        for alias, code in profile._aliases.items():
            codes.setdefault(alias, code)
    return codes


def url_identity(url: str, sites: list[str]) -> list[str]:
    """Article keys `url` may name on these sites: as a URL of the real site (any generation, slug or
    edition alias), or as one on a local mirror, whatever its host and path prefix."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return []
    # A mirror may sit under a path prefix (http://127.0.0.1:8765/ar/... or .../mirror/ar/...): try each.
    segments = [s for s in parts.path.split("/") if s]
    roots = [None] + [f"{parts.scheme}://{parts.netloc}/" + "/".join(segments[:n]) for n in range(len(segments))]
    keys: list[str] = []
    for site in sites:
        for root in roots:
            try:
                profile = load_profile(site, base_url=root.rstrip("/") if root else None)
            except ProfileError:
                break  # not a bundled profile: nothing to map with
            identity = profile.identify(url.strip())
            if identity is not None and identity.key not in keys:
                keys.append(identity.key)
    return keys
