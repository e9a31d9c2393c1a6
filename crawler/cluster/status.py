"""What `newsarchive cluster status` shows: each run's queue, leases, and counts, and the item stream."""

from __future__ import annotations

from typing import Any

from crawler.cluster.keys import GROUP, RUNS, STREAM, run_key
from crawler.cluster.runs import ENDED, decoded

RECENT = 10  # runs shown: the newest


def status(server: Any) -> dict[str, Any]:
    runs = []
    for raw in server.zrevrange(RUNS, 0, RECENT - 1):
        run = raw.decode()
        meta = decoded(server.hgetall(run_key(run)))
        if not meta:
            continue  # expired (KEEP_SECONDS after its end)
        state = meta.get("state", "")
        runs.append({
            "run": run, "site": meta.get("site"), "editions": meta.get("editions"), "state": state,
            "queued": 0 if state == ENDED else int(server.zcard(run_key(run, "requests"))),
            "in_flight": 0 if state == ENDED else int(server.zcard(run_key(run, "leases"))),
            "done": int(meta.get("done", 0)), "items": int(meta.get("items", 0)),
            "written": int(meta.get("written", 0)), "crawl_id": int(meta["crawl_id"]) if "crawl_id" in meta else None,
        })
    stream: dict[str, Any] = {"length": int(server.xlen(STREAM)), "pending": 0, "consumers": 0}
    for group in server.xinfo_groups(STREAM) if server.exists(STREAM) else []:
        if group["name"].decode() == GROUP:
            stream.update(pending=int(group["pending"]), consumers=int(group["consumers"]))
    return {"runs": runs, "stream": stream}


def format_status(data: dict[str, Any]) -> list[str]:
    lines = []
    if not data["runs"]:
        lines.append("no runs")
    for r in data["runs"]:
        lines.append(f"{r['run']}  {r['state']:<9} queued {r['queued']}, in flight {r['in_flight']}, done {r['done']}, "
                     f"items {r['items']}, written {r['written']}" + (f" (crawl {r['crawl_id']})" if r["crawl_id"] else ""))
    s = data["stream"]
    lines.append(f"stream: {s['length']} item(s) waiting, {s['pending']} read by ingest and not yet acknowledged")
    return lines
