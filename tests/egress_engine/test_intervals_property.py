"""Property: on random two-way tables, max-flow intervals equal LP bounds, and every pattern
the engine proposes leaves each primary cell an attacker interval at least the policy width."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st
from scipy.optimize import linprog

from egress_review.engine.linear import Grid, Network, protect


def _lp(x, supp, i, j):
    R, C = x.shape
    A, b = [], []
    for r in range(R):
        v = np.zeros(R * C); v[r * C:(r + 1) * C] = 1; A.append(v); b.append(x[r].sum())
    for c in range(C):
        v = np.zeros(R * C); v[c::C] = 1; A.append(v); b.append(x[:, c].sum())
    for r, c in zip(*np.nonzero(~supp)):
        v = np.zeros(R * C); v[r * C + c] = 1; A.append(v); b.append(x[r, c])
    t = np.zeros(R * C); t[i * C + j] = 1
    lo = linprog(t, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    hi = linprog(-t, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    return round(lo.fun), (round(-hi.fun) if hi.status == 0 else float("inf"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), R=st.integers(2, 7), C=st.integers(2, 6))
def test_protect_is_wide_and_flows_equal_lp(seed, R, C):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 40, size=(R, C)).astype(float)
    x[rng.random((R, C)) < 0.25] = rng.integers(1, 6)
    primary = (x > 0) & (x < 6)
    g = Grid(x=x, supp=np.zeros_like(primary), row_tot=x.sum(1), col_tot=x.sum(0), tot=x.sum(),
             row_supp=np.zeros(R, bool), col_supp=np.zeros(C, bool), tot_supp=False)
    supp, net, iv, exact, ok = protect(g, primary, width=6)
    for i, j in zip(*np.nonzero(primary)):
        e = net.edge_of_cell(i, j)
        exact_iv = net.intervals([e])[e]
        assert exact_iv == _lp(x, supp, i, j)
        if ok:
            assert exact_iv[1] - exact_iv[0] >= 6
            assert exact_iv[0] <= iv[e][0] and iv[e][1] <= exact_iv[1]
