"""The archive writer alone: versions/s (wall and CPU) of write_batch on prepared items, here and at a baseline ref.

`python -m benchmarks.scale --writer-only --n 1000 [--baseline-ref REF] [--runs 3] [--json PATH]`

The same N article items (made once by the crawl's own extraction path, then pickled) are written into a
fresh archive in batches of 100 by a child process per code tree: this worktree, and REF checked out into a
temporary git worktree, runs interleaved so a busy moment of a shared machine hits both. For this tree it
reports: prepare()'s own CPU cost per item (archive/prepare.py, work a producer does before the writer), the
writer on prepared items (its serial part), and the writer on unprepared items (write_batch computes that
work itself as it writes: the writer process of a plain `crawl` today). The baseline has no prepare step:
it writes the raw items.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 100


def make_items(n: int) -> list[dict[str, Any]]:
    """N new-article items as the crawl hands them to the writer (extraction, dedupe, cleaning done)."""
    from benchmarks.measure import our_path
    from benchmarks.sitegen import FIRST_ID, HOST, Site

    site, extract = Site(n), our_path()
    items = []
    for i in range(n):
        body = site.article_page(i)
        items.append({
            **extract(body), "kind": "article", "key": f"kurdistan24:ar:{FIRST_ID + i}", "site": "kurdistan24",
            "edition": "ar", "article_id": str(FIRST_ID + i), "url": HOST + site.path(i), "http_status": 200,
            "fetched_at": "2024-01-01T00:00:00+00:00", "raw_html": body, "extractor_version": "bench",
            "etag": site.etag(i), "last_modified": site.last_modified(i)})
    return items


def _write(items: list[Any], path: str) -> dict[str, float]:
    """write_batch over `items` into a fresh archive, BATCH per transaction, the first item as a warm-up."""
    from archive.batch import write_batch
    from archive.store import Archive

    with Archive(path) as archive:
        crawl_id = archive.start_crawl("kurdistan24", ["ar"], None)
        write_batch(archive, crawl_id, items[:1])  # imports numpy/datasketch, outside the timing
        wall, cpu = time.perf_counter(), time.process_time()
        for at in range(1, len(items), BATCH):
            outcomes = write_batch(archive, crawl_id, items[at:at + BATCH])
            if any(o != "new" for o in outcomes):
                raise RuntimeError(f"unexpected outcomes: {[o for o in outcomes if o != 'new'][:3]}")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        archive.finish_crawl(crawl_id)
    count = len(items) - 1
    return {"versions": count, "per_s_wall": count / wall, "per_cpu_s": count / cpu}


def child(tree: str, items_path: str, work: str) -> dict[str, Any]:
    """(In a child process whose sys.path starts with `tree`.) The figures of that tree's writer."""
    import archive

    if not Path(archive.__file__).resolve().is_relative_to(Path(tree).resolve()):
        raise RuntimeError(f"imported {archive.__file__}, not the code of {tree}")
    with open(items_path, "rb") as f:
        items = pickle.load(f)
    out: dict[str, Any] = {"raw": _write(items, os.path.join(work, "raw.db"))}
    try:
        from archive.prepare import prepare
    except ImportError:
        return out  # a tree before prepare(): the raw figure is the writer's whole work
    cpu = time.process_time()
    ready = [prepare(item) for item in items]
    out["prepare_ms_cpu"] = (time.process_time() - cpu) / len(items) * 1000
    out["prepared"] = _write(ready, os.path.join(work, "prepared.db"))
    return out


def run_child(tree: Path, items_path: Path, work: Path) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    # The child loads this file by its path (the tree has a `benchmarks` package of its own) and imports
    # `archive` from `tree`, first on sys.path (child() checks).
    code = (f"import sys, json, importlib.util; sys.path.insert(0, {str(tree)!r}); "
            f"spec = importlib.util.spec_from_file_location('_writerbench', {__file__!r}); "
            "bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench); "
            f"print(json.dumps(bench.child({str(tree)!r}, {str(items_path)!r}, {str(work)!r})))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"writer benchmark in {tree} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worktree(ref: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(where), ref],
                   check=True, capture_output=True, text=True)
    return where


def writer_figures(n: int, runs: int, baseline_ref: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newsarchive-writer-") as tmp:
        work = Path(tmp)
        items_path = work / "items.pickle"
        items_path.write_bytes(pickle.dumps(make_items(n)))
        trees = {"new": ROOT}
        if baseline_ref:
            trees["baseline"] = _worktree(baseline_ref, work / "baseline")
        try:
            results: list[dict[str, Any]] = []
            for run in range(runs):
                # Alternate which tree goes first, so neither always gets the quieter moment.
                order = list(trees) if run % 2 == 0 else list(reversed(trees))
                results.append({name: run_child(trees[name], items_path, work / f"{name}-{run}") for name in order})
        finally:
            if baseline_ref:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(trees["baseline"])],
                               capture_output=True)
    return {"n": n, "batch": BATCH, "baseline_ref": baseline_ref, "runs": results,
            "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None}


def _rate(fig: dict[str, float]) -> str:
    return f"{fig['per_s_wall']:6.0f}/s wall {fig['per_cpu_s']:6.0f}/CPU-s"


def table(fig: dict[str, Any]) -> str:
    lines = [f"writer alone: {fig['n'] - 1} new versions in batches of {fig['batch']} per run, fresh archive; "
             f"load average after: {' '.join(fig['loadavg'] or ['?'])}"]
    for i, run in enumerate(fig["runs"], 1):
        new = run["new"]
        line = f"  run {i}: new, prepared items {_rate(new['prepared'])}; new, unprepared items {_rate(new['raw'])}"
        line += f"; prepare() alone {new['prepare_ms_cpu']:.2f} ms CPU/item"
        if "baseline" in run:
            base = run["baseline"]["raw"]
            line += (f"\n         baseline {fig['baseline_ref']} {_rate(base)}; prepared/baseline "
                     f"{new['prepared']['per_s_wall'] / base['per_s_wall']:.1f}x wall "
                     f"{new['prepared']['per_cpu_s'] / base['per_cpu_s']:.1f}x CPU; unprepared/baseline "
                     f"{new['raw']['per_cpu_s'] / base['per_cpu_s']:.1f}x CPU")
        lines.append(line)
    return "\n".join(lines)


def main(n: int, runs: int, baseline_ref: str | None, json_path: str | None) -> int:
    fig = writer_figures(n, runs, baseline_ref)
    print(table(fig))
    if json_path:
        Path(json_path).write_text(json.dumps(fig, indent=1) + "\n", encoding="utf-8")
    return 0
