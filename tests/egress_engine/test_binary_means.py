"""E2: a small group hidden in the mean of a yes/no variable, its SD, or a percent's rest.

A probe published ``died`` = 0.025 over 120 persons as a mean (3 deaths): the only finding was
the general "dominance cannot be verified", which a reviewer clears for any mean.  Generated
here over the variable's header (English, Chinese, no name at all), the group's size, the small
count, which side of the group is small, how the value is printed (decimal, percent sign), and
the statistic that carries it (the mean, its SD, a variance); and a percent whose REST of the
group is small ("97.5 % male" of 120).  Means of continuous variables, and yes/no means whose
groups are all large, must not block.
"""
from __future__ import annotations

import math

import pytest

from tests.egress_engine.conftest import by, said

M = 6            # the policy's min_units_per_cell
G = {"role": "group"}
N = {"role": "count"}


def _stat(statistic: str, units: str = "n") -> dict:
    return {"role": "statistic", "statistic": statistic, "units_column": units}


def _run(run, csv: str, columns: dict):
    return run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": "t",
                                 "columns": columns}])


def _blocked_at(r, check: str, column: str) -> bool:
    return any(f.location.get("column") == column and f.location.get("row") == 1
               for f in by(r, check=check, severity="block"))


NAMED = ["died", "male", "smoker", "any_icu", "readmitted_30d", "is_female", "mean_death",
         "死亡", "是否住院", "糖尿病"]
GROUPS = [120, 250, 480]
SMALL = [1, 2, 3, 5]


def _printed(p: float, n: int, how: str) -> str:
    """p printed precisely enough to tell one person in n (as a researcher's code would)."""
    digits = max(3, math.ceil(math.log10(n)) + 1)
    return f"{100 * p:.{digits - 2}f}%" if how == "pct" else f"{p:.{digits}f}"


def _named_members():
    out = []
    for name in NAMED:
        for n in GROUPS:
            for k in SMALL:
                for side in ("few", "rest"):
                    for how in ("dec", "pct"):
                        if (k + n + len(name)) % 3 and how == "pct":
                            continue      # a third of the percent forms keeps the set small
                        p = k / n if side == "few" else (n - k) / n
                        out.append(pytest.param(name, n, k, _printed(p, n, how),
                                                id=f"{name}-{n}-{k}-{side}-{how}"))
    return out


@pytest.mark.parametrize("name,n,k,value", _named_members())
def test_the_mean_of_a_named_yes_no_variable_blocks(run, name, n, k, value):
    csv = f"region,n,{name}\nnorth,{n},{value}\nsouth,900,0.3\n"
    r = _run(run, csv, {"region": G, "n": N, name: _stat("mean")})
    assert _blocked_at(r, "binary_means", name), said(r)
    assert any(f"group of {k}" in f.message_en for f in by(r, check="binary_means")), said(r)


def _unnamed_members():
    out = []
    for n in GROUPS:
        for k in SMALL:
            for other_n, other_k in ((300, 60), (1000, 417), (640, 321)):
                out.append(pytest.param(n, k, other_n, other_k, id=f"{n}-{k}-{other_n}-{other_k}"))
    return out


@pytest.mark.parametrize("n,k,other_n,other_k", _unnamed_members())
def test_an_unnamed_mean_that_is_a_whole_number_of_persons_in_every_row_blocks(run, n, k, other_n,
                                                                              other_k):
    digits = max(3, math.ceil(math.log10(max(n, other_n))) + 1)
    csv = (f"region,n,x\nnorth,{n},{k / n:.{digits}f}\n"
           f"south,{other_n},{other_k / other_n:.{digits}f}\n")
    r = _run(run, csv, {"region": G, "n": N, "x": _stat("mean")})
    assert _blocked_at(r, "binary_means", "x"), said(r)


@pytest.mark.parametrize("n", GROUPS)
@pytest.mark.parametrize("k", SMALL)
def test_an_unnamed_mean_alone_goes_to_the_reviewer_with_the_count(run, n, k):
    """One precise row and no name: a continuous variable could have this mean - a person
    decides, told which group it would give away (never a silent pass)."""
    digits = max(3, math.ceil(math.log10(n)) + 1)
    csv = f"region,n,x\nnorth,{n},{k / n:.{digits}f}\nsouth,900,0.31\n"
    r = _run(run, csv, {"region": G, "n": N, "x": _stat("mean")})
    found = by(r, check="binary_means")
    assert found and r.verdict in ("review", "block"), said(r)
    assert any(f"group of {k}" in f.message_en for f in found), said(r)


def _sd(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) * n / (n - 1))


@pytest.mark.parametrize("n", GROUPS)
@pytest.mark.parametrize("k", SMALL)
@pytest.mark.parametrize("how", ["sd_with_mean", "sd_named_alone", "variance_named_alone"])
def test_a_dispersion_of_a_yes_no_variable_blocks(run, n, k, how):
    p = k / n
    if how == "sd_with_mean":      # the mean is unnamed: the SD beside it shows it is 0/1
        csv = f"region,n,mean_x,sd_x\nnorth,{n},{p:.5f},{_sd(p, n):.5f}\nsouth,900,0.31,0.2\n"
        cols = {"region": G, "n": N, "mean_x": _stat("mean"), "sd_x": _stat("std")}
        col = "mean_x"
    elif how == "sd_named_alone":
        csv = f"region,n,mean_age,sd_died\nnorth,{n},61.2,{_sd(p, n):.5f}\nsouth,900,60.4,0.3\n"
        cols = {"region": G, "n": N, "mean_age": _stat("mean"), "sd_died": _stat("std")}
        col = "sd_died"
    else:
        csv = f"region,n,var_male\nnorth,{n},{_sd(p, n) ** 2:.6f}\nsouth,900,0.2\n"
        cols = {"region": G, "n": N, "var_male": _stat("std")}
        col = "var_male"
    r = _run(run, csv, cols)
    assert _blocked_at(r, "binary_means", col), said(r)


@pytest.mark.parametrize("n", GROUPS)
@pytest.mark.parametrize("k", SMALL)
@pytest.mark.parametrize("scale", [100, 1])
def test_a_percent_whose_rest_of_the_group_is_small_blocks(run, n, k, scale):
    p = (n - k) / n * scale
    csv = f"region,n,pct_male\nnorth,{n},{p:.4f}\nsouth,900,{0.5 * scale:g}\n"
    r = _run(run, csv, {"region": G, "n": N, "pct_male": _stat("percent")})
    assert _blocked_at(r, "structure", "pct_male"), said(r)


ORDINARY = [
    ("mean_age", ["63.4", "58.1", "71.9"]),
    ("mean_cost", ["15234.7", "9981.2", "20017.5"]),
    ("mean_ratio", ["0.4172", "0.5531", "0.6619"]),       # continuous, never whole persons
    ("died", ["0.250", "0.200", "0.150"]),                 # yes/no, every group large
    ("male", ["0.48", "0.51", "0.5"]),
    ("死亡", ["0.3", "0.25", "0.5"]),
    ("mean_los", ["7.25", "6.5", "8.0"]),
]


@pytest.mark.parametrize("name,values", ORDINARY, ids=[o[0] for o in ORDINARY])
def test_ordinary_means_do_not_block(run, name, values):
    rows = "".join(f"{g},{n},{v}\n" for g, n, v in zip(("north", "south", "east"), (120, 400, 640),
                                                        values))
    r = _run(run, f"region,n,{name}\n{rows}", {"region": G, "n": N, name: _stat("mean")})
    assert not by(r, check="binary_means"), said(r)
    assert r.verdict != "block", said(r)


@pytest.mark.parametrize("pct", ["50.0", "97.0", "100.0", "0.0", "62.5"])
def test_ordinary_percents_whose_rest_is_large_or_empty_pass_the_structure_check(run, pct):
    r = _run(run, f"region,n,pct_male\nnorth,200,{pct}\nsouth,900,50\n",
             {"region": G, "n": N, "pct_male": _stat("percent")})
    assert not by(r, check="structure", severity="block"), said(r)


@pytest.mark.parametrize("header", ["mortality", "30-day mortality", "case fatality", "risk",
                                    "死亡率", "mean_died", "sd died"])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_a_share_in_a_table_inside_a_document_blocks(run, header, k):
    """The same shares in a Markdown table of a text file (read by unit_tables)."""
    n = 240
    p = k / n
    if header.startswith("sd"):
        value = _sd(p, n)
    else:
        value = f"{p:.4f}"
    md = (f"| region | n | {header} |\n|---|---|---|\n| north | {n} | {value} |\n"
          f"| south | 900 | 0.31 |\n")
    r = run({"r.md": md}, [{"path": "r.md", "kind": "text", "description": "results"}])
    assert r.verdict == "block" and any(
        f.severity == "block" and f.check in ("binary_means", "structure") for f in r.findings), said(r)


@pytest.mark.parametrize("header", ["relative risk", "risk ratio", "risk difference", "hazard ratio",
                                    "risk score"])
def test_estimates_named_with_risk_are_not_read_as_shares(run, header):
    md = (f"| region | n | {header} |\n|---|---|---|\n| north | 240 | 0.0125 |\n"
          f"| south | 900 | 0.31 |\n")
    r = run({"r.md": md}, [{"path": "r.md", "kind": "text", "description": "results"}])
    assert not [f for f in r.findings if f.severity == "block" and f.check in ("binary_means", "structure")], said(r)


# A dispersion column is read every way its declaration or its header allows: the header's
# words are matched whole ("covariate" is no variance), and a standard error of a 0/1
# variable (√(p(1 − p)/(N − 1))) is a share too, whatever the column was declared.
READINGS = [("sd_died_covariate_adjusted", "std", "sd"), ("died_sd_invariant", "std", "sd"),
            ("se_died", "std", "se"), ("died_sem", "std", "se"), ("died SE", "mean", "se"),
            ("male_stderr", "std", "se"), ("死亡_標準誤", "std", "se"), ("sd_male", "mean", "sd"),
            ("var_smoker", "std", "variance"), ("smoker_variance", "std", "variance")]


def _printed_dispersion(p: float, n: int, kind: str) -> str:
    sd = _sd(p, n)
    return f"{sd * sd:.7f}" if kind == "variance" else f"{sd / math.sqrt(n):.6f}" if kind == "se" \
        else f"{sd:.6f}"


@pytest.mark.parametrize("n", GROUPS)
@pytest.mark.parametrize("k", SMALL)
@pytest.mark.parametrize("header,declared,kind", READINGS, ids=[r[0] for r in READINGS])
def test_a_dispersion_is_read_every_way_its_header_and_declaration_allow(run, n, k, header,
                                                                          declared, kind):
    value = _printed_dispersion(k / n, n, kind)
    csv = f"region,n,mean_age,{header}\nnorth,{n},61.2,{value}\nsouth,900,60.4,0.3\n"
    r = _run(run, csv, {"region": G, "n": N, "mean_age": _stat("mean"), header: _stat(declared)})
    assert _blocked_at(r, "binary_means", header), said(r)


@pytest.mark.parametrize("header,values", [("se_age", ["0.82", "0.41", "0.33"]),
                                           ("se_died", ["0.0418", "0.0200", "0.0181"]),
                                           ("sd_covariate_score", ["1.31", "1.12", "0.98"])])
def test_ordinary_standard_errors_do_not_block(run, header, values):
    rows = "".join(f"{g},{n},{v}\n" for g, n, v in zip(("north", "south", "east"), (120, 400, 640),
                                                        values))
    r = _run(run, f"region,n,{header}\n{rows}", {"region": G, "n": N, header: _stat("std")})
    assert not by(r, check="binary_means", severity="block"), said(r)
