"""Property: on random two-way tables, max-flow intervals equal LP bounds, and every pattern
the engine proposes leaves each primary cell an attacker interval at least the policy width."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from egress_review.engine.linear import Grid, Network, protect
from tests.egress_engine.conftest import lp_interval


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), R=st.integers(2, 7), C=st.integers(2, 6))
def test_protect_is_wide_and_flows_equallp_interval(seed, R, C):
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
        assert exact_iv == lp_interval(x, supp, i, j)
        if ok:
            assert exact_iv[1] - exact_iv[0] >= 6
            assert exact_iv[0] <= iv[e][0] and iv[e][1] <= exact_iv[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), R=st.integers(1, 8), C=st.integers(1, 8),
       hide=st.floats(0.1, 0.8), margins=st.booleans())
def test_the_plain_max_flow_gives_scipys_bounds(seed, R, C, hide, margins):
    """Small residual graphs run a plain Edmonds-Karp (start-up time); it must give exactly
    scipy's bounds, hidden margins and unbounded cells included."""
    import egress_review.engine.linear as linear

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 30, size=(R, C)).astype(float)
    supp = rng.random((R, C)) < hide
    g = Grid(x=x, supp=supp, row_tot=x.sum(1), col_tot=x.sum(0), tot=x.sum(),
             row_supp=rng.random(R) < (0.3 if margins else 1.0),
             col_supp=rng.random(C) < (0.3 if margins else 1.0), tot_supp=not margins)
    net = Network(g)
    targets = list(np.flatnonzero(net.supp))
    small = net.intervals(targets)
    saved = linear._SMALL_RESIDUAL
    linear._SMALL_RESIDUAL = -1
    try:
        big = net.intervals(targets)
    finally:
        linear._SMALL_RESIDUAL = saved
    assert small == big
