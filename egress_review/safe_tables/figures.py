"""Figures drawn from a checked table: every bar and point is a number of that table.

``SafeTable.plot(path, kind="bar")`` draws the table's counts (or a statistic column) as a
bar chart (``kind="bar"``) or a histogram (the table of :func:`~.api.histogram`).  A table
the query broker made is drawn *by the broker* and sealed together with its data
(``<figure>.provenance.json``: ``table_sha256`` = the figure's bytes, ``figure.data_sha256`` =
the data CSV's), so the engine's ``figure_data`` rule can pass the figure with its numbers
(no committee, unless the policy says otherwise).  A kernel-drawn figure has no seal and goes to
the committee like any figure.

No free text reaches a figure: its labels are the table's own column names and group labels
(checked with the table); a title would be a channel no check reads.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

KINDS = ("bar", "hist")


def value_column(table: pd.DataFrame, roles: dict, column: str | None) -> str:
    if column is not None:
        if column not in table.columns:
            raise ValueError(f"no column {column!r} in the table")
        return column
    for c in table.columns:
        if roles.get(c, {}).get("role") == "statistic":
            return c
    for c in table.columns:
        if roles.get(c, {}).get("role") in ("count", None) and c not in ("All",) \
                and roles.get(c, {}).get("role") != "group":
            return c
    raise ValueError("the table has no number column to draw")


def render(table: pd.DataFrame, roles: dict, *, kind: str = "bar",
           column: str | None = None) -> bytes:
    """PNG bytes of the figure (deterministic: no timestamp or software metadata)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    groups = [c for c in table.columns if roles.get(c, {}).get("role") == "group"]
    body = table
    if groups:
        body = table[~table[groups].astype(str).isin(["All"]).any(axis=1)]
    col = value_column(table, roles, column)
    labels = [" / ".join(str(v) for v in row) for row in body[groups].itertuples(index=False)] \
        if groups else [str(i) for i in range(len(body))]
    values = pd.to_numeric(body[col], errors="coerce").to_numpy(dtype=float)
    fig = Figure(figsize=(max(4.0, 0.45 * len(labels) + 2), 3.6), dpi=100)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    ax.bar(x, np.nan_to_num(values), width=1.0 if kind == "hist" else 0.8,
           edgecolor="black" if kind == "hist" else None)
    ax.set_xticks(x, labels, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center")
    ax.set_ylabel(col)
    if groups:
        ax.set_xlabel(" / ".join(groups))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
