"""Which layout reads a page: the one of its URL generation, else the one valid on the page's date, then the rest."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.site.schema import Layout, Site


def layouts_for(site: Site, generation: str | None, fetched_at: datetime) -> list[Layout]:
    """Every layout of the site, the most likely first (Fundus: a page from 2019 is read the 2019 way)."""
    day = fetched_at.date()
    by_generation = [lay for lay in site.layouts if generation and generation in lay.generations]
    by_date = [_valid_on(site.layouts, day)] if site.layouts else []
    ordered = [*by_generation, *by_date, *site.layouts]
    out: list[Layout] = []
    for lay in ordered:
        if all(lay.name != o.name for o in out):
            out.append(lay)
    return out


def _valid_on(layouts: tuple[Layout, ...], day: date) -> Layout:
    """The layout with the earliest end date after `day`; the current one (no end date) otherwise."""
    dated = sorted((lay for lay in layouts if lay.valid_until and lay.valid_until > day),
                   key=lambda lay: lay.valid_until)  # type: ignore[arg-type, return-value]
    return dated[0] if dated else layouts[0]
