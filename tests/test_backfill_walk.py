"""The backfill's cursor rules and option parsing, without a crawl."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.backfill_walk import Walk, parse_date, parse_ids
from crawler.site import SiteError


def test_the_cursor_moves_only_over_complete_units_in_order():
    walk = Walk("listing", "https://www.kurdistan24.net/ar/latest", "ar", first=3)
    assert walk.finish(4, ok=True) is False and walk.frontier == 3      # page 3 still out
    assert walk.finish(3, ok=True) is True and walk.frontier == 5
    assert walk.finish(5, ok=False) is False and walk.failed == 1       # a failure holds the cursor
    assert walk.finish(6, ok=True) is False and walk.frontier == 5
    walk.end = 6
    assert not walk.complete
    assert walk.finish(5, ok=True) is True and walk.frontier == 7 and walk.complete


def test_ids_and_dates_parse_or_fail_with_one_line():
    assert parse_ids("120000-100000") == (100000, 120000)
    assert parse_ids(" 5-5 ") == (5, 5)
    for bad in ("100000", "a-b", "-5", "1-2-3"):
        with pytest.raises(SiteError, match="malformed --ids"):
            parse_ids(bad)
    # A bare date is a whole day in the site's time zone; --until includes that day.
    assert parse_date("2024-03-01", "+03:00") == datetime.fromisoformat("2024-03-01T00:00:00+03:00")
    assert parse_date("2024-03-01", "+03:00", end_of_day=True) == datetime.fromisoformat("2024-03-01T23:59:59+03:00")
    assert parse_date("2024-03-01T10:00:00Z", "+03:00") == datetime.fromisoformat("2024-03-01T10:00:00+00:00")
    assert parse_date("2024-03-01", "-04:30") == datetime.fromisoformat("2024-03-01T00:00:00-04:30")
    with pytest.raises(SiteError, match="malformed date"):
        parse_date("yesterday", "+03:00")
