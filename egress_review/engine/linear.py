"""Linear structure of count tables: margins as a flow network, attacker intervals, patterns.

A two-way table with margins is a circulation: source → row r (row total), row r → column c
(cell), column c → sink (column total), sink → source (grand total).  Every additive relation
of the table is flow conservation at a node, so the values an attacker can give a suppressed
cell (knowing the published cells and that counts are non-negative) are exactly those of
feasible circulations.  The network matrix is totally unimodular, so integer and LP bounds agree.
For a suppressed edge e = u→v at a feasible point x: the largest increase is the max flow from
v to u in the residual graph of the other suppressed edges (forward: unbounded, backward: x),
the largest decrease the max flow from u to v (at most x).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Grid:
    """An R×C table with optional margins.  ``None`` in a margin means 'not published'.

    ``x`` holds the values (true values when known, else NaN for suppressed cells);
    ``supp`` the suppression mask of the interior; ``row_supp``/``col_supp``/``tot_supp``
    those of the margins (True also when the margin is not in the table at all).
    """
    x: np.ndarray
    supp: np.ndarray
    row_tot: np.ndarray
    col_tot: np.ndarray
    tot: float
    row_supp: np.ndarray
    col_supp: np.ndarray
    tot_supp: bool
    row_labels: list = field(default_factory=list)
    col_labels: list = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return self.x.shape


class Network:
    """The circulation network of a Grid, with every edge's index, endpoints and value."""

    def __init__(self, g: Grid):
        R, C = g.shape
        self.R, self.C = R, C
        self.n = 2 + R + C
        s, t = 0, 1
        rows = np.arange(R) + 2
        cols = np.arange(C) + 2 + R
        ii, jj = np.meshgrid(np.arange(R), np.arange(C), indexing="ij")
        # edge arrays: interior (R*C), row totals (R), column totals (C), grand total (1)
        self.u = np.concatenate([rows[ii.ravel()], np.full(R, s), cols, [t]])
        self.v = np.concatenate([cols[jj.ravel()], rows, np.full(C, t), [s]])
        self.val = np.concatenate([g.x.ravel(), g.row_tot, g.col_tot, [g.tot]]).astype(float)
        self.supp = np.concatenate([g.supp.ravel(), g.row_supp, g.col_supp, [g.tot_supp]])
        self.kind = np.array(["cell"] * (R * C) + ["row_total"] * R + ["col_total"] * C + ["total"])

    def edge_of_cell(self, i: int, j: int) -> int:
        return i * self.C + j

    def describe(self, e: int) -> dict:
        R, C = self.R, self.C
        if e < R * C:
            return {"kind": "cell", "i": int(e // C), "j": int(e % C)}
        if e < R * C + R:
            return {"kind": "row_total", "i": int(e - R * C)}
        if e < R * C + R + C:
            return {"kind": "col_total", "j": int(e - R * C - R)}
        return {"kind": "total"}

    def feasible_point(self) -> np.ndarray:
        """Values for the unknown edges that satisfy every published relation (one LP)."""
        val = self.val.copy()
        unk = np.flatnonzero(self.supp)
        if not len(unk):
            return val
        known = ~self.supp
        # conservation: for each node, inflow - outflow = 0
        A = np.zeros((self.n, len(unk)))
        for k, e in enumerate(unk):
            A[self.v[e], k] += 1
            A[self.u[e], k] -= 1
        b = np.zeros(self.n)
        ke = np.flatnonzero(known)
        np.add.at(b, self.v[ke], -val[ke])
        np.add.at(b, self.u[ke], val[ke])
        from scipy.optimize import linprog   # lazy: scipy.optimize takes long to import

        res = linprog(np.zeros(len(unk)), A_eq=A, b_eq=b, bounds=(0, None), method="highs")
        if res.status != 0:
            raise ValueError("the published cells are inconsistent (no non-negative completion)")
        val[unk] = np.round(res.x)
        return val

    def intervals(self, targets, val: np.ndarray | None = None, cap: float | None = None):
        """[lo, hi] an attacker derives for each target edge (hi = inf when unbounded)."""
        if val is None:
            val = self.val if not np.isnan(self.val[self.supp]).any() else self.feasible_point()
        unk = np.flatnonzero(self.supp)
        big = int(np.nansum(np.abs(val[~np.isnan(val)])) * 2 + 10) if cap is None else int(cap) + 1
        big = min(big, 2**30)
        # residual graph: forward u->v (increase, 'big'), backward v->u (decrease, value)
        fu = np.concatenate([self.u[unk], self.v[unk]])
        fv = np.concatenate([self.v[unk], self.u[unk]])
        cap_ = np.concatenate([np.full(len(unk), big), np.round(val[unk]).astype(np.int64)])
        if len(unk) <= _SMALL_RESIDUAL:
            return self._intervals_small(targets, val, big, fu, fv, cap_)
        from scipy.sparse import csr_matrix       # lazy: scipy costs start-up time
        from scipy.sparse.csgraph import maximum_flow

        m = csr_matrix((cap_.astype(np.int32), (fu, fv)), shape=(self.n, self.n))
        m.sum_duplicates()
        m.sort_indices()
        indptr, indices = m.indptr, m.indices

        def pos(a, b):
            lo, hi = indptr[a], indptr[a + 1]
            k = lo + np.searchsorted(indices[lo:hi], b)
            return k if k < hi and indices[k] == b else -1

        out = {}
        for e in targets:
            a, b, x = int(self.u[e]), int(self.v[e]), int(round(val[e]))
            pf, pb = pos(a, b), pos(b, a)
            saved_f = m.data[pf] if pf >= 0 else 0
            saved_b = m.data[pb] if pb >= 0 else 0
            # remove e's own residual capacity (other parallel edges cannot exist here)
            if pf >= 0:
                m.data[pf] = max(0, saved_f - big) if self.supp[e] else saved_f
            if pb >= 0:
                m.data[pb] = max(0, saved_b - x) if self.supp[e] else saved_b
            up = maximum_flow(m, b, a).flow_value
            down = min(x, maximum_flow(m, a, b).flow_value)
            if pf >= 0:
                m.data[pf] = saved_f
            if pb >= 0:
                m.data[pb] = saved_b
            hi = float("inf") if up >= big else x + up
            out[e] = (x - down, hi)
        return out


    def _intervals_small(self, targets, val, big: int, fu, fv, cap_) -> dict:
        """The same bounds with a plain augmenting-path max flow: the residual graph holds only
        the hidden edges, usually a few dozen, where importing scipy's graph module would cost
        more than the whole audit (the researcher's pre-check starts in under a second)."""
        base: dict[int, dict[int, int]] = {}
        for a, b, c in zip(fu.tolist(), fv.tolist(), cap_.tolist()):
            row = base.setdefault(a, {})
            row[b] = row.get(b, 0) + int(c)
            base.setdefault(b, {})
        out = {}
        for e in targets:
            a, b, x = int(self.u[e]), int(self.v[e]), int(round(val[e]))
            graph = {k: dict(v) for k, v in base.items()}
            if self.supp[e]:       # remove e's own residual capacity
                if b in graph.get(a, {}):
                    graph[a][b] = max(0, graph[a][b] - big)
                if a in graph.get(b, {}):
                    graph[b][a] = max(0, graph[b][a] - x)
            up = _max_flow({k: dict(v) for k, v in graph.items()}, b, a)
            down = min(x, _max_flow(graph, a, b))
            hi = float("inf") if up >= big else x + up
            out[e] = (x - down, hi)
        return out


# hidden edges up to which the audit's max flows run in plain Python (see _intervals_small);
# measured: 100 hidden cells 0.044 s plain vs 0.039 s scipy (plus 0.16 s to import it), 200: 0.29 vs 0.08 s
_SMALL_RESIDUAL = 120


def _max_flow(graph: dict[int, dict[int, int]], s: int, t: int) -> int:
    """Edmonds-Karp on a residual capacity map (changed in place); 0 when s or t is absent."""
    from collections import deque

    if s == t or s not in graph or t not in graph:
        return 0
    flow = 0
    while True:
        parent = {s: s}
        queue = deque([s])
        while queue and t not in parent:
            u = queue.popleft()
            for v, c in graph[u].items():
                if c > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if t not in parent:
            return flow
        push, v = None, t
        while v != s:
            u = parent[v]
            push = graph[u][v] if push is None else min(push, graph[u][v])
            v = u
        v = t
        while v != s:
            u = parent[v]
            graph[u][v] -= push
            graph[v][u] = graph[v].get(u, 0) + push
            v = u
        flow += push


def wide_enough(lo: float, hi: float, width: float) -> bool:
    return hi - lo >= width


_CERT_TOP = 12


def _top_hidden(cache: dict, key: int, hidden: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Indices of the largest hidden cells of one line (cached per audit): one more than
    ``_CERT_TOP`` so the cell's own index can be dropped."""
    got = cache.get(key)
    if got is None:
        idx = np.flatnonzero(hidden)
        got = idx[np.argsort(-values[idx], kind="stable")[:_CERT_TOP + 1]]
        cache[key] = got
    return got


def rectangle_certificate(x: np.ndarray, supp: np.ndarray, i: int, j: int, tops=None):
    """Best 2×2 alternating cycle of hidden cells through (i, j): (up, down) room, or None.

    Moving t around (i,j)+, (i,j')-, (i',j)-, (i',j')+ keeps every margin, so the attacker's
    interval for (i, j) contains [x - down, x + up]: a certified lower bound on its width.
    """
    R, C = x.shape
    if R < 2 or C < 2:
        return None
    # only rows hidden in column j and columns hidden in row i can close a rectangle: work on
    # that (usually tiny) sub-matrix instead of the whole table
    # the widest rectangles use the largest hidden cells of the line: looking at the top few
    # keeps this cheap on heavily suppressed tables; a miss only sends the cell to max-flow
    tops = tops if tops is not None else ({}, {})
    rows = _top_hidden(tops[0], j, supp[:, j], x[:, j])
    rows = rows[rows != i][:_CERT_TOP]
    cols = _top_hidden(tops[1], i, supp[i, :], x[i, :])
    cols = cols[cols != j][:_CERT_TOP]
    if not len(rows) or not len(cols):
        return None
    r2 = rows[:, None]
    sub = supp[r2, cols]
    if not sub.any():
        return None
    up = np.minimum(x[i, cols][None, :], x[rows, j][:, None])
    d = np.where(sub, np.minimum(x[i, j], x[r2, cols]), -np.inf)
    w = up + d
    k = int(np.argmax(w))
    if not np.isfinite(w.flat[k]):
        return None
    return float(up.flat[k]), float(d.flat[k])


def audit(net: Network, primaries, width: float, x: np.ndarray | None = None,
          supp: np.ndarray | None = None):
    """Interval of each primary edge and the ones narrower than ``width``.

    A cell certified wide by a rectangle of hidden cells needs no max-flow; its entry is the
    certified sub-interval, marked inexact.  Everything else gets the exact max-flow bounds.
    Returns ({edge: (lo, hi)}, [narrow edges], {edge: exact?}).
    """
    iv: dict = {}
    exact: dict = {}
    rest = []
    tops: tuple = ({}, {})
    for e in primaries:
        cert = None
        if x is not None and e < net.R * net.C:
            i, j = divmod(int(e), net.C)
            cert = rectangle_certificate(x, supp, i, j, tops)
        if cert is not None and cert[0] + cert[1] >= width:
            v = float(x.flat[int(e)])
            iv[e] = (v - cert[1], v + cert[0])
            exact[e] = False
        else:
            rest.append(e)
    if rest:
        got = net.intervals(rest)
        iv.update(got)
        exact.update({e: True for e in rest})
    bad = [e for e in primaries if not wide_enough(*iv[e], width)]
    return iv, bad, exact


def protect(g: Grid, primary: np.ndarray, width: float, max_rounds: int = 50):
    """Complementary suppression for a Grid whose interior ``primary`` cells must be hidden.

    Each failing primary cell gets the cheapest rectangle (i,j),(i,j'),(i',j),(i',j') whose
    alternating cycle gives it room ``width``; the audit then decides (certificate or exact
    max-flow), and cells are added until every primary interval is wide enough.
    Returns (supp mask, network, intervals, exact flags, ok).
    """
    x = g.x.astype(float)
    supp = g.supp | primary
    R, C = x.shape
    prim_cells = list(zip(*np.nonzero(primary)))
    for _ in range(max_rounds):
        net = Network(Grid(x=x, supp=supp, row_tot=g.row_tot, col_tot=g.col_tot, tot=g.tot,
                           row_supp=g.row_supp, col_supp=g.col_supp, tot_supp=g.tot_supp))
        prim_edges = [net.edge_of_cell(i, j) for i, j in prim_cells]
        iv, bad, exact = audit(net, prim_edges, width, x, supp)
        if not bad:
            return supp, net, iv, exact, True
        changed = False
        for e in bad:
            i, j = divmod(int(e), C)
            if R < 2 or C < 2:
                # one-way table: hide the smallest other cell in the line
                line = x[:, j] if C == 1 else x[i, :]
                mask = supp[:, j] if C == 1 else supp[i, :]
                cand = np.where(~mask, line, np.inf)
                k = int(np.argmin(cand))
                if np.isinf(cand[k]):
                    continue
                if C == 1:
                    supp[k, j] = True
                else:
                    supp[i, k] = True
                changed = True
                continue
            a = x[i, :]                 # (i, j') candidates
            b = x[:, j]                 # (i', j) candidates
            room = np.minimum(a[None, :], b[:, None]) + np.minimum(x[i, j], x)
            cost = (np.where(supp[i, :], 0, a)[None, :] + np.where(supp[:, j], 0, b)[:, None]
                    + np.where(supp, 0, x))
            cost = cost + 1e-3 * (~supp).astype(float)      # prefer cells already hidden
            valid = room >= width
            valid[i, :] = False
            valid[:, j] = False
            if not valid.any():
                valid = np.ones_like(valid)
                valid[i, :] = False
                valid[:, j] = False
                cost = -room            # nothing wide enough: take the widest
            cost = np.where(valid, cost, np.inf)
            ii, jj = np.unravel_index(int(np.argmin(cost)), cost.shape)
            for (p, q) in ((i, jj), (ii, j), (ii, jj)):
                if not supp[p, q]:
                    supp[p, q] = True
                    changed = True
        if not changed:
            break
    net = Network(Grid(x=x, supp=supp, row_tot=g.row_tot, col_tot=g.col_tot, tot=g.tot,
                       row_supp=g.row_supp, col_supp=g.col_supp, tot_supp=g.tot_supp))
    prim_edges = [net.edge_of_cell(i, j) for i, j in prim_cells]
    iv, bad, exact = audit(net, prim_edges, width, x, supp)
    return supp, net, iv, exact, not bad


def lp_interval(A_eq: np.ndarray, b_eq: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """min and max of target·x subject to A_eq x = b_eq, x ≥ 0 (HiGHS)."""
    from scipy.optimize import linprog

    lo = linprog(target, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    hi = linprog(-target, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if lo.status == 2 or hi.status == 2:
        raise ValueError("infeasible system")
    low = lo.fun if lo.status == 0 else 0.0
    high = -hi.fun if hi.status == 0 else float("inf")
    return float(low), float(high)
