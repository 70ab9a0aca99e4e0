"""One table specification, built the same way in the kernel and in the query broker.

A spec is plain JSON (what the broker receives): ``helper``, ``index`` and ``columns``
(lists of column names), ``value``, ``aggfuncs``, ``unit`` (person column or None: rows),
``margins``, ``count_persons`` and ``decimals``.  :func:`make_table` turns a DataFrame and a
spec into a :class:`SafeTable`; the broker runs it on the case's data and seals the result
(:func:`sealed_table`), the kernel runs it on its DataFrame and compares.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from egress_review.safe_tables.cube import STATISTICS, HelperError, build_cube
from egress_review.safe_tables.frame import SafeTable, csv_bytes
from egress_review.safe_tables.layout import lay_out
from egress_review.safe_tables.proportions import filled, normalize_how, normalized
from egress_review.safe_tables.provenance import seal

SPEC_KEYS = {"helper", "index", "columns", "value", "aggfuncs", "unit", "margins",
             "count_persons", "decimals", "count_label", "bins", "per", "normalize", "fill_value"}
MAX_BINS = 1000


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
    if spec.get("bins") is not None:
        out["bins"] = _check_bins(spec["bins"], out["index"])
    if spec.get("normalize") not in (None, False):
        out["normalize"] = normalize_how(spec["normalize"])
        if out["value"] is not None:
            raise HelperError("normalize goes with counts (as in pandas), not with values=")
    fill = spec.get("fill_value")
    if fill is not None:
        if isinstance(fill, bool) or not isinstance(fill, (int, float)) or not np.isfinite(fill):
            raise HelperError("spec 'fill_value' must be a finite number")
        out["fill_value"] = fill
    if out["helper"] == "rate":
        per = spec.get("per", 100.0)
        if isinstance(per, bool) or not isinstance(per, (int, float)) or not 0 < per < 1e9:
            raise HelperError("spec 'per' must be a positive number")
        if out["value"] is None or out["columns"]:
            raise HelperError("a rate spec names its event column as 'value' and has no columns")
        out["per"] = float(per)
    elif spec.get("per") is not None:
        raise HelperError("spec 'per' belongs to a rate")
    return out


def _check_bins(bins: Any, index: list[str]) -> dict:
    """``{"column": value column, "edges": increasing finite numbers, "name": the bin variable
    (one of the index names)}``: the histogram's bins, chosen in the kernel, made by both."""
    if not isinstance(bins, dict) or set(bins) != {"column", "edges", "name"}:
        raise HelperError("spec 'bins' is {column, edges, name}")
    col, name, edges = bins["column"], bins["name"], bins["edges"]
    if not isinstance(col, str) or not isinstance(name, str) or name not in index or name == col:
        raise HelperError("spec 'bins': column and name are names, name one of the index")
    if not isinstance(edges, list) or not 2 <= len(edges) <= MAX_BINS + 1 or not all(
            isinstance(e, (int, float)) and not isinstance(e, bool) and np.isfinite(e) for e in edges) \
            or any(b <= a for a, b in zip(edges, edges[1:])):
        raise HelperError(f"spec 'bins': 2 to {MAX_BINS + 1} increasing finite edges")
    return {"column": col, "edges": [float(e) for e in edges], "name": name}


def bin_labels(edges: list[float]) -> list[str]:
    return [f"[{edges[i]:g}, {edges[i + 1]:g}" + ("]" if i == len(edges) - 2 else ")")
            for i in range(len(edges) - 1)]


def _binned(df: pd.DataFrame, bins: dict) -> pd.DataFrame:
    """The frame with the bin variable added (np.histogram's bins: the last closed on the right;
    values outside the edges and missing values in no bin)."""
    edges = np.asarray(bins["edges"], dtype=float)
    x = pd.to_numeric(df[bins["column"]], errors="coerce").to_numpy(dtype=float)
    idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    inside = np.isfinite(x) & (x >= edges[0]) & (x <= edges[-1])
    cat = pd.Categorical.from_codes(np.where(inside, idx, -1), categories=bin_labels(list(edges)))
    return df.assign(**{bins["name"]: cat})


def needed_columns(spec: dict) -> list[str]:
    derived = spec["bins"]["name"] if spec.get("bins") else None
    cols = [c for c in (*spec["index"], *spec["columns"]) if c != derived]
    if derived:
        cols.append(spec["bins"]["column"])
    for k in ("value", "unit"):
        if spec[k] and spec[k] not in cols:
            cols.append(spec[k])
    return list(dict.fromkeys(cols))


def make_table(df: pd.DataFrame, spec: dict) -> SafeTable:
    spec = check_spec(spec)
    if spec.get("bins"):
        df = _binned(df, spec["bins"])
    if spec["helper"] == "rate":
        return rate_table(df, spec)
    how = spec.get("normalize")
    # a proportion divides by the totals: the cube is built with them, kept as pandas keeps them
    margins = spec["margins"] or how is not None
    cube = build_cube(df, spec["index"], spec["columns"], value=spec["value"],
                      aggfuncs=spec["aggfuncs"], unit=spec["unit"], margins=margins,
                      count_persons=spec["count_persons"])
    parts = lay_out(cube, spec["aggfuncs"], margins=margins, count_label=spec["count_label"])
    if how is not None:
        parts = normalized(parts, how, spec["margins"])
    if spec.get("fill_value") is not None:
        parts = filled(parts, spec["fill_value"])
    return SafeTable(**parts, decimals=spec["decimals"], spec=spec)


def sealed_table(df: pd.DataFrame, spec: dict, key: bytes, case: str) -> dict:
    """What the broker returns: the exact CSV text and the sidecar sealed with the case key."""
    t = make_table(df, spec)
    data = csv_bytes(t.table, t.decimals)
    body = t.body(data)
    body["case"] = case
    return {"csv": data.decode("utf-8"), "sidecar": seal(body, key, sealed_by="broker")}


def rate_table(df: pd.DataFrame, spec: dict) -> SafeTable:
    """Units with the event (a true value of ``value``) over units in each group, per ``per``;
    every combination of the groups' observed levels is a row (an empty one: rate blank)."""
    by, event, unit, per = spec["index"], spec["value"], spec["unit"], spec["per"]
    for name in [*by, event, *([unit] if unit else [])]:
        if name not in df.columns:
            raise HelperError(f"no column {name!r} in the data (columns: {list(df.columns)})")
    keep = df[by].notna().all(axis=1)
    d = df[keep]
    levels = [sorted(d[b].unique(), key=lambda v: (str(type(v)), v)) for b in by]
    full = pd.MultiIndex.from_product(levels, names=by)
    happened = d[event].fillna(False).astype(bool)

    def units(frame: pd.DataFrame) -> pd.Series:
        g = frame.groupby(by, observed=True, sort=True)
        n = g[unit].nunique() if unit else g.size()
        if not isinstance(n.index, pd.MultiIndex):
            n.index = pd.MultiIndex.from_arrays([n.index], names=by)
        return n.reindex(full, fill_value=0).astype(int)

    den, num = units(d), units(d[happened])
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den.to_numpy() > 0, num.to_numpy() / np.maximum(den.to_numpy(), 1) * per, np.nan)
    out = pd.DataFrame({**{b: [str(t[k]) for t in full] for k, b in enumerate(by)},
                        "n_event": num.to_numpy(), "n": den.to_numpy(), "rate": value})
    roles = {b: {"role": "group"} for b in by} | {
        "n_event": {"role": "count"}, "n": {"role": "count"},
        "rate": {"role": "statistic", "statistic": "percent" if per == 100 else "rate",
                 "units_column": "n_event", "denominator_column": "n"}}
    ne = [int(x) for x in out["n_event"]]
    return SafeTable(out, "rate", roles, {"n_event": ne, "n": [int(x) for x in out["n"]],
                                          "rate": ne}, decimals=spec["decimals"], spec=spec)
