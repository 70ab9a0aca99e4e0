"""E2/E3: margins that count distinct persons (a helper's ``unit=`` table with margins).

A person seen in several cells of a line (visits in two regions) is counted once in the line's
margin, so such a margin is not the sum of its cells: max(cell) ≤ margin ≤ Σ cells.  The
additive audit of :mod:`secondary` would take equalities that do not hold, so for a sealed
table whose margins are distinct persons and do not add up, this module checks instead:

- the *excess* of a line, Σ cells − margin, counts persons seen in more than one of its cells
  (for a line of two cells, exactly the persons in both).  An excess between 1 and the
  threshold singles out a few persons: it blocks like a small cell (E2);
- a blank cell's interval under the inequalities (an integer program, HiGHS) must be at least
  ``suppression_min_width`` wide (E3), and the suppression proposed for shown small cells is
  checked the same way: the primaries, then the margins of their lines, until every interval
  is wide enough, else "merge categories".

Only verified provenance says a margin counts persons (its sealed table spec); any other table
keeps the additive audit, which is stricter for it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from egress_review.engine.context import Context
from egress_review.engine.linear import Grid

RULE = "E3"
CHECK = "secondary"


def counts_distinct_persons(ctx: Context, table) -> bool:
    prov = ctx.provenance.get(table.path)
    spec = prov.body.get("spec") if prov is not None else None
    return isinstance(spec, dict) and bool(spec.get("unit")) and bool(spec.get("margins")) \
        and spec.get("count_persons", True) is not False


@dataclass
class _Published:
    """Which margins the file holds (a Grid's ``*_supp`` is also True for a margin the table
    does not have)."""
    rows: np.ndarray
    cols: np.ndarray
    tot: bool

    @classmethod
    def of(cls, gr) -> "_Published":
        R, C = gr.grid.shape
        return cls(np.array([gr.ref(("row", i)) is not None for i in range(R)], dtype=bool),
                   np.array([gr.ref(("col", j)) is not None for j in range(C)], dtype=bool),
                   gr.ref(("tot",)) is not None)


def additive(gr) -> bool:
    """Every margin in the file equals the sum of its cells (true values)."""
    g, pub = gr.grid, _Published.of(gr)
    rows = np.isclose(np.nansum(g.x, axis=1), g.row_tot)[pub.rows]
    cols = np.isclose(np.nansum(g.x, axis=0), g.col_tot)[pub.cols]
    tot = not pub.tot or math.isclose(float(np.nansum(g.x)), float(g.tot))
    return bool(rows.all() and cols.all() and tot)


def _lines(g: Grid, pub: _Published):
    """(kind, index, margin value, cells of the line as (i, j)) for every margin in the file."""
    R, C = g.shape
    for i in np.flatnonzero(pub.rows):
        yield "row", int(i), float(g.row_tot[i]), [(int(i), j) for j in range(C)]
    for j in np.flatnonzero(pub.cols):
        yield "col", int(j), float(g.col_tot[j]), [(i, int(j)) for i in range(R)]


class _System:
    """max(entry) ≤ margin ≤ Σ entries for every margin in the file (cells in a row or column
    margin; cells and the row and column margins in the grand total), = Σ where the true values
    add up; hidden entries as variables (their true values known only to decide additivity),
    the others as constants."""

    def __init__(self, g: Grid, pub: _Published, hidden: dict):
        R, C = g.shape
        self.var = {key: k for k, key in enumerate(hidden)}
        value = {**{(i, j): g.x[i, j] for i in range(R) for j in range(C)},
                 **{("row", i): g.row_tot[i] for i in range(R)},
                 **{("col", j): g.col_tot[j] for j in range(C)}, ("tot",): g.tot}
        rows, rhs = [], []

        def le(small: list, big: list) -> None:        # Σ small ≤ Σ big
            a = np.zeros(len(self.var))
            b = 0.0
            for key in small:
                if key in self.var:
                    a[self.var[key]] += 1
                else:
                    b -= float(value[key])
            for key in big:
                if key in self.var:
                    a[self.var[key]] -= 1
                else:
                    b += float(value[key])
            if a.any():
                rows.append(a)
                rhs.append(b)

        def line(margin, parts: list) -> None:
            for p in parts:
                le([p], [margin])
            le([margin], parts)
            # a line whose true values add up (every person in one of its cells, as with a
            # person's sex) may be taken for a sum by an attacker: the stricter assumption
            if math.isclose(float(value[margin]), float(sum(value[p] for p in parts))):
                le(parts, [margin])

        for i in np.flatnonzero(pub.rows):
            line(("row", int(i)), [(int(i), j) for j in range(C)])
        for j in np.flatnonzero(pub.cols):
            line(("col", int(j)), [(i, int(j)) for i in range(R)])
        if pub.tot:
            cells = [(i, j) for i in range(R) for j in range(C)]
            line(("tot",), cells)
            if pub.rows.all():
                line(("tot",), [("row", i) for i in range(R)])
            if pub.cols.all():
                line(("tot",), [("col", j) for j in range(C)])
        self.A = np.array(rows) if rows else None
        self.b = np.array(rhs) if rows else None

    def interval(self, key) -> tuple[float, float]:
        from scipy.optimize import linprog   # lazy: scipy.optimize takes long to import

        c = np.zeros(len(self.var))
        c[self.var[key]] = 1.0
        # counts are integers and this system is not a network matrix: the LP relaxation could
        # be wider than what an attacker derives, so the bounds are integer programs
        kw = dict(A_ub=self.A, b_ub=self.b, bounds=(0, None), method="highs",
                  integrality=np.ones(len(self.var)))
        lo = linprog(c, **kw)
        hi = linprog(-c, **kw)
        if lo.status == 2 or hi.status == 2:
            raise ValueError("the published cells and margins contradict each other")
        return (float(lo.fun) if lo.status == 0 else 0.0,
                -float(hi.fun) if hi.status == 0 else math.inf)


def _hidden(g: Grid, pub: _Published, cells: np.ndarray, rows: np.ndarray, cols: np.ndarray,
            tot: bool) -> dict:
    keys = [(int(i), int(j)) for i, j in zip(*np.nonzero(cells))]
    keys += [("row", int(i)) for i in np.flatnonzero(rows & pub.rows)]
    keys += [("col", int(j)) for j in np.flatnonzero(cols & pub.cols)]
    if tot and pub.tot:
        keys.append(("tot",))
    return dict.fromkeys(keys)


def _narrow(g: Grid, pub: _Published, hidden: dict, targets, width) -> dict:
    """{cell: interval} of the targets an attacker narrows below ``width``."""
    system = _System(g, pub, hidden)
    out = {}
    for cell in targets:
        lo, hi = system.interval(cell)
        if hi - lo < width:
            out[cell] = (lo, hi)
    return out


def _iv(lo, hi):
    return [round(lo, 6), None if math.isinf(hi) else round(hi, 6)]


def check(ctx: Context, table, gr) -> dict:
    """Every check of a grid whose margins are distinct persons; its suppression entry."""
    g: Grid = gr.grid
    pub = _Published.of(gr)
    m = ctx.policy.min_units_per_cell
    width = ctx.policy.suppression_min_width
    _excess(ctx, table, gr, pub, m)
    entry: dict = {}
    hidden = _hidden(g, pub, g.supp, g.row_supp, g.col_supp, g.tot_supp)
    targets = [(int(i), int(j)) for i, j in zip(*np.nonzero(g.supp))
               if 0 < g.x[i, j] < m and gr.ref((int(i), int(j))) is not None]
    if targets:
        narrow = _narrow(g, pub, hidden, targets, width)
        entry["audit"] = []
        for cell in targets:
            ref = gr.ref(cell)
            entry["audit"].append({"row": ref[0] + 1, "column": ref[1], "narrow": cell in narrow})
            if cell not in narrow:
                continue
            lo, hi = narrow[cell]
            ctx.add(rule=RULE, check=CHECK, severity="block", file=table.path,
                    location={**table.location(*ref), "interval": _iv(lo, hi)},
                    en=f"This suppressed cell is narrowed to [{lo:g}, {hi:g}] by the table's margins "
                       "of distinct persons (each at least its largest cell, at most the sum of its "
                       f"cells; an interval at least {width} wide is required): suppress the margins "
                       "of its lines too, or merge categories.",
                    zh=f"此遮蔽儲存格可由相異人數邊際（不小於其最大儲存格、不大於儲存格總和）推得範圍 "
                       f"[{lo:g}, {hi:g}]（範圍至少需 {width}）：請一併遮蔽所在列/欄的邊際，或合併類別。")
    primary = (g.x > 0) & (g.x < m) & ~g.supp
    small_margin = ((g.row_tot > 0) & (g.row_tot < m) & ~g.row_supp & pub.rows).any() or \
        ((g.col_tot > 0) & (g.col_tot < m) & ~g.col_supp & pub.cols).any()
    if (primary.any() or small_margin) and gr.known and table.path not in ctx.unit_views:
        entry["proposal"] = _propose(ctx, table, gr, pub, primary, m, width)
    return entry


def _excess(ctx: Context, table, gr, pub: _Published, m: int) -> None:
    g = gr.grid
    for kind, k, margin, cells in _lines(g, pub):
        hidden = (g.row_supp if kind == "row" else g.col_supp)[k] or any(g.supp[c] for c in cells)
        vals = np.array([g.x[i, j] for i, j in cells], dtype=float)
        if hidden or np.isnan(vals).any() or math.isnan(margin):
            continue          # a blank in the line: its excess is not published (audit above)
        excess = float(vals.sum()) - margin
        if not 0 < excess < m:
            continue
        ref = gr.ref((kind, k))
        two = int((vals > 0).sum()) == 2
        what_en = (f"{excess:g} person(s) are in both of its cells" if two else
                   f"fewer than {m} persons are in more than one of its cells")
        what_zh = (f"有 {excess:g} 人同時在其兩個儲存格" if two else f"少於 {m} 人出現在其多個儲存格")
        ctx.add(rule="E2", check="threshold", severity="block", file=table.path,
                location={**table.location(*ref), "excess": excess},
                en=f"This margin counts distinct persons and is {excess:g} below the sum of its "
                   f"cells: {what_en} (at least {m} are required, or none). Count each person in "
                   "one cell, or merge categories.",
                zh=f"此邊際為相異人數，比其儲存格總和少 {excess:g}：{what_zh}（需至少 {m} 人或 0 人）。"
                   "請讓每人只計入一格，或合併類別。")


def _propose(ctx: Context, table, gr, pub: _Published, primary: np.ndarray, m: int,
             width: float) -> dict:
    """Suppress the primaries; while one is narrowed, also the margins of its lines (and at
    last the grand total)."""
    g = gr.grid
    cells_h = g.supp | primary
    # margins under the threshold are primaries themselves
    small_rows = pub.rows & ~g.row_supp & (g.row_tot > 0) & (g.row_tot < m)
    small_cols = pub.cols & ~g.col_supp & (g.col_tot > 0) & (g.col_tot < m)
    rows_h, cols_h, tot_h = g.row_supp | small_rows, g.col_supp | small_cols, bool(g.tot_supp)
    prim = [(int(i), int(j)) for i, j in zip(*np.nonzero(primary))]
    narrow: dict = {}
    for round_ in range(3):
        narrow = _narrow(g, pub, _hidden(g, pub, cells_h, rows_h, cols_h, tot_h), prim, width)
        if not narrow:
            break
        for i, j in narrow:
            rows_h[i] = cols_h[j] = True
        tot_h = tot_h or round_ >= 1
    ok = not narrow
    out = []
    for i, j in zip(*np.nonzero(cells_h & ~g.supp)):
        ref = gr.ref((int(i), int(j)))
        if ref is not None:
            out.append({"row": ref[0] + 1, "column": ref[1], "action": "suppress",
                        "primary": bool(primary[i, j])})
    extra = [("row", int(i)) for i in np.flatnonzero(rows_h & ~g.row_supp & pub.rows)]
    extra += [("col", int(j)) for j in np.flatnonzero(cols_h & ~g.col_supp & pub.cols)]
    extra += [("tot",)] if tot_h and not g.tot_supp and pub.tot else []
    for key in extra:
        ref = gr.ref(key)
        small = (small_rows if key[0] == "row" else small_cols)[key[1]] if len(key) == 2 else False
        out.append({"row": ref[0] + 1, "column": ref[1], "action": "suppress",
                    "primary": bool(small)})
    n_prim = sum(c["primary"] for c in out)
    ctx.add(rule="E2", check=CHECK, severity="block", file=table.path,
            location={"measure": gr.measure},
            en=(f"{n_prim} cell(s) rest on fewer than {m} units; suppress them together with the "
                f"{len(out) - n_prim} margin(s) listed (the margins count distinct persons)."
                if ok else
                f"{n_prim} cell(s) rest on fewer than {m} units and no suppression pattern protects "
                "them from the margins of distinct persons: merge categories."),
            zh=(f"{n_prim} 個儲存格少於 {m} 個單位；請連同所列 {len(out) - n_prim} 個邊際（相異人數）一併遮蔽。"
                if ok else
                f"{n_prim} 個儲存格少於 {m} 個單位，且無遮蔽組合可使其不被相異人數邊際推得：請合併類別。"),
            suggested=out)
    return {"measure": gr.measure, "ok": ok, "cells": out, "distinct_margins": True}
