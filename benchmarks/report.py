"""The benchmark's goals, judged on the figures, and the table printed at the end of a run."""

from __future__ import annotations

from typing import Any

# (figure, getter, comparison, goal value, how the goal reads)
GOALS: list[tuple[str, tuple[str, str], str, float, str]] = [
    ("extraction vs trafilatura", ("extraction", "speedup_vs_trafilatura"), ">=", 5.0, ">= 5x faster"),
    ("extraction vs bare lxml parse", ("extraction", "ratio_vs_parse"), "<=", 3.0, "<= 3x the parse"),
    ("crawl rate vs no-op spider", ("crawl", "ratio_vs_noop"), ">=", 0.7, ">= 0.7 of no-op"),
    ("reextract vs trafilatura", ("reextract", "speedup_vs_trafilatura"), ">=", 5.0, ">= 5x faster"),
    ("peak RSS, large N / small N", ("memory", "ratio"), "<=", 1.3, "<= 1.3"),
    ("search p50", ("search", "p50_ms"), "<", 20.0, "< 20 ms"),
    ("search p95", ("search", "p95_ms"), "<", 100.0, "< 100 ms"),
    ("rerun time / first crawl", ("rerun", "fraction_of_first"), "<=", 0.25, "<= 0.25"),
    ("rerun fetches answered 304", ("rerun", "fraction_304"), ">=", 0.95, ">= 0.95"),
    ("rerun versions added", ("rerun", "versions_added"), "==", 0, "0"),
    ("edits found exactly", ("edits", "exact"), "==", True, "all, nothing else"),
    ("server rate / no-op crawl rate", ("server", "headroom_vs_noop"), ">=", 3.0, ">= 3 (not the bottleneck)"),
]


def _get(figures: dict[str, Any], path: tuple[str, str]) -> Any:
    return (figures.get(path[0]) or {}).get(path[1])


def judge(figures: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, path, op, goal, reads in GOALS:
        value = _get(figures, path)
        if value is None:
            met = None
        elif op == ">=":
            met = value >= goal
        elif op == "<=":
            met = value <= goal
        elif op == "<":
            met = value < goal
        else:
            met = value == goal
        out.append({"figure": name, "key": ".".join(path), "value": value, "goal": reads, "met": met})
    return out


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def rows(f: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(figure, measured, baseline measured in the same run)."""
    e, c, r, m, a, s = (f.get(k) or {} for k in ("extraction", "crawl", "reextract", "memory", "archive", "search"))
    rr, ed, sv = (f.get(k) or {} for k in ("rerun", "edits", "server"))
    return [
        ("extraction + cleaning, ms/page", _fmt(e.get("ours_ms")),
         f"trafilatura {_fmt(e.get('trafilatura_ms'))} · lxml parse {_fmt(e.get('lxml_parse_ms'))}"),
        ("  with the crawl's challenge check, ms/page", _fmt(e.get("with_challenge_check_ms")),
         "detect_block() on the raw text, before extraction"),
        ("  speedup vs trafilatura / x bare parse", f"{_fmt(e.get('speedup_vs_trafilatura'), 1)}x / "
         f"{_fmt(e.get('ratio_vs_parse'), 1)}x", f"{e.get('pages')} pages of {_fmt(e.get('mean_page_kb'), 0)} KB"),
        ("crawl into the archive, pages/s", _fmt(c.get("rate_pages_s"), 1),
         f"no-op spider {_fmt(c.get('noop_rate_pages_s'), 1)} pages/s (ratio {_fmt(c.get('ratio_vs_noop'))})"),
        ("  first crawl", f"{_fmt(c.get('pages_archived'))} pages in {_fmt(c.get('elapsed_s'), 1)} s",
         f"wall {_fmt(c.get('wall_s'), 1)} s"),
        ("reextract, ms/page", _fmt(r.get("ms_per_page")),
         f"trafilatura {_fmt(r.get('trafilatura_ms_per_page'))} ms/page ({_fmt(r.get('speedup_vs_trafilatura'), 1)}x)"),
        ("peak RSS of the crawl, MB", f"N={_fmt(m.get('n'))}: {_fmt(m.get('peak_rss_mb'), 0)} · "
         f"N={_fmt(m.get('n2'))}: {_fmt(m.get('peak_rss_mb_n2'), 0)}", f"ratio {_fmt(m.get('ratio'))}"),
        ("archive bytes per version", f"{_fmt(a.get('raw_html_compressed_bytes'), 0)} raw HTML (zlib) · "
         f"{_fmt(a.get('db_bytes'), 0)} whole DB", f"page as fetched {_fmt(a.get('raw_html_bytes'), 0)}"),
        ("archive write rate, versions/s", _fmt(a.get("write_per_s"), 1),
         f"{_fmt(a.get('write_ms_per_item'))} ms per record_article"),
        ("search latency p50 / p95, ms", f"{_fmt(s.get('p50_ms'), 1)} / {_fmt(s.get('p95_ms'), 1)}",
         f"{_fmt(s.get('versions'))} versions, {_fmt(s.get('articles'))} articles, {s.get('samples')} searches"),
        ("rerun of the unchanged site", f"{_fmt(rr.get('fraction_of_first'))} of the first crawl",
         f"{_fmt(rr.get('elapsed_s'), 1)} s; 304: {_fmt(rr.get('fraction_304'))}; "
         f"versions added {_fmt(rr.get('versions_added'))}"),
        ("edits found (2% edited)", f"{_fmt(ed.get('found'))} of {_fmt(ed.get('edited'))}",
         f"missed {_fmt(len(ed.get('missed') or []))}, spurious {_fmt(len(ed.get('spurious') or []))}"),
        ("benchmark server, pages/s", _fmt(sv.get("rate_pages_s"), 0),
         f"{_fmt(sv.get('headroom_vs_noop'), 1)}x the no-op crawl's rate"),
    ]


def table(figures: dict[str, Any]) -> str:
    lines = []
    body = rows(figures)
    w1 = max(len(r[0]) for r in body)
    w2 = max(len(r[1]) for r in body)
    lines.append(f"{'figure':<{w1}}  {'measured':<{w2}}  baseline (same run)")
    lines += [f"{a:<{w1}}  {b:<{w2}}  {c}" for a, b, c in body]
    lines.append("")
    goals = figures.get("goals") or judge(figures)
    w3 = max(len(g["figure"]) for g in goals)
    lines.append(f"{'goal':<{w3}}  {'value':>10}  {'target':<26}  met")
    for g in goals:
        met = "n/a" if g["met"] is None else ("MET" if g["met"] else "NOT MET")
        lines.append(f"{g['figure']:<{w3}}  {_fmt(g['value']):>10}  {g['goal']:<26}  {met}")
    return "\n".join(lines)
