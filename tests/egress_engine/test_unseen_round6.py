"""Unseen outputs, round 6 (rules E1 person keys as groups, E2 small counts however written, E3
differencing of shares over a stated total): the gaps a red team left open, closed as classes.

Each class is generated from fixed lists (no randomness), through ``check_request`` as every
request is, with safe counterparts that must not block:

- (d) person keys as group values: a table by IP address, chart number, national ID shape,
  phone number, date of birth or exact timestamp is a table of persons (``identifier_groups``);
- (a) a percent-only table whose total is printed in a title, a total row's label, a footnote or
  the header: its counts are share × total, for the small-cell check and for differencing;
- (b) a two-line table (a header and one row of counts) is a count table;
- (c) unnamed number vectors in programs and printouts: counts when the context says so, else a
  person decides, told why;
- (e) statistics and writings that give a small count back (cumulative columns, Roman numerals
  and bars of characters in a count column).
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table


def _text(run, body: str, ext: str = "md", kind: str = "text"):
    name = f"out.{ext}"
    return run({name: body}, [{"path": name, "kind": kind, "description": "results"}])


# ---- (d) person keys as group values -------------------------------------------------------
KEYS = {
    "ipv4": ["192.168.1.23", "10.0.4.7", "172.16.9.1"],
    "ipv6": ["2001:db8::1", "fe80::1ff:fe23:4567:890a", "2001:db8:0:1::7"],
    "chart": ["0045123", "0088134", "0012703"],
    "mrn": ["MRN004512", "MRN008813", "MRN001270"],
    "病歷號": ["病歷號 1234567", "病歷號 7654321", "病歷號 1122334"],
    "national_id": ["A123456789", "F223456781", "B187654320"],
    "resident_id": ["AB12345678", "CD23456789", "A800000001"],
    "mobile": ["0912-345-678", "0933456789", "+886 912 345 679"],
    "dob": ["1985-03-14", "1990-11-02", "1978-07-30"],
    "dob_slash": ["1985/03/14", "1990/11/02", "1978/07/30"],
    "dob_compact": ["19850314", "19901102", "19780730"],
    "timestamp": ["2020-03-14 08:31:22", "2020-03-14 09:02:51", "2020-03-15 13:45:10"],
    "iso_stamp": ["2020-03-14T08:31:22", "2020-03-14T09:02:51Z", "2020-03-15T13:45:10+08:00"],
    "minute": ["2020-03-14 08:31", "2020-03-14 09:07", "2020-03-15 13:44"],
}
KEY_CASES = [(k, h) for k in KEYS for h in ("group", "key")]


def _grouped(values, header="group", counts=(120, 130, 140)):
    return f"{header},n\n" + "".join(f"{v},{c}\n" for v, c in zip(values, counts))


@pytest.mark.parametrize("kind,header", KEY_CASES, ids=[f"{k}-{h}" for k, h in KEY_CASES])
def test_a_table_grouped_by_person_keys_blocks(run, kind, header):
    r = run({"t.csv": _grouped(KEYS[kind], header)}, [table("t.csv", {header: G, "n": COUNT})])
    assert by(r, check="identifier_groups", severity="block"), said(r)


@pytest.mark.parametrize("kind", ["ipv4", "chart", "dob", "timestamp", "national_id"])
def test_person_keys_in_a_markdown_table_block(run, kind):
    body = "| key | n |\n|---|---|\n" + "".join(f"| {v} | {c} |\n" for v, c in
                                                zip(KEYS[kind], (120, 130, 140)))
    r = _text(run, body)
    assert by(r, check="identifier_groups", severity="block"), said(r)


@pytest.mark.parametrize("header", ["date_of_birth", "birth_date", "出生日期", "DOB"])
def test_dates_under_a_birth_header_block_even_within_a_year(run, header):
    days = ["2019-03-14", "2019-03-15", "2019-03-16"]
    r = run({"t.csv": _grouped(days, header)}, [table("t.csv", {header: G, "n": COUNT})])
    assert by(r, check="identifier_groups", severity="block"), said(r)


SAFE_GROUPS = {
    "regions": ["North", "South", "East"],
    "years": ["2019", "2020", "2021"],
    "months": ["2020-01", "2020-02", "2020-03"],
    "days": ["2020-01-01", "2020-01-02", "2020-01-03"],
    "weeks_over_years": ["2019-12-23", "2019-12-30", "2020-01-06"],
    "month_starts": ["2018-01-01", "2019-01-01", "2020-01-01"],
    "hours": ["2020-03-14 08:00", "2020-03-14 09:00", "2020-03-14 10:00"],
    "quarter_hours": ["2020-03-14 08:15", "2020-03-14 08:30", "2020-03-14 08:45"],
    "icd": ["E11.9", "I10", "C34.1"],
    "zip": ["100", "220", "807"],
    "ages": ["0-17", "18-64", "65+"],
    "with_other": ["North", "Other", "Unknown"],
}


@pytest.mark.parametrize("name", list(SAFE_GROUPS))
def test_categories_dates_and_codes_are_no_person_keys(run, name):
    r = run({"t.csv": _grouped(SAFE_GROUPS[name])}, [table("t.csv", {"group": G, "n": COUNT})])
    assert not by(r, check="identifier_groups"), said(r)
    assert r.verdict == "pass", said(r)


# ---- (c) unnamed number vectors --------------------------------------------------------------
def _nb(source: str, out: str, stream: bool = False) -> str:
    import json

    o = ({"output_type": "stream", "name": "stdout", "text": out} if stream else
         {"output_type": "execute_result", "execution_count": 1, "metadata": {},
          "data": {"text/plain": out}})
    return json.dumps({"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {},
                                  "source": source, "outputs": [o]}],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


COUNTED_VECTORS = [
    ("r_barplot", "R", "x <- c(120, 3, 140)\nbarplot(x)\n"),
    ("r_table_above", "R", "tab <- table(df$region)\nx <- c(120, 3, 140)\n"),
    ("r_comment", "R", "# patients per region\nv = c(120L, 3L, 140L)\n"),
    ("r_count_name", "R", "deaths <- c(120, 3, 140)\n"),
    ("py_groupby_comment", "py", "sizes = df.groupby('region').size()\n# -> [120, 3, 140]\n"),
    ("py_value_counts", "py", "vc = df['region'].value_counts()\nx = [120, 3, 140]\n"),
    ("py_set_counts", "py", "# counts of the two arms\nv = {3, 140}\n"),
    ("py_numpy_print", "py", "print(np.bincount(codes))  # [120   3 140]\n"),
    ("py_bar", "py", "plt.bar(['N', 'S', 'E'], [120, 3, 140])\n"),
    ("py_cases_name", "py", "cases = [120, 3, 140]\n"),
    ("r_argument_under_a_comment", "R", "# patients by region\nshow(c(120, 3, 140))\n"),
    ("text_counts", "txt", "The counts were [120, 3, 140].\n"),
    ("text_patients", "txt", "Patients by region: {3, 140}.\n"),
    ("text_zh", "txt", "各區人數為 [120, 3, 140]。\n"),
    ("md_n", "md", "n by arm = [3, 140]\n"),
]


@pytest.mark.parametrize("name,ext,body", COUNTED_VECTORS, ids=[c[0] for c in COUNTED_VECTORS])
def test_a_vector_the_context_says_counts_blocks(run, name, ext, body):
    kind = {"R": "code", "py": "code"}.get(ext, "text")
    r = _text(run, body, ext=ext, kind=kind)
    assert by(r, check="number_vectors", severity="block") or \
        (r.verdict == "block" and by(r, rule="E2", severity="block")), said(r)
    assert r.verdict == "block"


NOTEBOOK_VECTORS = [
    ("groupby_values", "df.groupby('region').size().values", "array([120,   3, 140])", False),
    ("value_counts_list", "print(df.region.value_counts().tolist())", "[120, 3, 140]\n", True),
    ("crosstab_row", "print(pd.crosstab(df.a, df.b).values[0])", "[140   3]\n", True),
]


@pytest.mark.parametrize("name,src,out,stream", NOTEBOOK_VECTORS, ids=[c[0] for c in NOTEBOOK_VECTORS])
def test_a_printed_vector_under_counting_code_blocks(run, name, src, out, stream):
    r = _text(run, _nb(src, out, stream), ext="ipynb", kind="notebook")
    assert by(r, check="number_vectors", severity="block"), said(r)


UNDECIDED_VECTORS = [
    ("py_x", "py", "x = [120, 3, 140]\n"),
    ("py_set", "py", "s = {3, 140}\n"),
    ("r_plain", "R", "x <- c(120, 3, 140)\nprint(mean(x))\n"),
    ("py_np", "py", "a = np.array([120, 3, 140])\n"),
    ("text_unsorted_list", "txt", "See [120, 3, 140] for details.\n"),
]


@pytest.mark.parametrize("name,ext,body", UNDECIDED_VECTORS, ids=[c[0] for c in UNDECIDED_VECTORS])
def test_a_vector_nothing_explains_goes_to_a_person_with_the_reason(run, name, ext, body):
    kind = "code" if ext in ("py", "R") else "text"
    r = _text(run, body, ext=ext, kind=kind)
    hits = by(r, check="number_vectors", severity="review")
    assert hits and "reviewer" in hits[0].message_en, said(r)
    assert r.verdict != "pass"


CODE_WITHOUT_DATA = [
    ("codes", "py", "x = [1, 2, 3]\nfor i in range(10):\n    pass\n"),
    ("breaks", "py", "breaks = [0, 18, 65, 120]\n"),
    ("figsize_ticks", "py", "fig, ax = plt.subplots(figsize=(12, 4))\nax.set_xticks([1, 5, 10, 20])\n"),
    ("layers", "py", "model = MLP(hidden_layer_sizes=[128, 64, 3])\n"),
    ("r_par_breaks", "R", "par(mfrow = c(1, 2))\nplot(x, xlim = c(0, 100))\nhist(x, breaks = c(0, 5, 10, 50))\n"),
    ("iloc", "py", "rows = df.iloc[[3, 140]]\nval = arr[3, 14]\n"),
    ("reshape", "py", "m = a.reshape([3, 40])\n"),
    ("seed_range", "py", "np.random.seed(42)\nidx = list(range(3, 140))\n"),
    ("citation", "txt", "As shown before [3, 12, 45], outcomes vary.\n"),
    ("percentiles", "py", "q = np.percentile(x, [5, 50, 95])\n"),
    ("isin", "py", "d = df[df.day.isin([1, 15])]\n"),
    ("r_quantile", "R", "q <- quantile(x, probs = c(5, 50, 95))\n"),
    ("big_counts", "py", "# patients per region\nx = [120, 130, 140]\n"),
    ("big_counts_text", "txt", "The counts were [120, 130, 140].\n"),
]


@pytest.mark.parametrize("name,ext,body", CODE_WITHOUT_DATA, ids=[c[0] for c in CODE_WITHOUT_DATA])
def test_settings_citations_and_large_counts_are_left_alone(run, name, ext, body):
    kind = "code" if ext in ("py", "R") else "text"
    r = _text(run, body, ext=ext, kind=kind)
    assert not by(r, check="number_vectors"), said(r)


# ---- (a) a percent-only table over a stated total --------------------------------------------
ROWS_SMALL = [("North", "55.0"), ("South", "44.4"), ("East", "0.6")]      # East = 0.6% of 540 = 3
ROWS_SAFE = [("North", "55.0"), ("South", "25.0"), ("East", "20.0")]


def _md(rows, header="%", title="", note="", total=""):
    body = f"| Region | {header} |\n|---|---|\n" + "".join(f"| {a} | {b} |\n" for a, b in rows)
    if total:
        body += f"| {total} | 100.0 |\n"
    return (f"{title}\n\n" if title else "") + body + (f"\n{note}\n" if note else "")


STATED_TOTALS = [
    ("title_en", dict(title="Table 2. Region of residence (N = 540)")),
    ("title_zh", dict(title="表2 居住地區分布（共540人）")),
    ("title_n_colon", dict(title="Region, n: 540")),
    ("total_row", dict(total="Total (n=540)")),
    ("total_row_zh", dict(total="合計（N=540）")),
    ("footnote", dict(note="n=540")),
    ("footnote_words", dict(note="Note: N = 540 patients.")),
    ("header", dict(header="% (N=540)")),
    ("header_percent_word", dict(header="Percent (n = 540)")),
    ("header_zh", dict(header="百分比（共540人）")),
]


@pytest.mark.parametrize("name,kw", STATED_TOTALS, ids=[c[0] for c in STATED_TOTALS])
def test_a_share_of_a_stated_total_gives_its_count_away(run, name, kw):
    r = _text(run, _md(ROWS_SMALL, **kw))
    assert r.verdict == "block", said(r)
    assert any(f.location.get("value") in ("0.6", "3") for f in r.findings if f.severity == "block"), said(r)


@pytest.mark.parametrize("name,kw", STATED_TOTALS, ids=[c[0] for c in STATED_TOTALS])
def test_shares_of_a_stated_total_with_no_small_count_pass(run, name, kw):
    r = _text(run, _md(ROWS_SAFE, **kw))
    assert r.verdict == "pass", said(r)


def test_a_title_row_in_a_csv_inside_a_text_file_states_the_total(run):
    body = "地區分布（共540人）\nregion,pct\nNorth,55.0\nSouth,44.4\nEast,0.6\n"
    r = _text(run, body, ext="csv", kind="text")
    assert r.verdict == "block", said(r)


OLD_COUNTS = "region,n\nNorth,297\nSouth,240\n"                         # 537 persons
NEW_SHARES = [("North", "55.6"), ("South", "44.4")]                        # of 540: 300, 240


@pytest.mark.parametrize("name,kw", STATED_TOTALS[:8], ids=[c[0] for c in STATED_TOTALS[:8]])
def test_shares_over_a_total_are_differenced_against_earlier_counts(tmp_path, run, name, kw):
    hist = one_release_history(tmp_path, "old.csv", OLD_COUNTS, table("old.csv", {"region": G, "n": COUNT}))
    r = run({"out.md": _md(NEW_SHARES, **kw)}, [{"path": "out.md", "kind": "text", "description": "r"}],
            history=hist)
    assert 3 in [f.location.get("value") for f in by(r, check="differencing", severity="block")], said(r)


@pytest.mark.parametrize("name,kw", STATED_TOTALS[:8], ids=[c[0] for c in STATED_TOTALS[:8]])
def test_earlier_shares_over_a_total_are_differenced_against_new_counts(tmp_path, run, name, kw):
    hist = one_release_history(tmp_path, "old.md", _md(NEW_SHARES, **kw),
                               {"path": "old.md", "kind": "text", "description": "r"})
    r = run({"t.csv": OLD_COUNTS}, [table("t.csv", {"region": G, "n": COUNT})], history=hist)
    assert by(r, check="differencing", severity="block"), said(r)


def test_shares_far_from_earlier_counts_pass(tmp_path, run):
    hist = one_release_history(tmp_path, "old.csv", "region,n\nNorth,200\nSouth,140\n",
                               table("old.csv", {"region": G, "n": COUNT}))
    r = run({"out.md": _md(NEW_SHARES, header="% (N=540)")},
            [{"path": "out.md", "kind": "text", "description": "r"}], history=hist)
    assert not by(r, check="differencing", severity="block"), said(r)


def test_coarse_shares_of_a_large_total_pin_no_count_and_pass(run):
    # 0.05% of 54 000 is 27 persons: the printed shares fix no count exactly
    rows = [("North", "55.0"), ("South", "25.0"), ("East", "20.0")]
    r = _text(run, _md(rows, header="% (N=54000)"))
    assert r.verdict == "pass", said(r)


# ---- (b) two-line tables ---------------------------------------------------------------------
TWO_LINES = [
    ("md_across", "md", "| North | South | East |\n|---|---|---|\n| 120 | 140 | 3 |\n"),
    ("md_across_zh", "md", "| 北區 | 南區 | 東區 |\n|---|---|---|\n| 120 | 140 | 3 |\n"),
    ("txt_csv", "txt", "North,South,East\n120,140,3\n"),
    ("txt_tab", "txt", "North\tSouth\tEast\n120\t140\t3\n"),
    ("txt_semicolon", "txt", "Nord;Süd;Ost\n120;140;3\n"),
    ("txt_pipes", "txt", "North|South|East\n120|140|3\n"),
    ("txt_count_headers", "txt", "n_north,n_south,n_east\n120,140,3\n"),
    ("log_csv", "log", "arm_a,arm_b\n140,4\n"),
    ("txt_row_total", "txt", "East 3\nTotal 263\n"),
    ("txt_row_total_colon", "txt", "East: 3\nTotal: 263\n"),
    ("txt_row_total_zh", "txt", "東區：3\n合計：263\n"),
    ("md_row_total", "md", "| region | n |\n|---|---|\n| East | 3 |\n| Total | 263 |\n"),
    ("csv_in_text_row_total", "csv", "region,n\nEast,3\nTotal,263\n"),
]


@pytest.mark.parametrize("name,ext,body", TWO_LINES, ids=[c[0] for c in TWO_LINES])
def test_a_two_line_table_with_a_small_count_blocks(run, name, ext, body):
    r = _text(run, body, ext=ext)
    assert r.verdict == "block", said(r)
    assert by(r, check="threshold", severity="block"), said(r)


TWO_LINES_SAFE = [
    ("across_large", "txt", "North,South,East\n120,140,300\n"),
    ("md_across_large", "md", "| North | South | East |\n|---|---|---|\n| 120 | 140 | 300 |\n"),
    ("row_total_large", "txt", "East 30\nTotal 263\n"),
    ("estimates_across", "md", "| OR | p |\n|---|---|\n| 1.52 | 0.03 |\n"),
    ("decimals_across", "txt", "North,South,East\n1.2,0.4,3.5\n"),
    ("sentence_lines", "txt", "The study ran from 2015 to 2020.\nFollow-up ended in 2021.\n"),
]


@pytest.mark.parametrize("name,ext,body", TWO_LINES_SAFE, ids=[c[0] for c in TWO_LINES_SAFE])
def test_two_line_tables_without_a_small_count_do_not_block(run, name, ext, body):
    r = _text(run, body, ext=ext)
    assert r.verdict != "block", said(r)


# ---- (e) statistics and writings that give a small count back --------------------------------
CUMULATIVE = [
    ("cumulative_n", "year,cumulative_n\n2018,120\n2019,123\n2020,250\n"),
    ("cum_cases", "month,cum_cases\n2020-01,40\n2020-02,44\n2020-03,90\n"),
    ("running_total", "week,running_total\nW1,60\nW2,61\nW3,80\n"),
    ("累計人數", "年,累計人數\n2018,120\n2019,125\n2020,250\n"),
    ("to_date", "quarter,patients_to_date\nQ1,200\nQ2,202\nQ3,260\n"),
    ("by_stratum", "sex,year,cumulative_n\nF,2019,100\nF,2020,103\nM,2019,100\nM,2020,150\n"),
]


@pytest.mark.parametrize("name,text", CUMULATIVE, ids=[c[0] for c in CUMULATIVE])
def test_a_cumulative_column_whose_step_is_small_blocks(run, name, text):
    header = text.split("\n", 1)[0].split(",")
    cols = {h: G for h in header[:-1]} | {header[-1]: COUNT}
    r = run({"t.csv": text}, [table("t.csv", cols)])
    assert by(r, check="cumulative", severity="block"), said(r)


@pytest.mark.parametrize("name,text", CUMULATIVE[:4], ids=[c[0] for c in CUMULATIVE[:4]])
def test_a_cumulative_column_in_a_markdown_table_blocks(run, name, text):
    lines = [ln.split(",") for ln in text.strip().split("\n")]
    body = "| " + " | ".join(lines[0]) + " |\n|" + "---|" * len(lines[0]) + "\n" + \
        "".join("| " + " | ".join(r) + " |\n" for r in lines[1:])
    r = _text(run, body)
    assert by(r, check="cumulative", severity="block"), said(r)


CUMULATIVE_SAFE = [
    ("large_steps", "year,cumulative_n\n2018,120\n2019,180\n2020,250\n", True),
    ("not_cumulative", "year,n\n2018,120\n2019,123\n2020,250\n", False),
    ("strata_apart", "sex,year,cumulative_n\nF,2019,100\nF,2020,150\nM,2019,103\nM,2020,160\n", True),
    ("with_total", "year,cumulative_n\n2018,120\n2019,180\nTotal,183\n", True),
]


@pytest.mark.parametrize("name,text,cum", CUMULATIVE_SAFE, ids=[c[0] for c in CUMULATIVE_SAFE])
def test_cumulative_columns_with_large_steps_and_plain_counts_pass(run, name, text, cum):
    header = text.split("\n", 1)[0].split(",")
    cols = {h: G for h in header[:-1]} | {header[-1]: COUNT}
    r = run({"t.csv": text}, [table("t.csv", cols)])
    assert not by(r, check="cumulative"), said(r)


WRITTEN_COUNTS = [
    ("roman", "| region | n |\n|---|---|\n| North | CXX |\n| East | III |\n"),
    ("roman_patients", "| region | patients |\n|---|---|\n| North | CXL |\n| East | IV |\n"),
    ("roman_zh", "| 地區 | 人數 |\n|---|---|\n| 北區 | CXX |\n| 東區 | II |\n"),
    ("bars_hash", "| region | n |\n|---|---|\n| North | ############ |\n| East | ### |\n"),
    ("bars_pipe", "| region | cases |\n|---|---|\n| North | |||||||||||| |\n| East | || |\n".replace(
        "| |||||||||||| |", "| ▇▇▇▇▇▇▇▇▇▇▇▇ |").replace("| || |", "| ▇▇ |")),
    ("bars_block", "| region | count |\n|---|---|\n| North | ████████████ |\n| East | ████ |\n"),
    ("bars_star_csv", "region,n\nNorth,************\nEast,***\n"),
    ("mark_with_total", "| region | n |\n|---|---|\n| North | 120 |\n| South | 140 |\n| East | <5 |\n| Total | 263 |\n"),
    ("mark_range_with_total", "| region | n |\n|---|---|\n| North | 120 |\n| South | 140 |\n| East | 1-5 |\n| Total | 263 |\n"),
    ("mark_le", "region,n\nNorth,120\nSouth,140\nEast,≤5\nTotal,263\n"),
]


@pytest.mark.parametrize("name,body", WRITTEN_COUNTS, ids=[c[0] for c in WRITTEN_COUNTS])
def test_counts_written_as_numerals_bars_or_marks_block(run, name, body):
    ext = "csv" if name.endswith("_csv") or name == "mark_le" else "md"
    r = _text(run, body, ext=ext)
    assert r.verdict == "block", said(r)


WRITTEN_SAFE = [
    ("stages", "| stage | n |\n|---|---|\n| I | 120 |\n| II | 140 |\n| III | 130 |\n"),
    ("grades", "| grade | patients |\n|---|---|\n| Grade III | 120 |\n| Grade IV | 140 |\n"),
    ("large_bars", "| region | n |\n|---|---|\n| North | ############ |\n| East | ########## |\n"),
    ("large_roman", "| region | n |\n|---|---|\n| North | CXX |\n| East | XL |\n"),
]


@pytest.mark.parametrize("name,body", WRITTEN_SAFE, ids=[c[0] for c in WRITTEN_SAFE])
def test_roman_labels_and_long_bars_pass(run, name, body):
    r = _text(run, body)
    assert r.verdict == "pass", said(r)


STATISTICS = [
    ("binary_mean", "txt", "Proportion female: mean 0.0123 (n = 243)\n"),
    ("three_decimals", "txt", "The proportion with HIV was 0.012 among 250 patients.\n"),
    ("median_of_three", "md", "| group | n | median age |\n|---|---|---|\n| A | 3 | 54 |\n| B | 120 | 61 |\n"),
    ("percent_of_small_total", "txt", "Of the 4 patients in Penghu, 75% died.\n"),
    ("words", "txt", "North: 120 patients; East: three patients.\n"),
    ("header_counts", "md", "| | North (n=120) | East (n=3) |\n|---|---|---|\n| mean age | 61.2 | 55.0 |\n"),
    ("transposed", "md", "| | North | South | East |\n|---|---|---|---|\n| n | 120 | 140 | 3 |\n"),
]


@pytest.mark.parametrize("name,ext,body", STATISTICS, ids=[c[0] for c in STATISTICS])
def test_statistics_that_give_a_small_count_back_block(run, name, ext, body):
    r = _text(run, body, ext=ext)
    assert r.verdict == "block", said(r)


STATISTICS_UNDECIDED = [
    ("odds_ratio_cells", "Odds ratio 12.5 (95% CI 1.3-120.4); exposed cases 2, exposed controls 40.\n"),
    ("range", "Age range 23-97 years (n=540).\n"),
]


@pytest.mark.parametrize("name,body", STATISTICS_UNDECIDED, ids=[c[0] for c in STATISTICS_UNDECIDED])
def test_statistics_that_may_give_a_person_away_never_pass(run, name, body):
    r = _text(run, body, ext="txt")
    assert r.verdict != "pass", said(r)


SAFE_STATISTICS = [
    ("regression", "Logistic regression, n = 5400\nage OR 1.02 (95% CI 1.01-1.03)\nsex OR 0.91 (0.85-0.98)\n"),
    ("mean", "Mean age was 61.2 years (SD 12.3) among 5,400 patients.\n"),
    ("share", "Of the 5,400 patients, 42.1% were women.\n"),
]


@pytest.mark.parametrize("name,body", SAFE_STATISTICS, ids=[c[0] for c in SAFE_STATISTICS])
def test_summaries_on_large_n_pass(run, name, body):
    r = _text(run, body, ext="txt")
    assert r.verdict == "pass", said(r)


FOUND_KEY_TABLES = [
    ("json_ip_map", "json", '{"192.168.1.23": 120, "10.0.4.7": 130, "172.16.9.1": 140}'),
    ("json_id_records", "json", '[{"id": "A123456789", "n": 120}, {"id": "F223456781", "n": 130}]'),
    ("notebook_series_by_dob", "ipynb", _nb("df.groupby('dob').size()",
                                             "dob\n1985-03-14    120\n1990-11-02    130\n"
                                             "1978-07-30    140\ndtype: int64")),
    ("yaml_stamps", "yaml", '"2020-03-14 08:31:22": 120\n"2020-03-14 09:02:51": 130\n'),
]


@pytest.mark.parametrize("name,ext,body", FOUND_KEY_TABLES, ids=[c[0] for c in FOUND_KEY_TABLES])
def test_person_keys_in_maps_records_and_printouts_block(run, name, ext, body):
    r = _text(run, body, ext=ext, kind="notebook" if ext == "ipynb" else "text")
    assert by(r, check="identifier_groups", severity="block"), said(r)


def test_a_map_by_region_or_month_has_no_person_keys(run):
    r = _text(run, '{"2020-01": 120, "2020-02": 130, "2020-03": 140}', ext="json")
    assert not by(r, check="identifier_groups"), said(r)
