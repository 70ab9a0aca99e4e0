"""E2: a histogram's density is its counts: density × bin width × N.

A probe published a histogram as a table of bins and a ``density`` column (matplotlib's
``density=True``, a KDE evaluated at the bins), declared a rate or a median beside the group's
N, so that no count was ever shown: density × width × N gives each bin's number of persons.
A statistic column headed density/kde/pdf (密度) in a table whose rows are numeric bins
(labels ``0-10``, ``[10, 20)``, or two grouping columns of bin edges) is read that way: a bin of
1 … ``min_units_per_cell``−1 persons for certain blocks; without the N it rests on → review.
Setting: ``histogram_densities`` (E2).
"""
from __future__ import annotations

import re

import numpy as np

from egress_review.engine import bins
from egress_review.engine.context import Context
from egress_review.engine.structure import _decimals as _plain_decimals
from egress_review.manifest import ManifestFile

RULE = "E2"
CHECK = "densities"
KINDS = {"table"}

_DENSITY = re.compile(r"(?:^|[\s_\-(.])(?:density|densities|kde|pdf)(?:$|[\s_\-).])|密度", re.I)
_RANGE = re.compile(r"^\s*[\[(]?\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|—|~|～|,|to|至)\s*(-?\d+(?:\.\d+)?)\s*[\])]?\s*$")
_LEFT = re.compile(r"left|lower|low|start|from|edge|lo$|下限|起", re.I)
_RIGHT = re.compile(r"right|upper|high|end|to$|hi$|上限|迄", re.I)


def _decimals(text: str) -> int:
    """Decimals shown, also in scientific notation (8e-05 is shown to 5 decimals)."""
    m = re.fullmatch(r"\s*-?\d+(?:\.(\d*))?[eE]([-+]?\d+)\s*", text)
    if m:
        return max(0, len(m.group(1) or "") - int(m.group(2)))
    return _plain_decimals(text)


def bin_widths(table) -> np.ndarray | None:
    """Each row's bin width, from range labels or a pair of edge columns; None when the rows
    are not numeric bins."""
    e = bins.edges(table)          # a pair of edge columns, or numpy's n + 1 edges
    if e is not None and np.all(np.diff(e) > 0):
        return np.diff(e)
    for col in table.group_cols:
        parts = [_RANGE.match(str(x)) for x in table.text(col).tolist()]
        if parts and all(parts):
            w = np.array([float(p.group(2)) - float(p.group(1)) for p in parts])
            if np.all(w > 0):
                return w
    left = next((c for c in table.group_cols if _LEFT.search(c)), None)
    right = next((c for c in table.group_cols if c != left and _RIGHT.search(c)), None)
    if left and right:
        w = table.numeric(right) - table.numeric(left)
        if not np.isnan(w).any() and np.all(w > 0):
            return w
    return None


def check_file(ctx: Context, spec: ManifestFile) -> None:
    if not ctx.policy.histogram_densities:
        return
    table = ctx.tables[spec.path]
    cols = [c for c in table.cols_with("statistic") if _DENSITY.search(c)]
    if not cols:
        return
    widths = bin_widths(table)
    if widths is None:
        return
    m = ctx.policy.min_units_per_cell
    for col in cols:
        v = table.numeric(col)
        n = ctx.units(table, col)
        if n is None:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
                    location={"column": col},
                    en=f"Column {col!r} is a histogram's density: with the number of persons it "
                       "rests on (not shown here) each bin's count is density × width × N; a "
                       "reviewer checks that N and the bins.",
                    zh=f"欄位 {col!r} 為直方圖密度：乘以組距與總人數即得各組人數；此處未載明人數，由審查人檢查。")
            continue
        texts = table.text(col).tolist()
        for i in np.flatnonzero(~np.isnan(v) & ~np.isnan(n)):
            k = v[i] * widths[i] * n[i]
            err = n[i] * widths[i] * 0.5 * 10.0 ** (-_decimals(texts[i]))
            if k - err > 0.5 - 1e-9 and k + err < m - 0.5 + 1e-9:
                ctx.block_cell(rule=RULE, check=CHECK, file=spec.path, table=table, i=int(i), col=col,
                               en=f"Column {col!r} is a histogram's density: {v[i]:g} × bin width "
                                  f"{widths[i]:g} × {n[i]:g} persons = {k:.3g} persons in this bin "
                                  f"(fewer than {m}). Merge bins.",
                               zh=f"欄位 {col!r} 為直方圖密度：{v[i]:g} × 組距 {widths[i]:g} × {n[i]:g} 人 "
                                  f"= 此組 {k:.3g} 人（少於 {m}），請合併組別。")
