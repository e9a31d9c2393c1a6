"""`python -m benchmarks.extraction`: body precision/recall/F1 on the article-extraction benchmark, with baselines.

Scores our generic extraction (no site profile: `extract_article` with no selectors, every field computed)
against trafilatura and readability-lxml in the same run, by the benchmark's own shingle metric
(benchmarks/article-extraction/README.md), with milliseconds per page for each.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "article-extraction"
CONTENT_TYPE = "text/html; charset=utf-8"
SYSTEMS = ("newsarchive", "trafilatura", "readability")
HALVES = ("all", "odd", "even")

_TOKEN = re.compile(r"\w+")  # the benchmark's tokenizer (Unicode \w: Arabic script too)
_SHINGLE = 4


@dataclass(frozen=True)
class Page:
    id: str
    html: bytes
    url: str
    truth: str


@dataclass
class Score:
    """One system over a set of pages: per-page (tp, fp, fn) normalised to sum 1, and timings."""

    name: str
    per_page: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    empty: list[str] = field(default_factory=list)
    seconds: float = 0.0  # the best round
    first_seconds: float = 0.0  # the first round: every cache cold, as on the first page of a new site

    def metrics(self) -> dict[str, float]:
        return aggregate(list(self.per_page.values()))

    def ms_per_page(self) -> float:
        return self.seconds / max(1, len(self.per_page)) * 1000

    def ms_per_page_cold(self) -> float:
        return self.first_seconds / max(1, len(self.per_page)) * 1000


# --- the metric (the benchmark's evaluate.py, restated) -------------------------------------------------
def shingles(text: str | None, n: int = _SHINGLE) -> Counter[tuple[str, ...]]:
    """Counts of n-token shingles; a text of fewer than n tokens is one short shingle, no tokens none."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def match(truth: str | None, predicted: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingle multisets, normalised so that they sum to 1 (long pages weigh no more)."""
    t, p = shingles(truth), shingles(predicted)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def aggregate(triples: Sequence[tuple[float, float, float]]) -> dict[str, float]:
    """Precision averaged over pages with tp+fp > 0, recall over pages with tp+fn > 0; F1 of the two means."""
    ps = [_precision(*x) for x in triples if x[0] + x[1] > 0]
    rs = [_recall(*x) for x in triples if x[0] + x[2] > 0]
    precision = sum(ps) / len(ps) if ps else 0.0
    recall = sum(rs) / len(rs) if rs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


# --- data and systems ------------------------------------------------------------------------------------
def load_pages(half: str = "all", data: Path = DATA) -> list[Page]:
    """The benchmark pages in id order; `odd`/`even` split them by the parity of the (hex) id."""
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key in sorted(truth):
        if half != "all" and int(key, 16) % 2 != (half == "odd"):
            continue
        html = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page(key, html, truth[key].get("url") or "", truth[key].get("articleBody") or ""))
    return pages


def ours() -> Callable[[Page], str]:
    from crawler.extract import extract_article

    fetched = datetime(2026, 1, 1, tzinfo=UTC)

    def run(page: Page) -> str:
        fields = extract_article(page.html, url=page.url or "https://example.org/", content_type=CONTENT_TYPE,
                                 selectors={}, tz="UTC", fetched_at=fetched)
        return "\n".join(fields["body"])

    return run


def trafilatura() -> Callable[[Page], str]:
    import trafilatura as lib

    def run(page: Page) -> str:
        # As the benchmark's own runner: the article without its comment thread.
        return lib.extract(page.html.decode("utf-8", "replace"), include_comments=False) or ""

    return run


def readability() -> Callable[[Page], str]:
    from lxml import html as lxml_html
    from readability import Document

    from crawler.extract.selectors import element_text

    def run(page: Page) -> str:
        summary = Document(page.html.decode("utf-8", "replace")).summary(html_partial=True)
        # Block boundaries as line breaks (the benchmark uses html_text): words never glue across tags.
        return element_text(lxml_html.fragment_fromstring(summary, create_parent="div")) if summary else ""

    return run


FACTORIES: dict[str, Callable[[], Callable[[Page], str]]] = {
    "newsarchive": ours, "trafilatura": trafilatura, "readability": readability}
MISSING_HINT = {"trafilatura": "pip install 'newsarchive[bench]' (trafilatura)",
                "readability": "pip install 'newsarchive[bench]' (readability-lxml)"}


def available(names: Iterable[str]) -> tuple[dict[str, Callable[[Page], str]], dict[str, str]]:
    """The systems that can run here, and for each missing one why not."""
    found: dict[str, Callable[[Page], str]] = {}
    missing: dict[str, str] = {}
    for name in names:
        try:
            found[name] = FACTORIES[name]()
        except ImportError as exc:
            missing[name] = f"{exc.name or exc} is not installed ({MISSING_HINT.get(name, 'optional')})"
    return found, missing


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


def score(systems: dict[str, Callable[[Page], str]], pages: Sequence[Page], rounds: int = 1,
          clock: str = "wall") -> dict[str, Score]:
    """Each system on each page; systems interleaved page by page so a busy moment hits all of them.

    The texts of the first round are scored; the time is the best round's, per system, and the first
    round's is kept too (caches cold: what the first page of a site never seen costs). `clock="cpu"` times
    with this process's CPU time (on a shared machine, other processes' load then does not count).
    """
    now = CLOCKS[clock]
    scores = {name: Score(name) for name in systems}
    best = {name: float("inf") for name in systems}
    for rnd in range(rounds):
        spent = dict.fromkeys(systems, 0.0)
        for page in pages:
            for name, run in systems.items():
                started = now()
                text = run(page)
                spent[name] += now() - started
                if rnd == 0:
                    scores[name].per_page[page.id] = match(page.truth, text)
                    if not _TOKEN.search(text or ""):
                        scores[name].empty.append(page.id)
        for name in systems:
            best[name] = min(best[name], spent[name])
            if rnd == 0:
                scores[name].first_seconds = spent[name]
    for name in systems:
        scores[name].seconds = best[name]
    return scores


# --- command line ----------------------------------------------------------------------------------------
def table(results: dict[str, dict[str, Any]], halves: Sequence[str]) -> str:
    lines = []
    for half in halves:
        res = results[half]
        lines.append(f"{res['pages']} pages ({half} ids)")
        lines.append(f"  {'system':<12} {'F1':>6} {'P':>6} {'R':>6} {'ms/page':>8} {'cold':>6} {'empty':>5}")
        for name, s in res["systems"].items():
            lines.append(f"  {name:<12} {s['f1']:6.3f} {s['precision']:6.3f} {s['recall']:6.3f} "
                         f"{s['ms_per_page']:8.1f} {s['ms_per_page_cold']:6.1f} {len(s['empty']):5d}")
        lines.append("")
    return "\n".join(lines).rstrip()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.extraction",
        description="Body P/R/F1 (the benchmark's 4-token shingle metric) and ms/page of our generic extraction "
                    "(all fields, no site profile) beside trafilatura and readability-lxml, same pages, same run. "
                    "The baselines are optional (the `bench` extra); a missing one is named and skipped.")
    parser.add_argument("--half", choices=HALVES, action="append",
                        help="pages to score: all, or the odd/even half by id parity (repeatable; default: all, "
                             "odd and even)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated systems to run (default: {','.join(SYSTEMS)})")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timing rounds: ms/page is the best round's, `cold` the first round's (every cache "
                             "cold, as on a site's first page; a crawl's later pages find them warm) (default 3)")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall",
                        help="wall: elapsed time (perf_counter); cpu: this process's CPU time (process_time), "
                             "less distorted by other work on a shared machine (default wall)")
    parser.add_argument("--pages", action="store_true", help="also list every page's F1 per system (worst first)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of the table")
    parser.add_argument("--data", type=Path, default=DATA, help="benchmark directory (ground-truth.json, html/)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.systems.split(",") if n.strip()]
    unknown = [n for n in names if n not in FACTORIES]
    if unknown or not names or args.rounds < 1:
        parser.error(f"unknown system(s): {', '.join(unknown)}" if unknown else "nothing to run")
    if not (args.data / "ground-truth.json").is_file():
        print(f"error: no benchmark at {args.data} (ground-truth.json missing)", file=sys.stderr)
        return 2
    halves = args.half or ["all", "odd", "even"]
    systems, missing = available(names)
    for name, why in missing.items():
        print(f"note: {name} skipped: {why}", file=sys.stderr)
    if not systems:
        print("error: no system to run", file=sys.stderr)
        return 2
    pages = load_pages("all", args.data)
    scores = score(systems, pages, args.rounds, args.clock)
    results: dict[str, dict[str, Any]] = {}
    for half in halves:
        ids = [p.id for p in pages if half == "all" or int(p.id, 16) % 2 == (half == "odd")]
        res: dict[str, Any] = {"pages": len(ids), "systems": {}}
        for name, s in scores.items():
            sub = Score(name, {i: s.per_page[i] for i in ids}, [i for i in s.empty if i in ids],
                        s.seconds * len(ids) / len(pages))
            res["systems"][name] = {**sub.metrics(), "ms_per_page": s.ms_per_page(),
                                    "ms_per_page_cold": s.ms_per_page_cold(), "empty": sub.empty}
        results[half] = res
    speedups = {name: scores[name].seconds / scores["newsarchive"].seconds
                for name in scores if name != "newsarchive" and "newsarchive" in scores}
    if args.json:
        cold = {name: scores[name].first_seconds / scores["newsarchive"].first_seconds
                for name in speedups}
        out = {"benchmark": str(args.data), "clock": args.clock, "rounds": args.rounds, "halves": results,
               "missing": missing, "speedup_vs": speedups, "speedup_vs_cold": cold}
        if args.pages:
            out["pages"] = {name: {i: _f1(t) for i, t in s.per_page.items()} for name, s in scores.items()}
        print(json.dumps(out, indent=2, sort_keys=True))
        return 0
    print(table(results, halves))
    for name, ratio in speedups.items():
        cold = scores[name].first_seconds / scores["newsarchive"].first_seconds
        print(f"newsarchive is {ratio:.1f}x faster than {name} ({cold:.1f}x cold; same run, {args.clock} clock, "
              f"best of {args.rounds} rounds; ours computes every field)")
    for name, why in missing.items():
        print(f"{name}: not run, {why}")
    if args.pages:
        for name, s in scores.items():
            print(f"\n{name}: per-page F1, worst first")
            for i, t in sorted(s.per_page.items(), key=lambda kv: (_f1(kv[1]), kv[0]))[:30]:
                print(f"  {_f1(t):.3f}  {i[:12]}  {'odd ' if int(i, 16) % 2 else 'even'}")
    return 0


def _f1(t: tuple[float, float, float]) -> float:
    tp, fp, fn = t
    p, r = _precision(tp, fp, fn), _recall(tp, fp, fn)
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
