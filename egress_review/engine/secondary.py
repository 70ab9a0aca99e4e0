"""E2/E3: suppression that really protects: attacker intervals and complementary suppression.

For every one- or two-way count table (with whatever margins it publishes):
- cells left blank as suppression: the interval an attacker derives for each (exact max-flow
  bounds on the table's circulation network, see :mod:`linear`) must be at least
  ``suppression_min_width`` wide; a narrower one, or an exactly recovered cell, blocks;
- cells under ``min_units_per_cell`` that are still shown: the engine proposes a complementary
  suppression pattern (primary + secondary cells) whose audited intervals are all wide enough
  (certified by a rectangle of hidden cells, else exact max-flow bounds; each interval says
  whether it is exact or a certified sub-interval of the attacker's), and returns it as ``suggested_suppression`` and in ``CheckResult.suppression``.
"""
from __future__ import annotations

import math

import numpy as np

from egress_review.engine import person_margins
from egress_review.engine.context import Context
from egress_review.engine.grids import GridRef, grids_of
from egress_review.engine.linear import Grid, Network, protect

RULE = "E3"
CHECK = "secondary"


def _ref(gr: GridRef, net: Network, e: int):
    d = net.describe(e)
    key = {"cell": lambda: (d["i"], d["j"]), "row_total": lambda: ("row", d["i"]),
           "col_total": lambda: ("col", d["j"]), "total": lambda: ("tot",)}[d["kind"]]()
    return gr.ref(key), d


def _iv(lo, hi):
    return [lo, None if math.isinf(hi) else hi]


def audit_blanks(ctx: Context, table, gr: GridRef) -> list[dict]:
    g = gr.grid
    net = Network(g)
    width = ctx.policy.suppression_min_width
    m = ctx.policy.min_units_per_cell
    hidden = [e for e in np.flatnonzero(net.supp) if _ref(gr, net, int(e))[0] is not None]
    if not hidden:
        return []
    if gr.known:
        targets = [e for e in hidden if 0 < net.val[e] < m]
    else:
        targets = hidden
    try:
        iv = net.intervals(targets)
    except ValueError as e:
        ctx.add(rule=RULE, check=CHECK, severity="block", file=table.path, location={},
                en=f"The published cells of measure {gr.measure!r} contradict each other: {e}.",
                zh=f"計量 {gr.measure!r} 的公開數值彼此矛盾：{e}。")
        return []
    report = []
    for e in targets:
        lo, hi = iv[e]
        (row, col), d = _ref(gr, net, int(e))
        report.append({"row": row + 1, "column": col, "interval": _iv(lo, hi)})
        if hi - lo >= width:
            continue
        how = "recovered exactly" if hi == lo else f"narrowed to [{lo:g}, {hi:g}]"
        ctx.add(rule=RULE, check=CHECK, severity="block", file=table.path,
                location={**table.location(row, col), "interval": _iv(lo, hi)},
                en=f"This suppressed cell is {how} from the published margins and cells (an "
                   f"interval at least {width} wide is required); suppress more cells.",
                zh=f"此遮蔽儲存格可由公開的邊際與其他儲存格"
                   f"{'精確推得' if hi == lo else f'推得範圍 [{lo:g}, {hi:g}]'}"
                   f"（範圍至少需 {width}）；請遮蔽更多儲存格。")
    return report


def propose(ctx: Context, table, gr: GridRef) -> dict | None:
    g = gr.grid
    m = ctx.policy.min_units_per_cell
    width = ctx.policy.suppression_min_width
    primary = (g.x > 0) & (g.x < m) & ~g.supp
    small_margins = {"row": (g.row_tot > 0) & (g.row_tot < m) & ~g.row_supp,
                     "col": (g.col_tot > 0) & (g.col_tot < m) & ~g.col_supp}
    if not primary.any() and not any(v.any() for v in small_margins.values()):
        return None
    g = Grid(x=g.x, supp=g.supp.copy(), row_tot=g.row_tot,
             col_tot=g.col_tot, tot=g.tot, row_supp=g.row_supp | small_margins["row"],
             col_supp=g.col_supp | small_margins["col"], tot_supp=g.tot_supp,
             row_labels=g.row_labels, col_labels=g.col_labels)
    supp, net, iv, exact, ok = protect(g, primary, width)
    cells = []
    for i, j in zip(*np.nonzero(supp & ~gr.grid.supp)):
        ref = gr.ref((int(i), int(j)))
        if ref is None:
            continue
        cells.append({"row": ref[0] + 1, "column": ref[1],
                      "action": "suppress", "primary": bool(primary[i, j])})
    for kind, mask in small_margins.items():
        for k in np.flatnonzero(mask):
            ref = gr.ref((kind, int(k)))
            if ref is not None:
                cells.append({"row": ref[0] + 1, "column": ref[1], "action": "suppress",
                              "primary": True})
    intervals = []
    for e, (lo, hi) in iv.items():
        d = net.describe(int(e))
        ref = gr.ref((d["i"], d["j"]))
        if ref is not None:
            intervals.append({"row": ref[0] + 1, "column": ref[1], "interval": _iv(lo, hi),
                              "exact": bool(exact.get(e, True))})
    n_prim = sum(c["primary"] for c in cells)
    ctx.add(rule="E2", check=CHECK, severity="block", file=table.path,
            location={"measure": gr.measure},
            en=(f"{n_prim} cell(s) rest on fewer than {m} units; suppress them together with the "
                f"{len(cells) - n_prim} complementary cell(s) listed, so that none can be derived from "
                "the margins." if ok else
                f"{n_prim} cell(s) rest on fewer than {m} units and no suppression pattern protects "
                "them: merge categories."),
            zh=(f"{n_prim} 個儲存格少於 {m} 個單位；請連同所列 {len(cells) - n_prim} 個互補儲存格一併遮蔽，"
                "使其無法由邊際推得。" if ok else
                f"{n_prim} 個儲存格少於 {m} 個單位，且無遮蔽組合可保護：請合併類別。"),
            suggested=cells)
    return {"measure": gr.measure, "ok": ok, "cells": cells, "intervals": intervals}


def check_request(ctx: Context) -> None:
    start = len(ctx.findings)
    for table in ctx.all_tables():
        path = table.path
        try:
            grids = grids_of(ctx, table)
        except (KeyError, ValueError) as e:
            # a table whose structure cannot be laid out is not passed: a person looks at it
            ctx.add(rule=RULE, check=CHECK, severity="review", file=path, location={},
                    en=f"The table's margins and cells could not be laid out for the suppression "
                       f"audit ({type(e).__name__}: {e}): a reviewer checks what can be derived.",
                    zh=f"無法整理此表的邊際與儲存格以進行遮蔽稽核（{type(e).__name__}：{e}），"
                       "由審查人檢查可推得的內容。")
            continue
        distinct = person_margins.counts_distinct_persons(ctx, table)
        for gr in grids:
            if distinct and not person_margins.additive(gr):
                # margins of distinct persons that do not add up: inequalities, not sums
                entry = person_margins.check(ctx, table, gr)
                if entry:
                    ctx.suppression.setdefault(path, []).append(entry)
                continue
            entry: dict = {}
            audited = audit_blanks(ctx, table, gr)
            if audited:
                entry["audit"] = audited
            # a table inside another file gets the audit of its blanks; its shown small cells
            # are the threshold check's (run on it with the file), no pattern is proposed
            if (gr.known or not gr.grid.supp.any()) and path not in ctx.unit_views:
                proposal = propose(ctx, table, gr)
                if proposal:
                    entry["proposal"] = proposal
            if entry:
                ctx.suppression.setdefault(path, []).append(entry)
    ctx.owner_findings(start)
