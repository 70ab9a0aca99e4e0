"""E1, E2, E3, E6 on tables: disclosive and benign cases."""
from __future__ import annotations

import numpy as np
import pandas as pd

from egress_review.engine.linear import Grid, Network, protect
from egress_review.safe_tables import crosstab, mean
from tests.egress_engine.conftest import KEY, by, lp_interval, one_release_history

COUNT = {"age": {"role": "group"}, "n": {"role": "count"}}


def table(path, columns, **kw):
    return {"path": path, "kind": "table", "description": "t", "columns": columns, **kw}


def test_cell_of_exactly_five_blocks_and_six_passes(run):
    r = run({"t.csv": "age,n\n20-29,5\n30-39,6\n40-49,60\nAll,71\n"}, [table("t.csv", COUNT)])
    hits = by(r, check="threshold", severity="block")
    assert [(f.location["row"], f.location["column"], f.location["cell"]) for f in hits] == [(1, "n", "B2")]
    assert r.verdict == "block" and hits[0].rule == "E2" and hits[0].message_zh


def test_big_cells_pass(run):
    r = run({"t.csv": "age,n\n20-29,600\n30-39,700\nAll,1300\n"}, [table("t.csv", COUNT)])
    assert r.verdict == "pass", [f.message_en for f in r.findings]


def test_percent_checks_numerator_and_denominator(run):
    cols = {"g": {"role": "group"}, "k": {"role": "count"}, "n": {"role": "count"},
            "pct": {"role": "statistic", "statistic": "percent", "units_column": "k",
                    "denominator_column": "n"}}
    r = run({"t.csv": "g,k,n,pct\na,3,100,3.0\nb,50,100,50.0\n"}, [table("t.csv", cols)])
    assert {(f.location["row"], f.location["column"]) for f in by(r, check="threshold")} >= {(1, "pct"), (1, "k")}


def test_less_than_five_symbols_block_with_location(run):
    cols = {"age": {"role": "group"}, "n": {"role": "count"}}
    r = run({"t.csv": "age,n\na,<5\nb,≤5\nc,*\nd,-\ne,[REDACTED]\nf,NA\ng,\nh,100\n"},
            [table("t.csv", cols)])
    rows = sorted(f.location["row"] for f in by(r, check="symbols", rule="E6"))
    assert rows == [1, 2, 3, 4, 5, 6, 7]


def test_max_of_a_group_blocks_median_needs_units(run):
    cols = {"g": {"role": "group"}, "n": {"role": "count"},
            "max_cost": {"role": "statistic", "statistic": "max", "units_column": "n"},
            "med": {"role": "statistic", "statistic": "median", "units_column": "n"}}
    r = run({"t.csv": "g,n,max_cost,med\na,500,91234,300\nb,8,5000,120\n"}, [table("t.csv", cols)])
    single = by(r, check="single_unit")
    assert {(f.location["row"], f.location["column"]) for f in single} == {(1, "max_cost"), (2, "max_cost"), (2, "med")}


def test_hospital_level_table_blocks_but_hospital_grade_passes(run):
    cols = {"HOSP_ID": {"role": "group"}, "n": {"role": "count"}}
    r = run({"h.csv": "HOSP_ID,n\n3f9a0c,120\n77b1e2,300\n"}, [table("h.csv", cols)])
    assert by(r, check="institutions", rule="E3", severity="block")
    names = {"hospital": {"role": "group"}, "n": {"role": "count"}}
    r2 = run({"h2.csv": "level,n\n臺大醫院,120\n區域醫院,300\n"},
             [table("h2.csv", {"level": {"role": "group"}, "n": {"role": "count"}})])
    assert [f.location["row"] for f in by(r2, check="institutions")] == [1]
    r3 = run({"h3.csv": "level,n\n醫學中心,120\n區域醫院,300\n地區醫院,200\n"},
             [table("h3.csv", {"level": {"role": "group"}, "n": {"role": "count"}})])
    assert not by(r3, check="institutions")
    assert names  # the column-name rule is exercised above with HOSP_ID


def test_microdata_id_column_and_one_row_per_person(run):
    cols = {"ID": {"role": "group"}, "n": {"role": "count"}}
    rows = "".join(f"{'%032x' % (i * 7919)},1\n" for i in range(10))
    r = run({"m.csv": "ID,n\n" + rows}, [table("m.csv", cols)])
    assert by(r, check="microdata", rule="E1")
    assert any("single unit" in f.message_en for f in by(r, check="microdata"))


def test_undeclared_column_blocks(run):
    r = run({"t.csv": "age,n,secret\na,100,x\n"}, [table("t.csv", COUNT)])
    assert any(f.location.get("column") == "secret" for f in by(r, check="declaration"))


def test_suppressed_cell_recovered_from_a_second_table(run):
    a = "age,sex,n\n20-29,M,\n20-29,F,40\n30-39,M,50\n30-39,F,60\n"
    b = "age,n\n20-29,43\n30-39,110\n"
    entries = [table("a.csv", {"age": {"role": "group"}, "sex": {"role": "group"}, "n": {"role": "suppressed"}}),
               table("b.csv", COUNT)]
    r = run({"a.csv": a, "b.csv": b}, entries)
    hit = [f for f in by(r, check="differencing") if "interval" in f.location]
    assert hit and hit[0].location["interval"] == [3.0, 3.0] and hit[0].file == "a.csv"
    assert r.verdict == "block"
    # without table B the blank is not derivable: no differencing finding
    r2 = run({"a.csv": a}, entries[:1])
    assert not by(r2, check="differencing") and not by(r2, check="secondary", severity="block")


def test_recovered_from_release_history(tmp_path, run):
    hist = one_release_history(tmp_path, "b.csv", "age,n\n20-29,43\n30-39,110\n",
                               table("b.csv", COUNT))
    a = "age,sex,n\n20-29,M,\n20-29,F,40\n30-39,M,50\n30-39,F,60\n"
    r = run({"a.csv": a}, [table("a.csv", {"age": {"role": "group"}, "sex": {"role": "group"},
                                          "n": {"role": "suppressed"}})], history=hist)
    assert any(f.location.get("interval") == [3.0, 3.0] for f in by(r, check="differencing"))


def test_nested_populations_differing_by_less_than_threshold(run):
    cols = {"sex": {"role": "group"}, "n": {"role": "count"}}
    r = run({"all.csv": "sex,n\nM,500\nF,480\n", "sub.csv": "sex,n\nM,497\nF,470\n"},
            [table("all.csv", cols, population="cohort"),
             table("sub.csv", cols, population="no_insulin", population_within="cohort")])
    vals = sorted(f.location["value"] for f in by(r, check="differencing"))
    assert 3.0 in vals and 10.0 not in vals


def test_single_blank_with_margins_is_recovered_and_pattern_is_proposed(run):
    cols = {"age": {"role": "group"}, "n": {"role": "suppressed"}}
    r = run({"t.csv": "age,n\na,\nb,100\nc,200\nAll,303\n"}, [table("t.csv", cols)])
    f = by(r, check="secondary", severity="block")
    assert f and f[0].location["interval"] == [3, 3]


def test_secondary_suppression_intervals_verified_wide_by_independent_lp():
    rng = np.random.default_rng(7)
    x = rng.integers(20, 90, size=(6, 5)).astype(float)
    x[1, 2], x[4, 0], x[3, 3] = 2, 4, 1
    primary = (x > 0) & (x < 6)
    g = Grid(x=x, supp=np.zeros_like(primary), row_tot=x.sum(1), col_tot=x.sum(0), tot=x.sum(),
             row_supp=np.zeros(6, bool), col_supp=np.zeros(5, bool), tot_supp=False)
    supp, net, iv, exact, ok = protect(g, primary, width=6)
    assert ok and supp.sum() > primary.sum()
    # Independent check: LP over the whole table with every published cell fixed.
    for i, j in zip(*np.nonzero(primary)):
        lo, hi = lp_interval(x, supp, i, j)
        assert hi - lo >= 6
        rlo, rhi = iv[net.edge_of_cell(i, j)]
        assert lo <= rlo and rhi <= hi            # reported interval is within the attacker's
        if exact[net.edge_of_cell(i, j)]:
            assert (lo, hi) == (rlo, rhi)
        # and the exact max-flow bounds agree with the LP
        assert net.intervals([net.edge_of_cell(i, j)])[net.edge_of_cell(i, j)] == (lo, hi)
    # and an unprotected pattern (primaries only) is caught as narrow
    g2 = Grid(x=x, supp=primary.copy(), row_tot=x.sum(1), col_tot=x.sum(0), tot=x.sum(),
              row_supp=np.zeros(6, bool), col_supp=np.zeros(5, bool), tot_supp=False)
    n2 = Network(g2)
    iv2 = n2.intervals([n2.edge_of_cell(1, 2)])
    assert iv2[n2.edge_of_cell(1, 2)] == (2, 2)


def _people(n=3000, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"ID": np.arange(n).astype(str), "age": rng.choice(["a", "b", "c"], n),
                         "reg": rng.choice(["x", "y"], n), "cost": rng.gamma(2, 100, n)})


def test_edited_number_caught_via_provenance(tmp_path, run):
    t = crosstab(_people(), "age", "reg", unit="ID")
    t.save(tmp_path / "ct.csv", key=KEY)
    entry = t.manifest_entry("ct.csv", "age by region")
    r = run({}, [entry])
    assert not by(r, check="provenance"), [f.message_en for f in r.findings]
    text = (tmp_path / "ct.csv").read_text().splitlines()
    cells = text[1].split(",")
    cells[1] = "7"                                   # a small number edited up to pass
    text[1] = ",".join(cells)
    (tmp_path / "ct.csv").write_text("\n".join(text) + "\n")
    r2 = run({}, [entry])
    hit = by(r2, check="provenance", rule="E6", severity="block")
    assert hit and hit[0].location["row"] == 1 and hit[0].location["column"] == "x"
    # a forged sidecar (wrong key) is caught too
    t.save(tmp_path / "ct.csv", key=b"another-key-000000000000000000000")
    assert by(run({}, [entry]), check="provenance", severity="block")


def test_dominance_uses_provenance_contributions(tmp_path, run):
    df = _people(200)
    df.loc[df.age == "a", "cost"] = 1.0
    df.loc[df.index[df.age == "a"][0], "cost"] = 1e6      # one person dominates group a
    t = mean(df, "age", "cost", unit="ID")
    t.save(tmp_path / "m.csv", key=KEY)
    r = run({}, [t.manifest_entry("m.csv", "mean cost")])
    rows = {f.location["row"] for f in by(r, check="dominance", severity="block")}
    assert rows == {1}


def test_suggested_suppression_applied_then_passes_audit(tmp_path, run):
    rng = np.random.default_rng(21)
    n = 1000
    p = 1 / np.arange(1, 9) ** 1.8
    df = pd.DataFrame({"ID": np.arange(n).astype(str),
                       "dx": rng.choice([f"d{i}" for i in range(8)], n, p=p / p.sum()),
                       "reg": rng.choice(["n", "c", "s", "e"], n)})
    t = crosstab(df, "dx", "reg")
    t.save(tmp_path / "ct.csv", key=KEY)
    r = run({}, [t.manifest_entry("ct.csv", "dx by region")])
    prop = by(r, check="secondary", rule="E2")
    assert r.verdict == "block" and prop and prop[0].suggested_suppression
    assert "All" not in {c["column"] for c in prop[0].suggested_suppression}
    safe = t.apply_suppression(prop[0].suggested_suppression)
    safe.save(tmp_path / "ct2.csv", key=KEY)
    r2 = run({}, [safe.manifest_entry("ct2.csv", "dx by region, suppressed")])
    assert not [f for f in r2.findings if f.severity == "block"], [f.message_en for f in r2.findings]
    # the audit ran on the true values: every primary interval is recorded and wide
    audit = [a for e in r2.suppression["ct2.csv"] for a in e.get("audit", [])]
    assert audit and all((hi is None or hi - lo >= 6) for lo, hi in (a["interval"] for a in audit))
    # hiding only the primary cells is not enough: the margins give them away
    primaries = [c for c in prop[0].suggested_suppression if c["primary"]]
    weak = t.apply_suppression(primaries)
    weak.save(tmp_path / "ct3.csv", key=KEY)
    r3 = run({}, [weak.manifest_entry("ct3.csv", "primary only")])
    assert by(r3, check="secondary", rule="E3", severity="block")


def test_provenance_sidecar_itself_may_not_leave(tmp_path, run):
    t = crosstab(_people(), "age", "reg", unit="ID")
    t.save(tmp_path / "ct.csv", key=KEY)
    r = run({}, [t.manifest_entry("ct.csv", "t"),
                 {"path": "ct.csv.provenance.json", "kind": "text", "description": "sidecar"}])
    assert by(r, check="smuggling", file="ct.csv.provenance.json", severity="block")


def test_three_way_table_blank_recovered_from_its_own_margins(run):
    rows = ["a,b,c,n"]
    vals = {}
    k = 0
    for a in ("a1", "a2"):
        for b in ("b1", "b2"):
            for c in ("c1", "c2"):
                k += 1
                vals[(a, b, c)] = 10 * k
    vals[("a1", "b1", "c1")] = 3
    for key, v in vals.items():
        rows.append(",".join(key) + ("," if key == ("a1", "b1", "c1") else f",{v}"))
    # published margin over c for (a1, b1): gives the blank away
    rows.append(f"a1,b1,All,{vals[('a1', 'b1', 'c1')] + vals[('a1', 'b1', 'c2')]}")
    cols = {"a": {"role": "group"}, "b": {"role": "group"}, "c": {"role": "group"},
            "n": {"role": "suppressed"}}
    r = run({"t3.csv": "\n".join(rows) + "\n"}, [table("t3.csv", cols)])
    hit = [f for f in by(r, check="differencing") if "interval" in f.location]
    assert hit and hit[0].location["interval"] == [3.0, 3.0]


def test_large_linked_tables_use_sparse_lp(run):
    rng = np.random.default_rng(4)
    x = rng.integers(20, 200, size=(60, 40))
    x[5, 7] = 4
    head = "dx," + ",".join(f"r{j}" for j in range(40))
    body = [f"d{i}," + ",".join("" if (i, j) == (5, 7) else str(x[i, j]) for j in range(40))
            for i in range(60)]
    wide = "\n".join([head] + body) + "\n"
    margin = "dx,n\n" + "".join(f"d{i},{x[i].sum()}\n" for i in range(60))
    entries = [table("w.csv", {"dx": {"role": "group"}}, default_role={"role": "suppressed"},
                     column_group="region"),
               table("m.csv", {"dx": {"role": "group"}, "n": {"role": "count"}})]
    r = run({"w.csv": wide, "m.csv": margin}, entries)
    hit = [f for f in by(r, check="differencing", severity="block") if "interval" in f.location]
    assert hit and hit[0].location["interval"] == [4.0, 4.0] and hit[0].location["cell"] == "I7"
    assert any(f.location.get("atoms") == 2400 for f in by(r, check="differencing", severity="review"))
