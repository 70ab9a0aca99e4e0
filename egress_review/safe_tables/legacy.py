"""The first helpers' call forms (count, mean, pivot, rate), kept for existing notebooks.

They build the same cubes as the pandas-shaped helpers (:mod:`.api`), so units are the persons
(or rows) *with a value*, every level combination is a cell, and the broker seals them when the
frame came from a query.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from egress_review.safe_tables.api import _build
from egress_review.safe_tables.cube import HelperError
from egress_review.safe_tables.frame import SafeTable


def _as_list(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def count(df: pd.DataFrame, by: str | Sequence[str], *, unit: str | None = None,
          margins: bool = True, name: str = "n") -> SafeTable:
    """Distinct units (or rows when ``unit`` is None) per group, with a total row."""
    return _build({"index": _as_list(by), "unit": unit}, df, aggfuncs=["count"], margins=margins,
                  helper="count", decimals=0, count_label=name)


def mean(df: pd.DataFrame, by: str | Sequence[str], value: str, *, unit: str | None = None,
         statistic: str = "mean") -> SafeTable:
    """Mean (or sum) of ``value`` per group with ``n``: the units with a value."""
    if statistic not in ("mean", "sum"):
        raise HelperError("statistic must be mean or sum")
    return _build({"index": _as_list(by), "values": value, "unit": unit}, df,
                  aggfuncs=[statistic], margins=False, helper="mean", decimals=2)


def pivot(df: pd.DataFrame, index: str, columns: str, value: str, *, unit: str | None = None,
          aggfunc: str = "mean") -> SafeTable:
    """A long (index, columns) table of a statistic with ``n`` per cell."""
    if aggfunc not in ("mean", "sum", "median"):
        raise HelperError("aggfunc must be mean, sum or median (extremes are single persons' "
                          "values, E2)")
    return _build({"index": [index, columns], "values": value, "unit": unit}, df,
                  aggfuncs=[aggfunc], margins=False, helper="pivot", decimals=2)


def rate(df: pd.DataFrame, by: str | Sequence[str], event: str, *, unit: str | None = None,
         per: float = 100.0) -> SafeTable:
    """Units with ``event`` true over units in the group (percent by default); unsealed."""
    by = _as_list(by)
    g = df.groupby(by, observed=True, sort=True)
    den = g[unit].nunique() if unit else g.size()
    ev = df[df[event].fillna(False).astype(bool)]
    ge = ev.groupby(by, observed=True, sort=True)
    num = (ge[unit].nunique() if unit else ge.size()).reindex(den.index, fill_value=0)
    out = pd.DataFrame({"n_event": num, "n": den,
                        "rate": np.where(den > 0, num / den.where(den > 0, 1) * per, np.nan)})
    out = out.reset_index()
    for b in by:
        out[b] = out[b].astype(str)
    roles = {b: {"role": "group"} for b in by} | {
        "n_event": {"role": "count"}, "n": {"role": "count"},
        "rate": {"role": "statistic", "statistic": "percent" if per == 100 else "rate",
                 "units_column": "n_event", "denominator_column": "n"}}
    ne = [int(x) for x in out["n_event"]]
    return SafeTable(out, "rate", roles, {"n_event": ne, "n": [int(x) for x in out["n"]],
                                          "rate": ne},
                     spec={"helper": "rate"},
                     note="rates are computed in the kernel: unsealed")
