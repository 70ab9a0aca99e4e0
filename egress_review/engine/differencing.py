"""E3: differencing: what a reader learns from this request's tables together with each other
and with everything the case released before.

Count series linked by :mod:`linking` (same persons or nested ones, found from the groupings
and values whatever population they declare; ``population_within`` adds a nesting) are solved
together.  Every published cell, margin included, is a linear equation
over "atoms": the finest cells of the union of their grouping variables, split by population
segment (a nested population's own persons and the rest of its parent).  Then:
- a suppressed cell whose value is fixed by the equations (its vector lies in the row space:
  exact elimination by SVD) is recovered: block; otherwise its LP interval (HiGHS, counts ≥ 0)
  must be at least ``suppression_min_width`` wide;
- any unpublished quantity (an atom, or a published cell pattern restricted to one population
  segment, e.g. "parent minus nested population") that the equations fix at 1..min_units-1
  is a small cell made derivable by differencing: block.
Only derivations that need this request's tables are reported (history alone was released).
"""
from __future__ import annotations

import itertools

import numpy as np

from egress_review.engine.category_sets import refine
from egress_review.engine.context import Context
from egress_review.engine.interval_cells import series_declared_rounded

from egress_review.engine.linear import lp_interval
from egress_review.engine.linking import Cell, request_items
from egress_review.engine.tables import Table

RULE = "E3"
CHECK = "differencing"


def check_request(ctx: Context) -> None:
    start = len(ctx.findings)
    _check(ctx)
    ctx.owner_findings(start)


def _check(ctx: Context) -> None:
    # tables found inside other files (a sheet, a JSON map, an HTML or notebook table) are
    # linked like declared ones when they were read as plain count tables; cells read the way
    # papers print them (n (%) rows that stack several variables - a Table 1) fit no additive
    # model: their blanks get the audit.  A declared table over the E6 cell limit is blocked
    # as it is; solving it adds nothing
    items = request_items(ctx, lambda t: not _oversize(t, ctx.policy))
    if not any(not hist for _, hist in items):
        return
    if len(items) == 1 and _one_small_series(items[0][0]) \
            and set(items[0][0].count_cols) <= items[0][0].grid_cols \
            and not _banded_twice(items[0][0]):
        return                # one 1-/2-way table the secondary audit laid out: covered exactly
    for comp in ctx.linked(items).components:
        if all(s.hist for s in comp.series):
            continue
        dims_union = list(dict.fromkeys(d for s in comp.series for d in s.dims))
        if len(comp.series) < 2 and len(dims_union) <= 2 \
                and {c.column for c in comp.series[0].cells} <= comp.series[0].table.grid_cols \
                and not _banded_twice(comp.series[0].table):
            continue          # one 1-/2-way table the secondary audit laid out: covered exactly
        # E3 round 15: a series declared rounded is not its digits - interval_differencing
        # reads it as the ranges it stands for (read exact, an honest rounded release a few
        # off an earlier one "derived" a small cell)
        members = [(s.table, s.hist, s.dims, s.cells) for s in comp.series
                   if not series_declared_rounded(s)]
        if not any(not hist for _, hist, _, _ in members):
            continue
        root = next(p for p, q in comp.parents.items() if q is None) if comp.parents else ""
        _solve(ctx, root, members, dims_union, comp.parents, soft=comp.soft)


def _oversize(t: Table, pol) -> bool:
    return len(t.df) * max(1, len(t.cols_with("count", "statistic", "suppressed"))) \
        > pol.max_table_cells


def _banded_twice(t: Table) -> bool:
    """A table whose own rows band a variable twice (20-29 and 20-24 ...): subtotal rows the
    secondary audit's grid does not know, so the linear model must look."""
    from egress_review.engine.linking import norm

    return any(refine([norm(x) for x in t.text(g) if not t.is_total_label(x)]).nested
               for g in t.group_cols)


def _one_small_series(t: Table) -> bool:
    counts = t.count_cols
    if t.is_wide:
        return len(t.wide_count_cols()) == len(counts) and len(t.group_cols) <= 1
    return len(counts) <= 1 and len(t.group_cols) <= 2


def _segments(pops: dict[str, str | None]) -> tuple[list[str], dict[str, set[str]]]:
    """Leaf segments ('own' part of each population) and which segments each population covers."""
    children: dict[str, list[str]] = {p: [] for p in pops}
    for p, parent in pops.items():
        if parent in pops:
            children[parent].append(p)
    covers: dict[str, set[str]] = {}

    def cov(p):
        if p not in covers:
            covers[p] = {p} | set().union(*[cov(c) for c in children[p]]) if children[p] else {p}
        return covers[p]

    for p in pops:
        cov(p)
    return list(pops), covers


def _solve(ctx: Context, root: str, members, dims: list[str], pops, soft: bool = False) -> None:
    pol = ctx.policy
    seen: dict[str, dict[str, None]] = {d: {} for d in dims}     # ordered sets
    for _, _, _, cells in members:
        for c in cells:
            for d, lab in c.coords.items():
                seen[d][lab] = None
    cats = {d: list(v) for d, v in seen.items()}
    # a variable with no category published (a table of its total only) spans nothing
    dims = [d for d in dims if cats[d]]
    n_raw = int(np.prod([len(cats[d]) for d in dims])) if dims else 1
    if n_raw > 50 * pol.differencing_max_atoms:
        first = next(t for t, h, _, _ in members if not h)
        ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path,
                location={"population": root},
                en=f"The linked tables of population {root!r} span about {n_raw} finest cells (more "
                   f"than {pol.differencing_max_atoms}): differencing must be checked by the "
                   "reviewer.",
                zh=f"母體 {root!r} 的關聯表格約涵蓋 {n_raw} 個最細格（超過 "
                   f"{pol.differencing_max_atoms}），差分風險須由審查人檢查。")
        return
    # labels that band a variable differently (20-29 vs 20-24/25-28, E11 vs E119) are unions
    # of finer parts: the atoms are the parts, each label covers its own
    refined = {d: refine(cats[d]) for d in dims}
    cats = {d: refined[d].parts for d in dims}
    mpops = {p: pops.get(p) for p in {c.population for _, _, _, cells in members for c in cells}}
    for p in list(mpops):
        q = mpops[p]
        while q is not None and q not in mpops:
            mpops[q] = pops.get(q)
            q = mpops[q]
    segs, covers = _segments(mpops)
    shape = [len(segs)] + [len(cats[d]) for d in dims]
    n = int(np.prod(shape))
    first = next(t for t, h, _, _ in members if not h)
    if n > pol.differencing_max_atoms:
        ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path,
                location={"population": root},
                en=f"The linked tables of population {root!r} span {n} finest cells (more than "
                   f"{pol.differencing_max_atoms}): differencing must be checked by the reviewer.",
                zh=f"母體 {root!r} 的關聯表格共涵蓋 {n} 個最細格（超過 {pol.differencing_max_atoms}），"
                   "差分風險須由審查人檢查。")
        return
    seg_index = {s: k for k, s in enumerate(segs)}

    strides = [int(np.prod(shape[k + 1:])) for k in range(len(shape))]

    def atoms(population: str, coords: dict, parts: dict | None = None,
              own: bool = False) -> np.ndarray:
        """Sorted flat indices of the atoms a cell covers (the product of its parts); ``own``:
        only the population's own segment (its persons outside every nested population)."""
        sl: list = [[seg_index[population]] if own else [seg_index[s] for s in covers[population]]]
        for d in dims:
            if parts and d in parts:
                sl.append(parts[d])
            else:
                sl.append(refined[d].cover[coords[d]] if d in coords
                          else range(len(cats[d])))
        flat = np.zeros(1, dtype=np.int64)
        for k, part in enumerate(sl):
            flat = (flat[:, None] + np.asarray(part, dtype=np.int64) * strides[k]).ravel()
        return np.unique(flat)

    def vector(population: str, coords: dict, parts: dict | None = None,
               own: bool = False) -> np.ndarray:
        mask = np.zeros(n)
        mask[atoms(population, coords, parts, own)] = 1.0
        return mask

    rows, b, hist_rows, targets = [], [], [], []
    for _, hist, _, cells in members:
        for c in cells:
            idx = atoms(c.population, c.coords)
            if c.value is None:
                if not hist:
                    targets.append((c, idx))
                continue
            rows.append(idx)
            b.append(c.value)
            hist_rows.append(hist)
    if not rows:
        return
    if not targets and all(len(r) == 1 for r in rows):
        # every atom is published on its own and nothing is hidden: whatever a reader derives
        # is a sum of published cells, which the threshold rule has judged already (unless two
        # tables disagree on one atom: that goes on to the inconsistency finding)
        seen_atom: dict[int, float] = {}
        if all(seen_atom.setdefault(int(r[0]), v) == v for r, v in zip(rows, b)):
            return
    bv = np.array(b, dtype=float)
    from scipy.sparse import csr_matrix

    A = csr_matrix((np.ones(sum(len(r) for r in rows)),
                    (np.repeat(np.arange(len(rows)), [len(r) for r in rows]), np.concatenate(rows))),
                   shape=(len(rows), n))
    # zero cells pin their atoms to zero (non-negativity): drop those atoms
    zero_atoms = np.zeros(n, dtype=bool)
    for r, v in zip(rows, bv):
        if v == 0:
            zero_atoms[r] = True
    keep = ~zero_atoms
    Ak = A[:, np.flatnonzero(keep)]

    def dense(idx) -> np.ndarray:
        v = np.zeros(n)
        v[idx] = 1
        return v[keep]

    width = pol.suppression_min_width
    if n > pol.differencing_exact_atoms:
        # large system: LP only (sparse HiGHS), for the hidden cells; no exhaustive scan
        from scipy.optimize import linprog   # lazy: a one-table check never needs it

        ok = linprog(np.zeros(Ak.shape[1]), A_eq=Ak, b_eq=bv, bounds=(0, None), method="highs")
        if ok.status != 0:
            _inconsistent(ctx, first, root)
            return
        ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path,
                location={"population": root, "atoms": n},
                en=f"The linked tables of population {root!r} span {n} finest cells: hidden cells were "
                   "checked by LP, but derived small cells were not searched exhaustively.",
                zh=f"母體 {root!r} 的關聯表格涵蓋 {n} 個最細格：已以線性規劃檢查遮蔽格，"
                   "但未完整搜尋可推得的小格。")
        for c, idx in targets[:pol.differencing_max_lp]:
            if zero_atoms[idx].all():
                lo = hi = 0.0
            else:
                lo, hi = lp_interval(Ak, bv, dense(idx))
            _report_target(ctx, c, lo, hi, width)
        if len(targets) > pol.differencing_max_lp:
            ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path,
                    location={"population": root},
                    en=f"{len(targets) - pol.differencing_max_lp} more hidden cells were not checked "
                       "for differencing (system too large).",
                    zh=f"另有 {len(targets) - pol.differencing_max_lp} 個遮蔽格因系統過大未做差分檢查。")
        return
    A = A.toarray()
    Ak = A[:, keep]
    targets = [(c, _full(idx, n)) for c, idx in targets]

    def nullspace(M):
        if M.shape[0] == 0:
            return np.eye(M.shape[1])
        u, s, vt = np.linalg.svd(M, full_matrices=True)
        rank = int((s > 1e-9 * max(1.0, s.max() if len(s) else 1)).sum())
        return vt[rank:].T

    N = nullspace(Ak)
    x0, *_ = np.linalg.lstsq(Ak, bv, rcond=None)
    if np.abs(Ak @ x0 - bv).max(initial=0) > 1e-6:
        _inconsistent(ctx, first, root)
        return
    hist_mask = np.array(hist_rows)
    Nh = nullspace(Ak[hist_mask]) if hist_mask.any() else None
    tol = 1e-7

    def determined(vec, Nmat):
        return Nmat.shape[1] == 0 or np.abs(vec[keep] @ Nmat).max() < tol

    for c, vec in targets:
        if zero_atoms[vec > 0].all():
            lo = hi = 0.0
        elif determined(vec, N):
            lo = hi = float(vec[keep] @ x0)
        else:
            lo, hi = lp_interval(Ak, bv, vec[keep])
        _report_target(ctx, c, lo, hi, width)
    # small quantities that become derivable
    published = {A[k].tobytes() for k in range(len(A))} | {v.tobytes() for _, v in targets}
    candidates: dict[bytes, tuple[np.ndarray, Cell]] = {}
    m = pol.min_units_per_cell
    seen_patterns = []
    for _, hist, _, cells in members:
        for c in cells:
            seen_patterns.append((c, frozenset(c.coords.items())))
    leftovers = {d: refined[d].leftovers() for d in dims}
    for c, pat in seen_patterns:
        coords = dict(pat)
        for s in segs:
            vec = vector(s, coords) if s in covers else None
            if vec is not None:
                candidates.setdefault(vec.tobytes(), (vec, c))
                # the pattern on the segment's own persons alone (parent minus nested), summed
                # over the variables only one side publishes: a one-way table of sex later than
                # a crosstab of sex by arm gives away the persons the crosstab left out
                if len(covers[s]) > 1:
                    vec = vector(s, coords, own=True)
                    candidates.setdefault(vec.tobytes(), (vec, c))
            # what a wide band leaves after its published sub-bands (<20 minus 0-9, 10-18)
            for d, lab in coords.items():
                left = leftovers.get(d, {}).get(lab)
                if left:
                    vec = vector(s, coords, {d: left})
                    candidates.setdefault(vec.tobytes(), (vec, c))
    if n <= 5000:
        for idx in itertools.product(*[range(k) for k in shape]):
            vec = np.zeros(n)
            vec[np.ravel_multi_index(idx, shape)] = 1
            candidates.setdefault(vec.tobytes(), (vec, seen_patterns[0][0]))
    reported = 0
    for key, (vec, c) in candidates.items():
        if key in published or reported >= 20:
            continue
        if zero_atoms[vec > 0].all() or not determined(vec, N):
            continue
        val = float(vec[keep] @ x0)
        if not (0.5 <= val < m - 0.5):
            continue
        if Nh is not None and determined(vec, Nh):
            continue          # already derivable from earlier releases alone
        req_cell = c if not c.from_history else next(
            (cc for cc, _ in seen_patterns if not cc.from_history), c)
        desc = _describe(vec, shape, segs, dims, cats)
        reported += 1
        # a split between columns declared to count the same persons (persons vs visits) is
        # not a sub-population for sure: the reviewer judges what its difference counts
        split = soft and len({k for k in np.unravel_index(np.flatnonzero(vec > 0), shape)[0]}) < len(segs)
        ctx.add(rule=RULE, check=CHECK, severity="review" if split else "block",
                file=req_cell.table.path,
                location={"derived": desc, "value": round(val, 6)},
                en=f"Differencing reveals a cell of {val:g} unit(s) (fewer than {m}): {desc}."
                   + (" The two counts were declared to be of the same persons, so the reviewer "
                      "judges whether their difference counts persons." if split else ""),
                zh=f"透過差分可推得一個僅 {val:g} 個單位的儲存格（少於 {m}）：{desc}。"
                   + ("兩計數宣告為同一母體，請審查人判斷其差值是否為人數。" if split else ""))


def _full(idx: np.ndarray, n: int) -> np.ndarray:
    v = np.zeros(n)
    v[idx] = 1
    return v


def _inconsistent(ctx: Context, first: Table, root: str) -> None:
    ctx.add(rule=RULE, check=CHECK, severity="review", file=first.path,
            location={"population": root},
            en="The linked tables of this population are inconsistent with each other (their "
               "totals do not add up): the reviewer checks whether they count the same persons.",
            zh="此母體的關聯表格彼此不一致（總數無法相加吻合）：請審查人確認是否計算相同對象。")


def _report_target(ctx: Context, c: "Cell", lo: float, hi: float, width: float) -> None:
    if hi - lo >= width:
        return
    lo, hi = round(lo, 6), round(hi, 6)
    how = f"recovered exactly ({lo:g})" if hi == lo else f"narrowed to [{lo:g}, {hi:g}]"
    ctx.add(rule=RULE, check=CHECK, severity="block", file=c.table.path,
            location={**c.table.location(c.row, c.column), "interval": [lo, hi]},
            en=f"This suppressed cell is {how} from the other tables of the request and the "
               "case's earlier releases.",
            zh=f"此遮蔽儲存格可由本申請的其他表格與本案先前釋出的資料"
               f"{'精確推得（' + format(lo, 'g') + '）' if hi == lo else f'推得範圍 [{lo:g}, {hi:g}]'}。")


def _describe(vec, shape, segs, dims, cats) -> str:
    idx = np.array(np.unravel_index(np.flatnonzero(vec > 0), shape))
    parts = []
    s = sorted({segs[k] for k in idx[0]})
    parts.append("population " + (" + ".join(s) if len(s) < len(segs) else "all") +
                 (" (own persons only)" if len(s) < len(segs) and len(segs) > 1 else ""))
    for k, d in enumerate(dims):
        vals = sorted({cats[d][i] for i in idx[k + 1]})
        if len(vals) < len(cats[d]):
            parts.append(f"{d}={'/'.join(vals)}")
    return ", ".join(parts)
