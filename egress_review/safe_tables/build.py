"""One table specification, built the same way in the kernel and in the query broker.

A spec is plain JSON (what the broker receives): ``helper``, ``index`` and ``columns``
(lists of column names), ``value``, ``aggfuncs``, ``unit`` (person column or None: rows),
``margins``, ``count_persons`` and ``decimals``.  :func:`make_table` turns a DataFrame and a
spec into a :class:`SafeTable`; the broker runs it on the case's data and seals the result
(:func:`sealed_table`), the kernel runs it on its DataFrame and compares.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from egress_review.safe_tables.cube import STATISTICS, HelperError, build_cube
from egress_review.safe_tables.frame import SafeTable, csv_bytes
from egress_review.safe_tables.layout import lay_out
from egress_review.safe_tables.provenance import seal

SPEC_KEYS = {"helper", "index", "columns", "value", "aggfuncs", "unit", "margins",
             "count_persons", "decimals", "count_label"}


def check_spec(spec: Any) -> dict:
    """Validate a spec from outside (the broker receives it from a kernel)."""
    if not isinstance(spec, dict) or set(spec) - SPEC_KEYS:
        raise HelperError(f"a table spec is an object with keys {sorted(SPEC_KEYS)}")
    out = {"helper": str(spec.get("helper", "table")), "index": spec.get("index") or [],
           "columns": spec.get("columns") or [], "value": spec.get("value"),
           "aggfuncs": spec.get("aggfuncs") or ["count"], "unit": spec.get("unit"),
           "margins": bool(spec.get("margins", False)),
           "count_persons": bool(spec.get("count_persons", True)),
           "decimals": int(spec.get("decimals", 2)),
           "count_label": str(spec.get("count_label") or "count")}
    for k in ("index", "columns", "aggfuncs"):
        if not isinstance(out[k], list) or not all(isinstance(x, str) for x in out[k]):
            raise HelperError(f"spec {k!r} must be a list of names")
    for k in ("value", "unit"):
        if out[k] is not None and not isinstance(out[k], str):
            raise HelperError(f"spec {k!r} must be a column name or null")
    if not all(a in STATISTICS for a in out["aggfuncs"]):
        raise HelperError(f"aggfuncs must be among {STATISTICS}")
    if not 0 <= out["decimals"] <= 6:
        raise HelperError("decimals must be 0..6")
    if len(out["index"]) + len(out["columns"]) > 6:
        raise HelperError("at most six grouping variables")
    return out


def needed_columns(spec: dict) -> list[str]:
    cols = [*spec["index"], *spec["columns"]]
    for k in ("value", "unit"):
        if spec[k] and spec[k] not in cols:
            cols.append(spec[k])
    return list(dict.fromkeys(cols))


def make_table(df: pd.DataFrame, spec: dict) -> SafeTable:
    spec = check_spec(spec)
    cube = build_cube(df, spec["index"], spec["columns"], value=spec["value"],
                      aggfuncs=spec["aggfuncs"], unit=spec["unit"], margins=spec["margins"],
                      count_persons=spec["count_persons"])
    parts = lay_out(cube, spec["aggfuncs"], margins=spec["margins"],
                    count_label=spec["count_label"])
    return SafeTable(**parts, decimals=spec["decimals"], spec=spec)


def sealed_table(df: pd.DataFrame, spec: dict, key: bytes, case: str) -> dict:
    """What the broker returns: the exact CSV text and the sidecar sealed with the case key."""
    t = make_table(df, spec)
    data = csv_bytes(t.table, t.decimals)
    body = t.body(data)
    body["case"] = case
    return {"csv": data.decode("utf-8"), "sidecar": seal(body, key, sealed_by="broker")}
