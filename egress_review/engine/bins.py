"""E2: a histogram published by its bin edges is read as bins, and its outer edges as what
they may be - the data's minimum and maximum.

A red-team probe published histograms as tables of bin edges and counts.  They were held for
the wrong reasons: a pair of edge columns (``bin_left``, ``bin_right``) was taken for counts
("declared group but its values are counts", a zero edge a "zero cell"), and numpy's layout -
n + 1 edges beside n counts, the last row only the closing edge - was blocked as a blank count
cell.  Neither is what a histogram discloses.  What it does disclose:
- each bin's count (the count rules check it as a cell);
- its outer edges: ``np.histogram``'s default range is the data's minimum and maximum, each one
  person's value.  Equal-width bins whose edges are not on the grid of their width (18.3,
  25.7, … 95.0) are that default → review naming the two edges (a range chosen by hand, 0, 10,
  20 …, or unequal bands passes).
Edge columns: two numeric grouping columns headed as left/right (lower/upper, from/to, 下限/
上限, or ``bin`` with start/end), the right above the left on every row.  Whole-number edges of
unequal widths under the threshold headed only as edges (``from``/``to``) could be cumulative
counts (0-120, 120-123) and stay counts (review) as before; headed by the variable they bin
(``age_from``, 年齡下限) they are bins.  Setting: ``histogram_edges`` (E2).
"""
from __future__ import annotations

import re

import numpy as np

RULE = "E2"
CHECK = "bins"
KINDS = {"table"}

_LEFT = re.compile(r"left|lower|(?:^|[_\s])low|start|from|^lo$|_lo$|min_edge|下限|起", re.I)
_RIGHT = re.compile(r"right|upper|(?:^|[_\s])high|end|(?:^|[_\s])to$|^hi$|_hi$|max_edge|上限|迄", re.I)
_EDGE = re.compile(r"edge|bin|break|cut|組界|分組", re.I)


def _body(table) -> np.ndarray:
    return ~table.total_rows()


def _names_variable(header: str) -> bool:
    """The header names what is binned (``age_from``, ``cost lower``, 年齡下限), not only an edge."""
    rest = _EDGE.sub(" ", _RIGHT.sub(" ", _LEFT.sub(" ", header)))
    return len(re.sub(r"[\W_\d]+", "", rest)) >= 2


def edge_pair(table, m: int | None = None) -> tuple[str, str] | None:
    """The (left, right) grouping columns of bin edges, or None.  With ``m``: whole-number
    edges of unequal widths, some under ``m``, are not taken for bins (cumulative counts?)."""
    groups = [g for g in table.cols_with("group")]
    body = _body(table)
    if body.sum() < 1:
        return None
    for left in groups:
        if not _LEFT.search(left):
            continue
        for right in groups:
            if right == left or not _RIGHT.search(right):
                continue
            a, b = table.numeric(left)[body], table.numeric(right)[body]
            if np.isnan(a).any() or np.isnan(b).any() or not np.all(b > a):
                continue
            w = b - a
            whole = np.all(np.abs(a - np.round(a)) < 1e-9) and np.all(np.abs(b - np.round(b)) < 1e-9)
            if (m is not None and whole and not np.allclose(w, w[0]) and (w < m).any()
                    and not (_names_variable(left) and _names_variable(right))):
                continue
            return left, right
    return None


def closing_edge(table) -> str | None:
    """numpy's layout: one numeric, strictly increasing grouping column headed as edges
    (edge, bin, break, left …), whose last row holds nothing else - the closing edge.  Returns
    that column."""
    groups = table.cols_with("group")
    if len(groups) != 1 or len(table.df) < 3 or table.total_rows().any():
        return None
    g = groups[0]
    if not (_EDGE.search(g) or _LEFT.search(g)):
        return None
    e = table.numeric(g)
    if np.isnan(e).any() or not np.all(np.diff(e) > 0):
        return None
    others = [c for c in table.columns if c != g]
    last = table.df.iloc[-1]
    if not others or any(str(last[c]).strip() for c in others):
        return None
    if any(not str(table.df.iloc[-2][c]).strip() for c in others):
        return None
    return g


def drop_closing_edge(table) -> None:
    """Keep the closing edge aside (``table.closing``) and the bins as rows."""
    g = closing_edge(table)
    if g is None:
        return
    table.closing = (g, float(table.numeric(g)[-1]))
    table.df = table.df.iloc[:-1].copy()
    table._num.clear()


def edges(table) -> np.ndarray | None:
    """All edges of the histogram (n + 1 for n bins), or None when the table is no histogram."""
    closing = getattr(table, "closing", None)
    if closing is not None and closing[0] in table.columns:
        return np.append(table.numeric(closing[0]), closing[1])
    pair = edge_pair(table)
    if pair is None:
        return None
    a, b = table.numeric(pair[0])[_body(table)], table.numeric(pair[1])[_body(table)]
    if len(a) > 1 and not np.allclose(a[1:], b[:-1]):
        return None                 # not contiguous: bands, not one histogram
    return np.append(a, b[-1])


def default_range(e: np.ndarray) -> bool:
    """Equal widths whose edges are off the grid of their width: numpy's (min, max) range."""
    if len(e) < 3:
        return False
    w = np.diff(e)
    if not np.allclose(w, w[0], rtol=1e-6, atol=1e-9) or w[0] <= 0:
        return False
    k = e / w[0]
    return not np.allclose(k, np.round(k), atol=1e-6)


def check_file(ctx, spec) -> None:
    if not ctx.policy.histogram_edges:
        return
    table = ctx.tables[spec.path]
    e = edges(table)
    if e is None or not default_range(e):
        return
    col = getattr(table, "closing", None)
    col = col[0] if col else edge_pair(table)[0]
    ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path, location={"column": col},
            en=f"The histogram's bins are of equal width but their edges are not on the grid of that "
               f"width: numpy's default range, whose outer edges {e[0]:g} and {e[-1]:g} are the "
               "data's minimum and maximum (one person's value each). Choose the range by hand "
               "(round edges) or a reviewer confirms it was.",
            zh=f"直方圖組距相等但組界不在組距的格點上：為 numpy 預設範圍，其外側組界 {e[0]:g} 與 "
               f"{e[-1]:g} 即資料的最小值與最大值（各為單一個人的數值）。請自訂整數組界，或由審查人確認。")
