"""pandas' ``normalize=`` and ``fill_value=`` in the helpers (issue 21: they were refused).

A proportion keeps its numerator as its units and its denominator in the sealed sidecar, so
the check applies the threshold to both; a zero or blank share goes to a reviewer; a
``fill_value`` in an empty group is read as the empty cell it is.  The tables equal pandas'."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from egress_review import safe_tables as sf
from egress_review.safe_tables.cube import HelperError
from tests.egress_engine.conftest import KEY, by


def _frame(seed=2, n=600):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"ID": rng.integers(0, 400, n), "a": rng.choice(list("xyz"), n),
                         "b": rng.choice(list("pq"), n), "v": rng.normal(size=n)})


def _check(run, t, root, name="t.csv"):
    t.save(root / name, key=KEY)
    return run({}, [t.manifest_entry(name, "shares")])


@pytest.mark.parametrize("how", [True, "all", "index", "columns", 0, 1])
@pytest.mark.parametrize("margins", [False, True])
def test_normalize_gives_pandas_table(how, margins):
    df = _frame()
    mine = sf.crosstab(df.a, df.b, normalize=how, margins=margins).to_pandas()
    ref = pd.crosstab(df.a, df.b, normalize=how, margins=margins)
    assert mine.shape == ref.shape
    assert [str(x) for x in mine.index] == [str(x) for x in ref.index]
    assert [str(x) for x in mine.columns] == [str(x) for x in ref.columns]
    assert np.allclose(mine.to_numpy(dtype=float), ref.to_numpy(dtype=float))


def test_value_counts_normalize_is_pandas_share_of_the_total():
    df = _frame()
    t = sf.value_counts(df.a, normalize=True)
    ref = df.a.value_counts(normalize=True).sort_index()
    body = t.table.set_index("a")["proportion"]
    assert np.allclose(body.loc[list(ref.index)].to_numpy(), ref.to_numpy())
    assert body.loc["All"] == pytest.approx(1.0)


@pytest.mark.parametrize("how", [True, "index", "columns"])
def test_normalized_table_with_big_cells_passes(tmp_path, run, how):
    r = _check(run, sf.crosstab(_frame().a, _frame().b, normalize=how, margins=True), tmp_path)
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]


def test_a_share_of_few_persons_blocks_on_its_numerator(tmp_path, run):
    df = _frame()
    df.loc[:2, "a"] = "w"                                   # 3 rows in a new category
    r = _check(run, sf.crosstab(df.a, df.b, normalize="columns", margins=True), tmp_path)
    hits = by(r, check="threshold", severity="block")
    assert hits and {h.location["row"] for h in hits} == {1}   # row w (sorted first)
    assert r.verdict == "block"


def test_a_share_of_a_small_total_blocks_on_its_denominator(tmp_path, run):
    """normalize='index': the row w has 4 persons: every share in it divides by 4."""
    df = pd.concat([_frame(), pd.DataFrame({"ID": [900, 901, 902, 903], "a": ["w"] * 4,
                                            "b": ["p", "p", "q", "q"], "v": 0.0})])
    df = df[df.a != "w"].pipe(lambda d: pd.concat([d, df[df.a == "w"]]))
    t = sf.crosstab(df.a, df.b, normalize="index")
    r = _check(run, t, tmp_path)
    den = [f for f in by(r, check="threshold", severity="block") if "denominator" in f.message_en]
    assert den and {f.location["row"] for f in den} == {1}


def test_zero_and_blank_shares_go_to_a_reviewer(tmp_path, run):
    df = _frame()
    df = df[~((df.a == "z") & (df.b == "q"))]               # z × q: nobody
    t = sf.crosstab(df.a, df.b, normalize="index", margins=True)
    r = _check(run, t, tmp_path)
    zero = [f for f in by(r, check="threshold", severity="review") if "Zero" in f.message_en]
    assert zero and r.verdict == "review"
    blanked = t.apply_suppression([{"row": 1, "column": "p"}])
    r2 = _check(run, blanked, tmp_path, "b.csv")
    comp = [f for f in by(r2, check="threshold", severity="review") if "complement" in f.message_en]
    assert comp and comp[0].location["row"] == 1 and r2.verdict != "pass"


def test_unsealed_shares_go_to_a_reviewer(tmp_path, run):
    t = sf.crosstab(_frame().a, _frame().b, normalize=True)
    t.save(tmp_path / "t.csv")                               # no key: computed in the kernel
    r = run({}, [t.manifest_entry("t.csv", "shares")])
    assert r.verdict != "pass"


def test_normalize_refuses_what_pandas_does_not_mean():
    df = _frame()
    with pytest.raises(HelperError):
        sf.crosstab(df.a, df.b, values=df.v, aggfunc="mean", normalize=True)
    with pytest.raises(HelperError):
        sf.crosstab(df.a, df.b, normalize="rows")
    with pytest.raises(HelperError):
        sf.crosstab(df.a, normalize=True)                   # one variable: value_counts


def test_fill_value_is_pandas_and_is_read_as_the_empty_cell(tmp_path, run):
    df = _frame()
    df = df[df.a != "z"].assign(a=lambda d: pd.Categorical(d.a, categories=list("xyz")))
    t = sf.pivot_table(df, values="v", index="a", columns="b", aggfunc="mean", fill_value=0)
    ref = pd.pivot_table(df, values="v", index="a", columns="b", aggfunc="mean", fill_value=0,
                         observed=False, dropna=False)
    got = t.table.set_index("a")[["mean | p", "mean | q"]]
    assert np.allclose(got.to_numpy(dtype=float), ref.to_numpy(dtype=float))
    assert got.loc["z"].tolist() == [0, 0]
    r = _check(run, t, tmp_path)
    empty = [f for f in r.findings if f.location.get("rule") == "zero" and f.location["row"] == 3]
    assert empty and all(f.severity == "review" for f in empty)
    assert not by(r, severity="block"), [f.message_en for f in r.findings]


def test_switching_the_sealed_denominators_off_is_caught(tmp_path, run, monkeypatch):
    """Rule switch (E2 on denominators): without them the small total passes unseen."""
    from egress_review.engine.context import Context

    df = pd.concat([_frame(), pd.DataFrame({"ID": [900, 901, 902, 903], "a": ["w"] * 4,
                                            "b": ["p", "p", "q", "q"], "v": 0.0})])
    t = sf.crosstab(df.a, df.b, normalize="index")
    monkeypatch.setattr(Context, "sealed_denominators", lambda self, table: None)
    r = _check(run, t, tmp_path)
    assert not [f for f in r.findings if "denominator" in f.message_en]
