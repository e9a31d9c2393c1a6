"""The Datasette metadata for an archive (descriptions of every table and column, search, canned queries)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

METADATA_FILE = Path(__file__).with_name("datasette_metadata.json")
# The database name the shipped file is written for: Datasette names a database after its file's stem.
SHIPPED_NAME = "newsarchive"


def load_metadata(db_name: str = SHIPPED_NAME) -> dict[str, Any]:
    """The metadata with its database section under `db_name` (the archive file's stem)."""
    data = json.loads(METADATA_FILE.read_text("utf-8"))
    data["databases"] = {db_name: data["databases"][SHIPPED_NAME]}
    return data


def describe(db_name: str = SHIPPED_NAME) -> dict[str, dict[str, str]]:
    """{table or view: {column: description}} for every table and view the metadata covers."""
    tables = load_metadata(db_name)["databases"][db_name]["tables"]
    return {name: dict(table.get("columns") or {}) for name, table in tables.items()}
