"""Export records as a Parquet file (pyarrow, optional extra `parquet`), written in row groups as they stream."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from archive.export import FIELDS
from archive.extras import require

BATCH = 1000
_INTS = ("version",)
_LISTS = ("tags", "images")


def schema() -> Any:
    """An explicit schema, so an empty export and every batch have the same column types."""
    pa = require("pyarrow", "parquet", "Parquet export")
    image = pa.struct([("url", pa.string()), ("caption", pa.string())])
    types = {"version": pa.int64(), "tags": pa.list_(pa.string()), "images": pa.list_(image)}
    return pa.schema([(name, types.get(name, pa.string())) for name in FIELDS])


def write_parquet(records: Iterable[Mapping[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write `records` (export_records()) to `path`; returns how many were written."""
    pa = require("pyarrow", "parquet", "Parquet export")
    pq = require("pyarrow.parquet", "parquet", "Parquet export")
    target = schema()
    count = 0
    batch: list[Mapping[str, Any]] = []
    with pq.ParquetWriter(str(path), target, compression="zstd") as writer:
        for record in records:
            batch.append(record)
            if len(batch) >= BATCH:
                writer.write_table(_table(pa, target, batch))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(_table(pa, target, batch))
            count += len(batch)
    return count


def _table(pa: Any, target: Any, batch: list[Mapping[str, Any]]) -> Any:
    columns = {name: [r.get(name) for r in batch] for name in FIELDS}
    for name in _LISTS:
        columns[name] = [list(v or []) for v in columns[name]]
    for name in _INTS:
        columns[name] = [None if v is None else int(v) for v in columns[name]]
    return pa.Table.from_pydict(columns, schema=target)
