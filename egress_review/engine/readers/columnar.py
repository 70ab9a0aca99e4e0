"""Parquet, Feather and Arrow IPC files through pyarrow: the columns as a table, and any
key-value metadata a writer attached to the schema or its fields (free text, checked as words)."""
from __future__ import annotations

import io
import json

from egress_review.engine.readers.model import Content, TableUnit, TextUnit

# Metadata pyarrow and pandas write themselves; pandas' block is read for its column names only.
_OWN_KEYS = {b"ARROW:schema", b"pandas"}


def _table(tbl) -> list[list[str]]:
    df = tbl.to_pandas()
    if not all(isinstance(i, int) for i in df.index[:1]) or df.index.name is not None:
        df = df.reset_index()
    df = df.astype(object).where(df.notna(), "")
    rows = [[str(c) for c in df.columns]]
    rows += [[str(v) for v in r] for r in df.itertuples(index=False)]
    return rows


def read(raw: bytes, name: str) -> Content:
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    lower = name.lower()
    fmt = "parquet" if lower.endswith((".parquet", ".pq")) or raw[:4] == b"PAR1" else "arrow"
    out = Content(fmt)
    try:
        if fmt == "parquet":
            tbl = pq.read_table(io.BytesIO(raw))
        else:
            try:
                tbl = feather.read_table(io.BytesIO(raw))
            except Exception:
                tbl = pa.ipc.open_stream(io.BytesIO(raw)).read_all()
    except Exception as e:
        out.fail({}, f"not a readable {fmt} file ({type(e).__name__}: {e})")
        return out
    out.add(TableUnit(rows=_table(tbl), place={}))
    meta = tbl.schema.metadata or {}
    for k, v in meta.items():
        if k == b"pandas":
            try:
                cols = json.loads(v).get("column_indexes", [])
                names = [str(c.get("name")) for c in cols if c.get("name")]
            except ValueError:
                out.fail({"part": "schema metadata", "key": "pandas"}, "pandas metadata is not JSON")
                continue
            if names:
                out.add(TextUnit("\n".join(names), {"part": "schema metadata", "key": "pandas"}))
        elif k not in _OWN_KEYS:
            out.add(TextUnit(f"{k.decode('utf-8', 'replace')}: {v.decode('utf-8', 'replace')}",
                             {"part": "schema metadata", "key": k.decode("utf-8", "replace")}))
    for f in tbl.schema:
        for k, v in (f.metadata or {}).items():
            out.add(TextUnit(f"{k.decode('utf-8', 'replace')}: {v.decode('utf-8', 'replace')}",
                             {"part": "field metadata", "column": f.name}))
    return out
