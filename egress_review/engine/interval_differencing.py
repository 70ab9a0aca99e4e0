"""E3: differencing with rounded and marked cells read as the ranges they stand for (round 15).

A release of rounded counts (declared, said in the description, or plainly multiples of 5, 10,
100), of "<5" marks or "10-14" ranges, beside an exact total or an earlier exact release: each
cell is an interval (:mod:`interval_cells`) and every published cell a constraint
lo ≤ (sum of its finest cells) ≤ hi over the finest cells of the variables the tables share,
the tables taken to count the same persons.  A linear programme (HiGHS, counts ≥ 0) then gives
each finest cell, each published cell pattern and each hidden cell its possible range:
- a quantity the ranges force into 1 … min_units_per_cell − 1 (that its own display did not
  already state, and earlier releases alone did not give) → block;
- a hidden or marked cell recovered exactly, or narrowed below ``suppression_min_width`` and
  below its own mark → block;
- tables declared rounded whose ranges cannot all hold together → review (they cannot count
  the same persons as said).
Honest rounded tables leave the small cells undetermined (0 stays possible, or a value at the
threshold): they pass.  The LP relaxation is never narrower than the whole-number truth, so
this check can miss a pin that only whole numbers give; it never invents one.
"""
from __future__ import annotations

import math

import numpy as np

from egress_review.engine.category_sets import refine
from egress_review.engine import share_ranges
from egress_review.engine.context import Context
from egress_review.engine.interval_cells import Span, cell_span, declared_rounded
from egress_review.engine.linking import Series, norm, request_items

RULE = "E3"
CHECK = "interval_differencing"
_TOL = 1e-6


def check_request(ctx: Context) -> None:
    start = len(ctx.findings)
    _check(ctx)
    ctx.owner_findings(start)


def _spans(s: Series) -> list[Span | None]:
    return [cell_span(c.table, c.column, c.row) for c in s.cells]


def _bearing(s: Series) -> bool:
    """Some cell of the series is a range with a bound (rounded, '<5', '10-14')."""
    return any(sp is not None and not sp.exact and math.isfinite(sp.hi) for sp in _spans(s))


def _bounded_marks(s: Series) -> bool:
    """A "<5", "≤4" or "1-4" the table states of a hidden cell: its own margins can pin it
    (two "<5" and their total 7: each 3 or 4), which the secondary audit, reading the marks
    as blanks, does not see."""
    return any(sp is not None and not sp.exact and not sp.how.startswith("rounded")
               and math.isfinite(sp.hi) for sp in _spans(s))


def _shares(s: Series) -> bool:
    return any(x is not None and x.how.startswith("rounded percent") for x in _spans(s))


def _mixed(s: Series) -> bool:
    """Rounded cells beside an exact total of the same series (A 1040, B 5, Total 1043)."""
    sp = [x for x in _spans(s) if x is not None]
    return any(x.how.startswith("rounded") for x in sp) and any(x.exact for x in sp)


def _check(ctx: Context) -> None:
    from egress_review.engine.differencing import _oversize

    items = request_items(ctx, lambda t: not _oversize(t, ctx.policy))
    if not any(not hist for _, hist in items):
        return
    # percents over a stated N too coarse to fix a count: ranges of counts (share_ranges)
    keep = [t for t in ctx.tables.values() if not _oversize(t, ctx.policy)]
    items = items + [(v, False) for t in keep for v in share_ranges.views(t)] \
        + [(v, True) for rt in ctx.history.tables for v in share_ranges.views(rt.table)]
    repeated = {(t.path, c) for t in keep for c in share_ranges.base_columns(t)} | {
        (rt.table.path, c) for rt in ctx.history.tables for c in share_ranges.base_columns(rt.table)}
    series = [s for s in ctx.linked(items).series
              if not any((s.table.path, c.column) in repeated for c in s.cells[:1])]
    seen: set[frozenset] = set()
    for s in series:
        if not _bearing(s):
            continue
        group = _partners(s, series)
        key = frozenset(id(g) for g in group)
        if key in seen or all(g.hist for g in group):
            continue
        if len(group) < 2 and not (_bounded_marks(s) or _mixed(s) or _shares(s)):
            continue           # one rounded table alone: its own margins, the secondary audit's

        seen.add(key)
        _solve(ctx, group)


def _partners(s: Series, series: list[Series]) -> list[Series]:
    """``s`` and, from every other table, the one series a reader sets beside it: sharing a
    grouping variable (or a table of totals alone), the same column name when its table has
    several."""
    by_table: dict[int, list[Series]] = {}
    for o in series:
        if o.table.path == s.table.path:
            continue           # the same file (a table and its percents' counts): one release
        totals_only = all(not c.coords for c in o.cells)
        if totals_only or set(o.dims) & set(s.dims):
            by_table.setdefault(id(o.table), []).append(o)
    out = [s]
    mine = norm(s.label.split(":", 1)[1])
    for cands in by_table.values():
        if len(cands) == 1:
            out.append(cands[0])
            continue
        same = [o for o in cands if norm(o.label.split(":", 1)[1]) == mine]
        if len(same) == 1:
            out.append(same[0])
    return out


class _Model:
    """Finest cells of the group's variables and one constraint row per published cell."""

    def __init__(self, group: list[Series]):
        dims = list(dict.fromkeys(d for s in group for d in s.dims))
        labels: dict[str, dict] = {d: {} for d in dims}
        for s in group:
            for c in s.cells:
                for d, lab in c.coords.items():
                    labels[d][lab] = None
        self.dims = [d for d in dims if labels[d]]
        self.refined = {d: refine(list(labels[d])) for d in self.dims}
        self.shape = [len(self.refined[d].parts) for d in self.dims]
        self.n = int(np.prod(self.shape)) if self.dims else 1
        self.strides = [int(np.prod(self.shape[k + 1:])) for k in range(len(self.shape))]

    def vector(self, coords: dict) -> np.ndarray:
        flat = np.zeros(1, dtype=np.int64)
        for k, d in enumerate(self.dims):
            part = self.refined[d].cover[coords[d]] if d in coords else range(self.shape[k])
            flat = (flat[:, None] + np.asarray(part, dtype=np.int64) * self.strides[k]).ravel()
        v = np.zeros(self.n)
        v[np.unique(flat)] = 1.0
        return v

    def describe(self, v: np.ndarray) -> str:
        if not self.dims:
            return "the total"
        idx = np.unravel_index(np.flatnonzero(v > 0), self.shape)
        parts = []
        for k, d in enumerate(self.dims):
            vals = sorted({self.refined[d].parts[i] for i in idx[k]})
            if len(vals) < self.shape[k]:
                parts.append(f"{d}={'/'.join(vals)}")
        return ", ".join(parts) or "the total"


def _bounds(rows: list[tuple[np.ndarray, Span]], target: np.ndarray, n: int):
    """(min, max) of target·x under the rows' ranges and x ≥ 0; None when they cannot all hold."""
    from scipy.optimize import linprog

    eq = [(v, sp.lo) for v, sp in rows if sp.exact]
    ub = []
    for v, sp in rows:
        if sp.exact:
            continue
        if math.isfinite(sp.hi):
            ub.append((v, sp.hi))
        if sp.lo > 0:
            ub.append((-v, -sp.lo))
    kw = {"bounds": (0, None), "method": "highs"}
    if eq:
        kw["A_eq"], kw["b_eq"] = np.array([v for v, _ in eq]), np.array([b for _, b in eq])
    if ub:
        kw["A_ub"], kw["b_ub"] = np.array([v for v, _ in ub]), np.array([b for _, b in ub])
    lo = linprog(target, **kw)
    if lo.status == 2:
        return None
    hi = linprog(-target, **kw)
    low = lo.fun if lo.status == 0 else 0.0
    high = -hi.fun if hi.status == 0 else math.inf
    return float(low), float(high)


def _whole(lo: float, hi: float) -> tuple[float, float]:
    return float(math.ceil(lo - _TOL)), (float(math.floor(hi + _TOL)) if math.isfinite(hi) else math.inf)


def forced_small(lo: float, hi: float, m: int) -> bool:
    """Every whole number the range allows is 1 … m − 1 (E3 round 15; the switch)."""
    return lo >= 1 and hi <= m - 1


def _solve(ctx: Context, group: list[Series]) -> None:
    pol = ctx.policy
    model = _Model(group)
    first = next(s.table for s in group if not s.hist)
    if model.n > pol.differencing_exact_atoms:
        ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path,
                location={"atoms": model.n},
                en=f"Rounded or marked cells of {first.path} and the tables beside them span "
                   f"{model.n} finest cells: what their ranges give away must be checked by the "
                   "reviewer.",
                zh=f"{first.path} 的捨入或標記儲存格與相關表格共涵蓋 {model.n} 個最細格：其範圍可推得"
                   "之內容須由審查人檢查。")
        return
    rows, hist_rows, hidden = [], [], []
    for s in group:
        for c, sp in zip(s.cells, _spans(s)):
            v = model.vector(c.coords)
            marked = sp is None or not (sp.exact or sp.how.startswith("rounded"))
            if marked and not s.hist:
                hidden.append((c, v, sp))        # a blank, "*", "<5", "10-14": what it hides
            if sp is None or (sp.lo == 0 and not math.isfinite(sp.hi)):
                continue                         # states nothing beyond x >= 0
            rows.append((v, sp))
            if s.hist:
                hist_rows.append((v, sp))
    if _bounds(rows, np.zeros(model.n), model.n) is None:
        if any(declared_rounded(c.table, c.column) for s in group for c in s.cells[:1]):
            ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path, location={},
                    en=f"The rounded counts of {first.path} cannot be the same persons as the tables "
                       "beside them, even read as ranges: the reviewer checks what they count.",
                    zh=f"{first.path} 的捨入計數即使以範圍解讀，也無法與相關表格為同一群人：請審查人確認其計數對象。")
        return
    m = pol.min_units_per_cell
    exact_published = {v.tobytes() for v, sp in rows if sp.exact}
    candidates: dict[bytes, tuple[np.ndarray, Span | None, object]] = {}
    for s in group:
        for c, sp in zip(s.cells, _spans(s)):
            v = model.vector(c.coords)
            candidates.setdefault(v.tobytes(), (v, sp, c))
    if model.dims:
        for k in range(model.n):
            v = np.zeros(model.n)
            v[k] = 1.0
            candidates.setdefault(v.tobytes(), (v, None, None))
    budget = pol.differencing_max_lp
    reported = 0
    done = set()
    for c, v, sp in hidden:
        if budget <= 0:
            break
        budget -= 1
        done.add(v.tobytes())
        got = _bounds(rows, v, model.n)
        if got is None:
            continue
        lo, hi = _whole(*got)
        own_lo, own_hi = (sp.lo, sp.hi) if sp else (0.0, math.inf)
        if not (lo > own_lo or hi < own_hi) or _reported(ctx, c):
            continue
        if math.isfinite(own_hi):
            # a stated range ("<5", "10-14"): recovered exactly, or now surely small
            found = lo == hi or (forced_small(lo, hi, m) and not forced_small(own_lo, own_hi, m))
        else:
            found = hi - lo < pol.suppression_min_width
        if found:
            if _from_history(hist_rows, v, model.n, lo, hi):
                continue
            reported += 1
            _report(ctx, c.table.path, c.table.location(c.row, c.column), lo, hi, m,
                    f"the hidden cell {model.describe(v)}", hidden_cell=True)
    for key, (v, sp, c) in candidates.items():
        if key in exact_published or key in done or reported >= 20:
            continue
        if budget <= 0:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path, location={},
                    en=f"Not every cell the rounded or marked cells of {first.path} bear on was "
                       f"checked (more than {pol.differencing_max_lp}): the reviewer checks the rest.",
                    zh=f"{first.path} 的捨入或標記儲存格所涉及的儲存格超過 {pol.differencing_max_lp} 個，"
                       "未全部檢查：其餘由審查人檢查。")
            break
        budget -= 1
        got = _bounds(rows, v, model.n)
        if got is None:
            continue
        lo, hi = _whole(*got)
        if not forced_small(lo, hi, m):
            continue
        if sp is not None and forced_small(*_whole(sp.lo, sp.hi), m) \
                and not sp.how.startswith("rounded percent"):
            continue           # its own display says as much: the threshold rule's to judge
        if _from_history(hist_rows, v, model.n, lo, hi):
            continue
        reported += 1
        where = c.table if c is not None and not c.from_history else first
        loc = where.location(c.row, c.column) if c is not None and where is c.table else {}
        _report(ctx, where.path, loc, lo, hi, m, model.describe(v))


def _reported(ctx: Context, c) -> bool:
    """Exact differencing has blocked this hidden cell already."""
    loc = c.table.location(c.row, c.column)
    return any(f.check == "differencing" and f.severity == "block" and f.file == c.table.path
               and f.location.get("row") == loc.get("row") and f.location.get("column") == loc.get("column")
               for f in ctx.findings)


def _from_history(hist_rows, v, n, lo, hi) -> bool:
    """Earlier releases alone narrow ``v`` as far: nothing new is given away."""
    if not hist_rows:
        return False
    got = _bounds(hist_rows, v, n)
    if got is None:
        return False
    hlo, hhi = _whole(*got)
    return hlo >= lo and hhi <= hi


def _report(ctx, path, loc, lo, hi, m, desc, hidden_cell=False) -> None:
    what = f"exactly {lo:g}" if lo == hi else f"{lo:g} to {hi:g}"
    what_zh = f"恰為 {lo:g}" if lo == hi else f"介於 {lo:g} 與 {hi:g}"
    location = {**loc, "derived": desc, "interval": [lo, hi]}
    if lo == hi:
        location["value"] = lo
    tail = (f"; the suppression no longer protects it" if hidden_cell
            else f" (fewer than {m}): a small cell is derivable")
    ctx.add(rule=RULE, check=CHECK, severity="block", file=path, location=location,
            en=f"Read as the ranges their rounded or marked cells stand for, this table and the "
               f"other tables of the request or the case's earlier releases fix {desc} at "
               f"{what}{tail}.",
            zh=f"將捨入或標記的儲存格以其代表的範圍解讀，本表與本申請其他表格或本案先前釋出的資料可推得"
               f"{desc}{what_zh}" + ("，遮蔽已無保護作用。" if hidden_cell else f"（少於 {m}）：可推得小格。"))
