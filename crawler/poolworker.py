"""An extraction worker process (crawler/pool.py starts it): the crawl's site loaded once, then pages in, items out."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

# Stands for the page's own bytes in a worker's answer: sent back, they would double the pipe's traffic.
_BODY = "<page body>"


def parse_faults(raw: str | Mapping[str, str] | None) -> dict[str, str]:
    """Test-only faults (setting NEWSARCHIVE_WORKER_FAULTS): {URL substring: "sleep" | "exit" | "exit-once:PATH"}."""
    if not raw:
        return {}
    faults = json.loads(raw) if isinstance(raw, str) else dict(raw)
    if not isinstance(faults, dict):
        raise ValueError("NEWSARCHIVE_WORKER_FAULTS: expected a JSON object")
    return {str(k): str(v) for k, v in faults.items()}


def _fault(faults: Mapping[str, str], url: str) -> None:
    for marker, action in faults.items():
        if marker not in url:
            continue
        if action == "sleep":
            time.sleep(3600)
        elif action == "exit":
            os._exit(3)
        elif action.startswith("exit-once:"):
            flag = action.partition(":")[2]
            if not os.path.exists(flag):
                open(flag, "w").close()
                os._exit(3)


def _die_with_parent() -> None:
    """SIGKILL this worker when its parent (the fork server, which ends with the crawl) dies (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere: the pipe's end-of-file ends the loop


def _strip_body(item: dict[str, Any], body: bytes) -> dict[str, Any]:
    if item.get("raw_html") is body:
        item["raw_html"] = _BODY
    if isinstance(item.get("article"), dict):
        _strip_body(item["article"], body)
    return item


def restore_body(item: dict[str, Any], body: bytes) -> dict[str, Any]:
    if item.get("raw_html") == _BODY:
        item["raw_html"] = body
    if isinstance(item.get("article"), dict):
        restore_body(item["article"], body)
    return item


def serve(conn: Connection, site_name: str, base_url: str | None, faults: dict[str, str]) -> None:
    """A worker: load the crawl's site, then answer pages one at a time until told to stop."""
    _die_with_parent()
    # Ctrl-C reaches the whole process group: it is the crawl's to handle, which stops us by the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from crawler.config import resolve_site
    from crawler.process import process
    from pipelines.ahead import prepare_ahead
    from pipelines.clean import Boilerplate

    site, _ = resolve_site(site_name, base_url)
    boilerplate = Boilerplate(site.boilerplate)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            conn.send(("stopped", time.process_time()))
            return
        page, ident = message
        if faults:
            _fault(faults, page.url)
        try:
            # The archive writer's own work for this page is done here too: one writer serves every worker.
            item = prepare_ahead(process(page, site, ident), boilerplate)
            conn.send(("item", _strip_body(item, page.body)))
        except Exception as exc:  # process() never raises; an unpicklable item would
            conn.send(("error", f"extraction error in a worker: {exc!r}"[:300]))
