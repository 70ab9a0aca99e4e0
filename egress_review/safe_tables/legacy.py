"""The first helpers' call forms (count, mean, pivot, rate), kept for existing notebooks.

They build the same cubes as the pandas-shaped helpers (:mod:`.api`), so units are the persons
(or rows) *with a value*, every level combination is a cell, and the broker seals them when the
frame came from a query.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from egress_review.safe_tables.api import _build, _frame_from
from egress_review.safe_tables.build import make_table
from egress_review.safe_tables.cube import HelperError
from egress_review.safe_tables.frame import SafeTable
from egress_review.safe_tables.remote import try_seal


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
    """Units with ``event`` true over units in the group (percent by default), every level
    shown; sealed by the broker when the frame came from a query."""
    frame, info = _frame_from({"index": _as_list(by), "values": event, "unit": unit}, df)
    n = info["names"]
    spec = {"helper": "rate", "index": n["index"], "columns": [], "value": n["values"][0],
            "aggfuncs": ["count"], "unit": (n.get("unit") or [None])[0], "margins": False,
            "decimals": 2, "per": per}
    table = make_table(frame, spec)
    try_seal(table, frame, info["source"])
    return table
