"""The calls researchers already write, with pandas' names and argument shapes.

``from egress_review.safe_tables import crosstab, pivot_table`` in place of pandas' leaves the
notebook's code as it was; each call returns a :class:`SafeTable` (``.table`` is the DataFrame,
``.save(path)`` writes CSV + provenance, ``.manifest_entry(path, description)`` describes it).

Extra keyword everywhere: ``unit=`` - the person column (name or Series).  With it, counts are
distinct persons and every statistic's units are the distinct persons with a value; without
it, rows are the units (as pandas and ACRO count).  Statistics always rest on the rows/persons
*with a value*: missing values (NaN, ±inf) are counted per cell and never make a cell look
bigger than it is.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from egress_review.safe_tables.build import make_table
from egress_review.safe_tables.cube import HelperError
from egress_review.safe_tables.frame import SafeTable
from egress_review.safe_tables.proportions import normalize_how
from egress_review.safe_tables.remote import source_of, try_seal

_AGG_ALIASES = {"mean": "mean", "sum": "sum", "std": "std", "var": "var", "median": "median",
                "count": "count", "size": "size", np.mean: "mean", np.sum: "sum",
                np.std: "std", np.var: "var", np.median: "median", len: "size"}


def _aggs(aggfunc: Any, default: str) -> list[str]:
    if aggfunc is None:
        return [default]
    items = aggfunc if isinstance(aggfunc, (list, tuple)) else [aggfunc]
    out = []
    for a in items:
        name = _AGG_ALIASES.get(a) if not isinstance(a, str) else _AGG_ALIASES.get(a, a)
        if name in ("min", "max", "amin", "amax") or a in (min, max, np.min, np.max):
            raise HelperError("min/max are one person's value and are not offered (E2); "
                              "use a percentile of a large group")
        if name is None:
            raise HelperError(f"aggfunc {a!r} is not offered: mean, sum, std, var, median, "
                              "count or size")
        out.append(name)
    return out


def _names(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _frame_from(parts: dict[str, Any], data: pd.DataFrame | None) -> tuple[pd.DataFrame, dict]:
    """A DataFrame holding every variable, from names in ``data`` or Series; the names used."""
    cols, objs, out_names = {}, [], {}
    for role, items in parts.items():
        names = []
        for k, item in enumerate(_names(items)):
            if isinstance(item, str) and data is not None:
                if item not in data.columns:
                    raise HelperError(f"no column {item!r} in the data")
                cols[item] = data[item]
                names.append(item)
            elif isinstance(item, (pd.Series, np.ndarray, list)):
                s = item if isinstance(item, pd.Series) else pd.Series(np.asarray(item))
                name = str(s.name) if s.name is not None else f"{role}_{k}"
                if name in cols and not cols[name].equals(s):
                    name = f"{name}_{role}{k}"
                cols[name] = s
                names.append(name)
                objs.append(s)
            else:
                raise HelperError(f"{role}: give column names with data=, or Series "
                                  f"(got {type(item).__name__})")
        out_names[role] = names
    lengths = {len(s) for s in cols.values()}
    if len(lengths) > 1:
        raise HelperError(f"the variables have different lengths: {sorted(lengths)}")
    frame = pd.DataFrame({k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v)
                          for k, v in cols.items()})
    src = source_of(data) if data is not None else source_of(*objs) if objs else None
    return frame, {"names": out_names, "source": src}


def _build(parts: dict, data, *, aggfuncs: list[str], margins: bool, helper: str,
           decimals: int, count_persons: bool = True, count_label: str = "count",
           **options: Any) -> SafeTable:
    """``options``: ``normalize`` / ``fill_value`` (see :mod:`.proportions`), sent with the
    spec so the broker makes the same table."""
    frame, info = _frame_from(parts, data)
    n = info["names"]
    spec = {"helper": helper, "index": n.get("index", []), "columns": n.get("columns", []),
            "value": (n.get("values") or [None])[0], "aggfuncs": aggfuncs,
            "unit": (n.get("unit") or [None])[0], "margins": margins,
            "count_persons": count_persons, "decimals": decimals, "count_label": count_label,
            **{k: v for k, v in options.items() if v is not None}}
    if len(n.get("values") or []) > 1:
        raise HelperError("one values column per table (as ACRO); make one table per variable")
    table = make_table(frame, spec)
    try_seal(table, frame, info["source"])
    return table


def crosstab(index: Any, columns: Any = None, values: Any = None, rownames: Any = None,
             colnames: Any = None, aggfunc: Any = None, margins: bool = False,
             margins_name: str = "All", dropna: bool = True, normalize: Any = False, *,
             data: pd.DataFrame | None = None, unit: Any = None,
             decimals: int | None = None) -> SafeTable:
    """``pd.crosstab`` with every combination of levels shown (zeros too) and checked;
    ``normalize`` gives proportions whose numerators and denominators are both checked.

    Also callable as ``crosstab(df, "row_var", "col_var", unit="ID")`` (the earlier form)."""
    if isinstance(index, pd.DataFrame):                  # crosstab(df, index, columns, ...)
        data, index, columns, values = index, columns, values, None
        margins = True if margins is False else margins
    if margins_name != "All":
        raise HelperError("margins are labelled 'All' (the label the engine reads as a margin)")
    how = normalize_how(normalize)
    if how is not None and values is not None:
        raise HelperError("normalize goes with counts (as in pandas), not with values=")
    if how is not None and not _names(columns):
        raise HelperError("normalize: give columns= (the shares of a row or column); for one "
                          "variable use value_counts(normalize=True)")
    if rownames is not None or colnames is not None:
        index = [pd.Series(np.asarray(s), name=nm) for s, nm in zip(_names(index), rownames)] \
            if rownames is not None else index
        columns = [pd.Series(np.asarray(s), name=nm) for s, nm in zip(_names(columns), colnames)] \
            if colnames is not None else columns
    aggs = _aggs(aggfunc, "count")
    if values is None and aggfunc is not None and aggs != ["count"]:
        raise HelperError("aggfunc needs values= (as in pandas)")
    return _build({"index": index, "columns": columns, "values": values, "unit": unit}, data,
                  aggfuncs=aggs, margins=margins, helper="crosstab",
                  decimals=decimals if decimals is not None else 4 if how else 2, normalize=how)


def pivot_table(data: pd.DataFrame, values: Any = None, index: Any = None, columns: Any = None,
                aggfunc: Any = "mean", fill_value: Any = None, margins: bool = False,
                dropna: bool = True, margins_name: str = "All", observed: bool = False,
                sort: bool = True, *, unit: Any = None, decimals: int = 2) -> SafeTable:
    """``pd.pivot_table`` of one values column: every level combination, with ``n`` per cell;
    ``fill_value`` shows in the statistic cells of empty groups (read as empty by the check)."""
    if values is None:
        raise HelperError("pivot_table needs values= (the column to summarise)")
    if margins_name != "All":
        raise HelperError("margins are labelled 'All' (the label the engine reads as a margin)")
    return _build({"index": index, "columns": columns, "values": values, "unit": unit}, data,
                  aggfuncs=_aggs(aggfunc, "mean"), margins=margins, helper="pivot_table",
                  decimals=decimals, fill_value=fill_value)


def describe(data: Any, value: str | None = None, *, by: Any = None, unit: Any = None,
             margins: bool | None = None, decimals: int = 2) -> SafeTable:
    """``Series.describe()`` / ``df.groupby(by)[value].describe()`` without min and max:
    n (persons/rows with a value), mean, std, 25%, median, 75%."""
    if isinstance(data, pd.Series):
        parts = {"index": by, "values": data, "unit": unit}
        frame = None
    else:
        if value is None:
            raise HelperError("describe(df, 'column', by=...) needs the column to describe")
        parts = {"index": by, "values": value, "unit": unit}
        frame = data
    return _build(parts, frame, aggfuncs=["mean", "std", "p25", "median", "p75"],
                  margins=bool(by) if margins is None else margins, helper="describe",
                  decimals=decimals)


def value_counts(data: Any, subset: Any = None, *, normalize: bool = False,
                 sort: bool = False, dropna: bool = True, unit: Any = None) -> SafeTable:
    """``Series.value_counts()`` / ``df.value_counts(subset)`` with every level shown, in
    level order, and an ``All`` row; ``normalize=True``: proportions of the total."""
    how = "all" if normalize else None
    dec, label = (4, "proportion") if how else (0, "count")
    if isinstance(data, pd.Series):
        return _build({"index": [data], "unit": unit}, None, aggfuncs=["count"], margins=True,
                      helper="value_counts", decimals=dec, count_label=label, normalize=how)
    return _build({"index": _names(subset) or list(data.columns), "unit": unit}, data,
                  aggfuncs=["count"], margins=True, helper="value_counts", decimals=dec,
                  count_label=label, normalize=how)


def histogram(data: Any, value: str | None = None, *, bins: int | Sequence[float] = 10,
              range: tuple[float, float] | None = None, unit: Any = None) -> SafeTable:
    """The counts behind a histogram (``np.histogram`` bins, right edge closed on the last),
    one row per bin - every bin shown, empty ones too - for a figure that keeps its numbers.
    The edges are chosen here and sent with the query, so the broker seals the same bins.

    Bin edges that are data extremes are one person's value: give ``bins`` as edges you chose
    (or ``range``) for a table that can pass."""
    frame, info = _frame_from({"values": data if isinstance(data, pd.Series) else value,
                               "unit": unit}, None if isinstance(data, pd.Series) else data)
    col = info["names"]["values"][0]
    x = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    fin = x[np.isfinite(x)]
    edges = np.histogram_bin_edges(fin if len(fin) else np.array([0.0, 1.0]), bins=bins,
                                   range=range)
    name = next(n for n in ("bin", "bin_", "histogram_bin") if n not in frame.columns)
    spec = {"helper": "histogram", "index": [name], "columns": [], "value": None,
            "aggfuncs": ["count"], "unit": (info["names"].get("unit") or [None])[0],
            "margins": True, "decimals": 0,
            "bins": {"column": col, "edges": [float(e) for e in edges], "name": name}}
    table = make_table(frame, spec)
    try_seal(table, frame, info["source"])
    return table


def bar_data(data: Any, by: Any, value: str | None = None, *, aggfunc: str = "count",
             unit: Any = None, decimals: int = 2) -> SafeTable:
    """The numbers behind a bar chart: counts per category, or a statistic of ``value``."""
    if value is None:
        return _build({"index": by, "unit": unit}, data, aggfuncs=["count"], margins=True,
                      helper="bar", decimals=0)
    return _build({"index": by, "values": value, "unit": unit}, data,
                  aggfuncs=_aggs(aggfunc, "mean"), margins=False, helper="bar",
                  decimals=decimals)
