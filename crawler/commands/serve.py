"""`newsarchive serve`: browse the archive in Datasette, read-only, on 127.0.0.1."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

from archive.connect import stale_views, writable
from archive.datasette_config import load_metadata
from archive.datasette_guard import allowed_hosts
from archive.lock import real_path
from crawler.commands import UsageError, add_db, open_archive

MISSING = "datasette is not installed; pip install 'newsarchive[datasette]'"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="browse the archive in Datasette (read-only, 127.0.0.1)",
                       description="Starts Datasette on 127.0.0.1 with the archive's views, descriptions of "
                       "every table and column, and Arabic-aware search (the `search` query, the search box, "
                       "and ar_query() in SQL). The archive is opened read-only; a crawl may run meanwhile. "
                       "Only requests to 127.0.0.1/localhost on this port, GET only; SQL cannot load "
                       "extensions, attach files or build values over 10 MiB, and each query stops at 3 s.")
    add_db(p)
    p.add_argument("--port", type=int, default=8001, metavar="N", help="port on 127.0.0.1 (default: 8001)")
    p.add_argument("--immutable", action="store_true", help="serve a copy that will not change (faster; "
                   "never use on an archive a crawl is writing)")
    p.add_argument("--metadata", metavar="FILE", default=None,
                   help="write the Datasette metadata for this archive to FILE and exit (for running "
                   "`datasette` yourself)")
    p.set_defaults(run=run)


def prepare(db: str) -> tuple[str, bool]:
    """Check the archive read-only (nothing is written: no views made, no checkpoint); Datasette's name for
    the database, and whether it must be served immutable (a folder this process cannot write)."""
    with open_archive(db) as archive:
        stale = stale_views(archive.db)
    if stale:
        print(f"newsarchive: the views {', '.join(stale)} are missing or out of date in {db}: run a crawl "
              "(or `newsarchive migrate`) to refresh them", file=sys.stderr)
    real = real_path(db)
    # Immutable only when no connection could be sharing a WAL index with us (no -shm) and none can be
    # made here: a crawl writing meanwhile would otherwise be read without its locks.
    return real.stem, not writable(real) and not Path(f"{real}-shm").exists()


def metadata(name: str, port: int | None) -> dict[str, Any]:
    """The metadata, with the plugin's guard on: Host must be a loopback name (with `port`), GET only."""
    data = load_metadata(name)
    data.setdefault("plugins", {})["newsarchive"] = {"allowed_hosts": allowed_hosts(port), "read_only": True}
    return data


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Stopped(Exception):
    """SIGTERM: unwind (removing the metadata folder) instead of dying where the signal lands."""


def _stop(signum: int, frame: Any) -> None:
    raise Stopped


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError("--port must be between 1 and 65535")
    name, immutable = prepare(args.db)
    if args.metadata:
        text = json.dumps(metadata(name, None), ensure_ascii=False, indent=2)
        try:
            Path(args.metadata).write_text(text, "utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.metadata}: {exc.strerror or exc}") from None
        print(f"metadata for database {name!r} written to {args.metadata}", file=sys.stderr)
        return 0
    try:
        from datasette.cli import cli
        from datasette.plugins import pm

        from archive import datasette_plugin
    except ImportError:
        raise UsageError(MISSING) from None
    if not port_free(args.port):
        raise UsageError(f"port {args.port} on 127.0.0.1 is in use (another server?): choose one with --port N")

    # Installed packages load the plugin through their entry point; a source checkout does not.
    if not pm.is_registered(datasette_plugin) and pm.get_plugin("newsarchive") is None:
        pm.register(datasette_plugin, name="newsarchive")
    # uvicorn re-raises SIGTERM once it has shut down; as an exception it unwinds through the `with`.
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        with tempfile.TemporaryDirectory(prefix="newsarchive-serve-") as tmp:
            meta = Path(tmp) / "metadata.json"
            meta.write_text(json.dumps(metadata(name, args.port), ensure_ascii=False), "utf-8")
            # A mutable database is read through mode=ro connections: read-only, yet it sees a running crawl.
            # Immutable when asked, or when the folder is not ours to write (no -shm could be made there).
            real = str(real_path(args.db))
            target = ["-i", real] if args.immutable or immutable else [real]
            argv = ["serve", *target, "-h", "127.0.0.1", "-p", str(args.port), "-m", str(meta),
                    "--setting", "sql_time_limit_ms", "3000"]
            print(f"serving {args.db} read-only on http://127.0.0.1:{args.port}/{name} (Ctrl-C stops)",
                  file=sys.stderr)
            try:
                cli.main(args=argv, prog_name="datasette", standalone_mode=False)
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise UsageError(f"datasette stopped at start (status {exc.code}): is port {args.port} "
                                     "free?") from None
    except (KeyboardInterrupt, Stopped):
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
