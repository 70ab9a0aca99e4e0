"""Turning a declared count table (wide crosstab or long with ≤2 groups) into a Grid."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from egress_review.engine.context import Context
from egress_review.engine.linear import Grid
from egress_review.engine.tables import Table


@dataclass
class GridRef:
    """A Grid plus, for each interior/margin position, where it is in the file."""
    grid: Grid
    measure: str
    cell_ref: dict          # (i, j) -> (df row, column) ; ('row', i) / ('col', j) / ('tot',)
    known: bool             # true values known for suppressed cells (provenance)
    # a crosstab's interior: (file row of each grid row, column of each grid column), looked
    # up on demand instead of a dict entry per cell
    interior: tuple | None = None

    def ref(self, key) -> tuple[int, str] | None:
        if self.interior is not None and len(key) == 2 and not isinstance(key[0], str):
            rows, cols = self.interior
            return int(rows[key[0]]), cols[key[1]]
        return self.cell_ref.get(key)


def _values(ctx: Context, table: Table, col: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(values, blank-suppressed mask, true values known) for a count column."""
    shown = table.numeric(col)
    # a blank in any count column hides a cell, whatever the column was declared
    nan = np.isnan(shown)
    blank = np.zeros(len(shown), dtype=bool)
    if nan.any():
        blank[nan] = table.text(col)[nan].str.strip().eq("").to_numpy()
    prov = ctx.provenance.get(table.path)
    if prov is not None and col in prov.units and len(prov.units[col]) == len(shown):
        true = np.asarray([np.nan if v is None else v for v in prov.units[col]], dtype=float)
        return true, blank, True
    return shown, blank, not blank.any()


def grids_of(ctx: Context, table: Table) -> list[GridRef]:
    """The table's count grids: its crosstab part (declared or inferred wide) and one grid per
    other count column."""
    groups = table.group_cols
    if not table.count_cols:
        return []
    out: list[GridRef] = []
    long_cols = table.count_cols
    if table.is_wide:
        wide = table.wide_count_cols()
        long_cols = [c for c in long_cols if c not in wide]
        out.extend(_wide_grid(ctx, table, wide, groups))
    if long_cols:
        out.extend(_long_grids(ctx, table, long_cols, groups))
    return out


def _wide_grid(ctx: Context, table: Table, counts: list[str], groups: list[str]) -> list[GridRef]:
    out: list[GridRef] = []
    tot_rows = np.flatnonzero(table.total_rows())
    if len(tot_rows) > 1:
        return []
    body = np.flatnonzero(~table.total_rows())
    inner = [c for c in counts if not table.is_total_col(c)]
    tcol = next((c for c in counts if table.is_total_col(c)), None)
    if not inner or not len(body):
        return []
    R, C = len(body), len(inner)
    x = np.zeros((R, C))
    supp = np.zeros((R, C), dtype=bool)
    known = True
    cols = {}
    for c in counts:
        cols[c] = _values(ctx, table, c)
        known &= cols[c][2]
    for j, c in enumerate(inner):
        v, b, _ = cols[c]
        x[:, j] = v[body]
        supp[:, j] = b[body]
    ref: dict = {}
    if tcol:
        v, b, _ = cols[tcol]
        row_tot, row_supp = v[body], b[body]
        ref.update({("row", i): (int(body[i]), tcol) for i in range(R)})
    else:
        row_tot, row_supp = np.nansum(x, axis=1), np.ones(R, dtype=bool)
    if len(tot_rows):
        k = int(tot_rows[0])
        col_tot = np.array([cols[c][0][k] for c in inner])
        col_supp = np.array([cols[c][1][k] for c in inner])
        ref.update({("col", j): (k, c) for j, c in enumerate(inner)})
        if tcol:
            tot, tot_supp = cols[tcol][0][k], bool(cols[tcol][1][k])
            ref[("tot",)] = (k, tcol)
        else:
            tot, tot_supp = float(np.nansum(x)), True
    else:
        col_tot, col_supp = np.nansum(x, axis=0), np.ones(C, dtype=bool)
        tot, tot_supp = float(np.nansum(x)), True
    g = Grid(x=x, supp=supp, row_tot=row_tot, col_tot=col_tot, tot=tot, row_supp=row_supp,
             col_supp=col_supp, tot_supp=tot_supp,
             row_labels=[" / ".join(parts) for parts in
                         zip(*[table.text(gc).to_numpy()[body] for gc in groups])]
             if groups else [str(i) for i in body], col_labels=inner)
    out.append(GridRef(g, "count", ref, known, interior=(body, inner)))
    table.grid_cols.update(counts)
    return out


def _long_grids(ctx: Context, table: Table, counts: list[str], groups: list[str]) -> list[GridRef]:
    out: list[GridRef] = []
    if len(groups) not in (1, 2):
        return []
    for c in counts:
        v, b, known = _values(ctx, table, c)
        g0 = table.text(groups[0]).str.strip().tolist()
        g1 = table.text(groups[1]).str.strip().tolist() if len(groups) == 2 else ["*"] * len(g0)
        rlab = list(dict.fromkeys(s for s in g0 if not table.is_total_label(s)))
        clab = list(dict.fromkeys(s for s in g1 if not table.is_total_label(s)))
        if not rlab or not clab:
            continue
        ri = {s: i for i, s in enumerate(rlab)}
        ci = {s: j for j, s in enumerate(clab)}
        R, C = len(rlab), len(clab)
        x = np.zeros((R, C))
        supp = np.ones((R, C), dtype=bool)        # absent combinations: unknown (zero)
        row_tot, row_supp = np.zeros(R), np.ones(R, dtype=bool)
        col_tot, col_supp = np.zeros(C), np.ones(C, dtype=bool)
        tot, tot_supp = 0.0, True
        ref: dict = {}
        for k, (a, bb) in enumerate(zip(g0, g1)):
            hid = bool(b[k])
            val = np.nan if hid and np.isnan(v[k]) else (0.0 if np.isnan(v[k]) else v[k])
            a_tot, b_tot = table.is_total_label(a), table.is_total_label(bb)
            if a_tot and (b_tot or len(groups) == 1):
                tot, tot_supp = val, hid
                ref[("tot",)] = (k, c)
            elif a_tot:
                col_tot[ci[bb]], col_supp[ci[bb]] = val, hid
                ref[("col", ci[bb])] = (k, c)
            elif b_tot:
                row_tot[ri[a]], row_supp[ri[a]] = val, hid
                ref[("row", ri[a])] = (k, c)
            else:
                x[ri[a], ci[bb]], supp[ri[a], ci[bb]] = val, hid
                ref[(ri[a], ci[bb])] = (k, c)
        for i in range(R):
            if row_supp[i] and ("row", i) not in ref:
                row_tot[i] = np.nansum(x[i])
        for j in range(C):
            if col_supp[j] and ("col", j) not in ref:
                col_tot[j] = np.nansum(x[:, j])
        if ("tot",) not in ref:
            tot = float(np.nansum(x))
        g = Grid(x=x, supp=supp, row_tot=row_tot, col_tot=col_tot, tot=tot, row_supp=row_supp,
                 col_supp=col_supp, tot_supp=tot_supp, row_labels=rlab, col_labels=clab)
        out.append(GridRef(g, c, ref, known))
        table.grid_cols.add(c)
    return out
