"""`newsarchive serve`: browse the archive in Datasette, read-only, on 127.0.0.1."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from archive import neardup, views
from archive.datasette_config import load_metadata
from crawler.commands import UsageError, add_db, open_archive

MISSING = "datasette is not installed; pip install 'newsarchive[datasette]'"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="browse the archive in Datasette (read-only, 127.0.0.1)",
                       description="Starts Datasette on 127.0.0.1 with the archive's views, descriptions of "
                       "every table and column, and Arabic-aware search (the `search` query, the search box, "
                       "and ar_query() in SQL). The archive is opened read-only; a crawl may run meanwhile.")
    add_db(p)
    p.add_argument("--port", type=int, default=8001, metavar="N", help="port on 127.0.0.1 (default: 8001)")
    p.add_argument("--immutable", action="store_true", help="serve a copy that will not change (faster; "
                   "never use on an archive a crawl is writing)")
    p.add_argument("--metadata", metavar="FILE", default=None,
                   help="write the Datasette metadata for this archive to FILE and exit (for running "
                   "`datasette` yourself)")
    p.set_defaults(run=run)


def prepare(db: str) -> str:
    """Create the views and near-duplicate tables (one short write) and checkpoint the WAL, so the
    read-only server sees everything; returns Datasette's name for the database."""
    with open_archive(db) as archive:
        try:
            views.create_views(archive.db)
            with archive.db.atomic():
                neardup.ensure_tables(archive.db)
        except sqlite3.OperationalError as exc:
            # A crawl holding the write lock: views made by an earlier serve are good enough.
            present = {n for (n,) in archive.db.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
            if not set(views.VIEWS) <= present:
                raise UsageError(f"cannot create the views in {db} ({exc}); try again when the crawl "
                                 "has finished") from None
        archive.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    return Path(db).stem


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UsageError("--port must be between 1 and 65535")
    name = prepare(args.db)
    if args.metadata:
        Path(args.metadata).write_text(json.dumps(load_metadata(name), ensure_ascii=False, indent=2), "utf-8")
        print(f"metadata for database {name!r} written to {args.metadata}", file=sys.stderr)
        return 0
    try:
        from datasette.cli import cli
        from datasette.plugins import pm

        from archive import datasette_plugin
    except ImportError:
        raise UsageError(MISSING) from None

    # Installed packages load the plugin through their entry point; a source checkout does not.
    if not pm.is_registered(datasette_plugin) and pm.get_plugin("newsarchive") is None:
        pm.register(datasette_plugin, name="newsarchive")
    with tempfile.TemporaryDirectory(prefix="newsarchive-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(load_metadata(name), ensure_ascii=False), "utf-8")
        # A mutable database is read through mode=ro connections: read-only, yet it sees a running crawl.
        target = ["-i", str(args.db)] if args.immutable else [str(args.db)]
        argv = ["serve", *target, "-h", "127.0.0.1", "-p", str(args.port), "-m", str(meta),
                "--setting", "sql_time_limit_ms", "3000"]
        print(f"serving {args.db} read-only on http://127.0.0.1:{args.port}/{name} (Ctrl-C stops)", file=sys.stderr)
        try:
            cli.main(args=argv, prog_name="datasette", standalone_mode=False)
        except KeyboardInterrupt:
            return 0
    return 0
