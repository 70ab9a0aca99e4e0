"""Secondary suppression against tau-argus (pytauargus, HiGHS) on the same frequency table.

- tau-argus's unsafe cells under FREQ(6, 0) are exactly this engine's primary cells;
- the max-flow audit of tau-argus's own optimal pattern equals an independent LP, cell by cell;
- this engine's pattern audits wide (every primary interval ≥ the policy width) and costs no
  more than 1.5× tau-argus's optimal pattern (same cost on this table).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egress_review.engine.linear import Grid, Network, protect
from tests.egress_engine.conftest import lp_interval

tau = pytest.importorskip("pytauargus")


def _data():
    rng = np.random.default_rng(11)
    n = 4000
    p1 = 1 / np.arange(1, 13) ** 1.4
    p2 = 1 / np.arange(1, 7) ** 1.0
    return pd.DataFrame({"A": rng.choice([f"a{i:02d}" for i in range(12)], n, p=p1 / p1.sum()),
                         "B": rng.choice([f"b{i}" for i in range(6)], n, p=p2 / p2.sum()),
                         "one": 1.0})


def test_against_tauargus_optimal_suppression(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the solver writes its logs (CSPlogfile, cspSCIP.*) into the cwd
    df = _data()
    res = tau.protect(df, tables=[["A", "B"]], response="one", safety_rules="FREQ(6,0)",
                      suppress="OPT(1)", workdir=str(tmp_path))
    status = {(r["A"], r["B"]): r["status"] for r in res.tables[0].rows}
    ct = pd.crosstab(df.A, df.B)
    x = ct.to_numpy().astype(float)
    R, C = x.shape
    tau_supp = np.array([[status[(a, b)] in ("U", "M") for b in ct.columns] for a in ct.index])
    tau_prim = np.array([[status[(a, b)] == "U" for b in ct.columns] for a in ct.index])
    assert not any(v in ("U", "M") for k, v in status.items() if "Total" in k)
    primary = (x > 0) & (x < 6)
    assert (tau_prim == primary).all()

    published = dict(row_tot=x.sum(1), col_tot=x.sum(0), tot=x.sum(), row_supp=np.zeros(R, bool),
                     col_supp=np.zeros(C, bool), tot_supp=False)
    net = Network(Grid(x=x, supp=tau_supp, **published))
    for i, j in zip(*np.nonzero(primary)):
        e = net.edge_of_cell(i, j)
        assert net.intervals([e])[e] == lp_interval(x, tau_supp, i, j)

    supp, net2, iv, exact, ok = protect(Grid(x=x, supp=np.zeros_like(primary), **published),
                                        primary, width=6)
    assert ok
    for i, j in zip(*np.nonzero(primary)):
        e = net2.edge_of_cell(i, j)
        lo, hi = net2.intervals([e])[e]
        assert hi - lo >= 6 and (lo, hi) == lp_interval(x, supp, i, j)
    assert x[supp].sum() <= 1.5 * x[tau_supp].sum()
