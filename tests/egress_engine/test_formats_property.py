"""Issue 20, done-when: a random table with one cell under the threshold, rendered into every
format a researcher could hand out, is never ``pass``; all cells safe, it passes in CSV, xlsx,
Parquet and a notebook output."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.egress_engine import formats_fixtures as fx
from tests.egress_engine.conftest import make_request

LABELS = ["north", "south", "east", "west", "central", "Taipei", "Kaohsiung", "islands",
          "北區", "南區", "東區", "urban", "rural", "clinic level", "medical centre"]
COUNT_HEADERS = ["n", "count", "patients", "persons", "人數", "No. of patients", "cases"]
M = 6   # the policy's min_units_per_cell (EgressPolicy default)


@st.composite
def tables(draw, small: bool):
    k = draw(st.integers(2, 6))
    labels = draw(st.lists(st.sampled_from(LABELS), min_size=k, max_size=k, unique=True))
    counts = draw(st.lists(st.integers(M, 50_000), min_size=k, max_size=k))
    if small:
        counts[draw(st.integers(0, k - 1))] = draw(st.integers(1, M - 1))
    header = draw(st.sampled_from(COUNT_HEADERS))
    return pd.DataFrame({"region": labels, header: counts})


def render(df: pd.DataFrame) -> dict[str, tuple[str | bytes, str]]:
    """The table in every format: name -> (content, manifest kind)."""
    label, count = df.columns
    sentence = " ".join(f"In the {r} region there were {n:,} patients." for r, n in
                        zip(df[label], df[count]))
    return {
        "t.csv": (df.to_csv(index=False), "text"),
        "t.xlsx": (fx.xlsx_bytes(df), "text"),
        "t.parquet": (fx.parquet_bytes(df), "text"),
        "t.json": (json.dumps({count: dict(zip(df[label], map(int, df[count])))},
                              ensure_ascii=False), "text"),
        "t.html": (fx.html_report(df), "text"),
        "t.md": ("# Results\n\n" + fx.markdown_table(df), "text"),
        "t.ipynb": (fx.notebook([fx.display(df)]), "notebook"),
        "t.txt": (sentence, "text"),
    }


def verdicts(df: pd.DataFrame, names=None) -> dict[str, str]:
    out = {}
    for name, (content, kind) in render(df).items():
        if names and name not in names:
            continue
        with tempfile.TemporaryDirectory() as d:
            r = make_request(Path(d), {name: content},
                             [{"path": name, "kind": kind, "description": "results"}])
        out[name] = r.verdict
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(small=True))
def test_one_small_cell_is_never_passed_in_any_format(df):
    v = verdicts(df)
    assert all(x != "pass" for x in v.values()), (df.to_dict("list"), v)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(small=False))
def test_the_same_table_all_safe_passes_in_the_table_formats(df):
    v = verdicts(df, {"t.csv", "t.xlsx", "t.parquet", "t.ipynb"})
    assert all(x == "pass" for x in v.values()), (df.to_dict("list"), v)
