"""E3 differencing across tables that band a variable differently (issue 13).

One table releases ages 20-29, another 20-24 and 25-28: the reader subtracts and learns the
number of 29-year-olds.  The same for a region and its districts, an ICD-10 block and its
codes, open-ended bands ("65+" vs 65-74/75-84), within one request, against the case's
earlier releases, and within one table's own subtotal rows.  Benign re-bandings (fine bands
that add up, nothing small left over) still pass."""
from __future__ import annotations

import pytest

from egress_review.engine.category_sets import interval, nested_sets, refine
from tests.egress_engine.conftest import (COUNT, G, by, derives, one_release_history, one_table,
                                          pins,
                                          said, table)




def _small_derived(r) -> list:
    return [f for f in by(r, check="differencing", severity="block")
            if 0 < (f.location.get("value") or 0) < 5 or f.location.get("interval")]


# (coarse label, fine labels as the other table writes them) - the fine ones leave one year out
FORMS = [
    ("20-29", ["20-24", "25-28"]),
    ("20–29", ["20–24", "25–28"]),
    ("20~29", ["20~24", "25~28"]),
    ("20至29歲", ["20至24歲", "25至28歲"]),
    ("20-29歲", ["20-24歲", "25-28歲"]),
    ("20 to 29", ["20 to 24", "25 to 28"]),
    ("20-29", ["20-24", "25", "26", "27", "28"]),
    ("≥65", ["65-74", "75-84"]),          # the 85+ are what is left
    ("65+", ["65-74", "75-84"]),
    ("65歲以上", ["65-74歲", "75-84歲"]),
    ("<20", ["0-9", "10-18"]),             # the 19-year-olds
    ("未滿20歲", ["0-9歲", "10-18歲"]),
]


@pytest.mark.parametrize("coarse, fine", FORMS)
@pytest.mark.parametrize("names", [("age", "age"), ("age", "age_band"), ("年齡", "agegrp")])
def test_coarse_minus_fine_bands_blocks(run, coarse, fine, names):
    other = ("40-49" if coarse.startswith(("<", "未滿")) else
             "20-29" if coarse.startswith("≥") or coarse.endswith(("+", "以上")) else "90-99")
    a = f"{names[0]},n\n{coarse},40\n{other},300\n"
    sizes = [18, 19] if len(fine) == 2 else [10, 9, 6, 6, 6]
    b = f"{names[1]},n\n" + "".join(f"{lab},{v}\n" for lab, v in zip(fine, sizes))
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {names[0]: G, "n": COUNT}, population="p1"),
             table("b.csv", {names[1]: G, "n": COUNT}, population="p2")])
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert derives(r, 3.0), said(r)


@pytest.mark.parametrize("coarse, fine, sizes", [
    ("E11", ["E11.0", "E11.9"], [18, 19]),
    ("E11", ["E110", "E119"], [18, 19]),
    ("臺北市", ["臺北市大安區", "臺北市中正區"], [18, 19]),
])
def test_code_hierarchies(run, coarse, fine, sizes):
    a = f"dx,n\n{coarse},40\nJ45,300\n"
    b = "dx_detail,n\n" + "".join(f"{lab},{v}\n" for lab, v in zip(fine, sizes))
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"dx": G, "n": COUNT}), table("b.csv", {"dx_detail": G, "n": COUNT})])
    assert r.verdict == "block"
    assert derives(r, 3.0)


def test_against_the_case_history(tmp_path, run):
    hist = one_release_history(tmp_path, "a.csv", "age,n\n20-29,40\n30-39,300\n",
                               table("a.csv", {"age": G, "n": COUNT}, population="last_year"))
    r = run({"b.csv": "age_band,n\n20-24,18\n25-28,19\n"},
            [table("b.csv", {"age_band": G, "n": COUNT}, population="this_year")], history=hist)
    assert r.verdict == "block"
    assert derives(r, 3.0)


def test_subtotal_rows_in_one_table(run):
    text = "age,n\n20-29,40\n20-24,18\n25-28,19\n30-39,300\n"
    r = one_table(run, text, {"age": G, "n": COUNT})
    assert r.verdict == "block"
    assert derives(r, 3.0)


def test_two_dimensional_rebanding(run):
    a = "age,sex,n\n20-29,M,40\n20-29,F,60\n30-39,M,300\n30-39,F,310\n"
    b = "age,sex,n\n20-24,M,18\n25-28,M,19\n20-24,F,30\n25-29,F,30\n"
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"age": G, "sex": G, "n": COUNT}),
             table("b.csv", {"age": G, "sex": G, "n": COUNT})])
    assert r.verdict == "block"
    hits = by(r, check="differencing", severity="block")
    assert any(f.location.get("value") == 3.0 and "29" in f.location.get("derived", "")
               for f in hits), [(f.message_en, f.location) for f in hits]


@pytest.mark.parametrize("a, b", [
    # fine bands that add up to the coarse ones: nothing left over
    ("age,n\n20-29,40\n30-39,300\n", "age,n\n20-24,18\n25-29,22\n30-34,150\n35-39,150\n"),
    # the remainder is large
    ("age,n\n20-29,40\n30-39,300\n", "age,n\n20-24,10\n25-28,10\n"),
    # disjoint bands of the same variable
    ("age,n\n20-29,40\n30-39,300\n", "age,n\n40-49,50\n50-59,60\n"),
    # codes whose children add up
    ("dx,n\nE11,40\nJ45,300\n", "dx,n\nE110,18\nE119,22\n"),
    # enumerations are no code hierarchy: r1 does not contain r10 or r100
    ("site,n\nr1,300\nr10,400\nr2,350\n", "site,n\nr100,50\nr101,60\nr10,400\n"),
    ("ward,n\n病房1,300\n病房10,400\n", "ward,n\n病房100,50\n病房101,60\n"),
    # unrelated single years and a category
    ("year,n\n2020,400\n2021,500\n", "region,n\nnorth,300\nsouth,600\n"),
])
def test_benign_rebanding_passes(run, a, b):
    ga, gb = a.split(",")[0], b.split(",")[0]
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {ga: G, "n": COUNT}), table("b.csv", {gb: G, "n": COUNT})])
    assert not _small_derived(r), [(f.message_en, f.location) for f in r.findings]
    assert r.verdict == "pass", [(f.check, f.message_en) for f in r.findings]


@pytest.mark.parametrize("label, iv", [
    ("20-29", (20, 30)), ("20至29歲", (20, 30)), ("65+", (65, float("inf"))),
    ("≥65", (65, float("inf"))), (">64", (65, float("inf"))), ("<20", (float("-inf"), 20)),
    ("19歲以下", (float("-inf"), 20)), ("未滿20歲", (float("-inf"), 20)), ("29", (29, 30)),
    ("65andover", (65, float("inf"))), ("under20", (float("-inf"), 20)),
    ("male", None), ("29-20", None), ("e11", None),
])
def test_label_intervals(label, iv):
    assert interval(label) == iv


def test_refinement_parts():
    r = refine(["20-29", "20-24", "25-28", "30-39"])
    assert r.nested and r.parts == ["20-24", "25-28", "29", "30-39"]
    assert r.cover["20-29"] == [0, 1, 2] and r.cover["30-39"] == [3]
    flat = refine(["20-29", "30-39", "M"])
    assert not flat.nested and len(flat.parts) == 3
    codes = refine(["e11", "e110", "e119", "j45"])
    assert codes.nested and codes.cover["e11"] == [0, 1, 2] and codes.parts[0] == "e11 (other)"
    assert nested_sets(frozenset({"20-29", "30-39"}), frozenset({"20-24", "25-28"}))
    assert not nested_sets(frozenset({"20-29", "30-39"}), frozenset({"40-49", "50-59"}))
    assert not nested_sets(frozenset({"m", "f"}), frozenset({"north", "south"}))


# -- tables found inside other files are linked like declared ones (issue 13) ---------------
def _as_file(kind: str, header: tuple[str, str], rows: list[tuple[str, int]]) -> tuple[str, bytes | str]:
    import io
    import json

    if kind == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "results"
        ws.append(list(header))
        for r in rows:
            ws.append(list(r))
        buf = io.BytesIO()
        wb.save(buf)
        return "sub.xlsx", buf.getvalue()
    if kind == "json":
        return "sub.json", json.dumps({header[1]: dict(rows)}, ensure_ascii=False)
    html = "<table><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>" + "".join(
        f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows) + "</table>"
    if kind == "html":
        return "sub.html", f"<html><body><h1>Results</h1>{html}</body></html>"
    if kind == "md":
        return "sub.md", f"| {header[0]} | {header[1]} |\n|---|---|\n" + "".join(
            f"| {a} | {b} |\n" for a, b in rows)
    if kind == "ipynb":
        import nbformat

        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("df")
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": html},
                                               execution_count=1)]
        nb.cells = [cell]
        return "sub.ipynb", nbformat.writes(nb)
    raise AssertionError(kind)


KINDS = {"xlsx": "text", "json": "text", "html": "text", "md": "text", "ipynb": "notebook"}


def _split(run, kind, whole: str, rows: list[tuple], description: str):
    """The CSV table ``whole`` and a second table of the same variable, ``rows``, written in
    format ``kind`` (a workbook, a notebook, prose …), checked as one request."""
    header = tuple(whole.split("\n", 1)[0].split(","))
    name, content = _as_file(kind, header, rows)
    return run({"all.csv": whole, name: content},
               [table("all.csv", {header[0]: G, "n": COUNT}),
                {"path": name, "kind": KINDS[kind], "description": description}])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_nested_pair_split_across_formats_never_passes(run, kind):
    r = _split(run, kind, "sex,n\nM,500\nF,480\n", [("M", 497), ("F", 470)], "sub-cohort")
    assert r.verdict != "pass", said(r)
    assert derives(r, 3.0), said(r)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_rebanded_pair_split_across_formats_blocks(run, kind):
    r = _split(run, kind, "age,n\n20-29,40\n30-39,300\n", [("20-24", 18), ("25-28", 19)], "fine bands")
    assert r.verdict == "block", said(r)
    assert derives(r, 3.0)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_table_in_another_format_passes(run, kind):
    r = _split(run, kind, "sex,n\nM,500\nF,480\n", [("M", 500), ("F", 480)], "same numbers")
    assert not by(r, check="differencing"), said(r)


# Decimal bands (BMI, HbA1c, lab values) and blocks of ICD-10 categories: the same subtraction.
DECIMAL_FORMS = [
    ("18.5-24.9", ["18.5-21.9", "22.0-24.4"], "30.0-34.9"),    # 24.5-24.9 left
    ("≥30.0", ["30.0-34.9", "35.0-39.9"], "18.5-24.9"),         # ≥40 left
    ("<18.5", ["<16.0", "16.0-17.9"], "25.0-29.9"),             # 18.0-18.4 left
    ("6.5-7.9", ["6.5-6.9", "7.0-7.4"], "<6.5"),                # HbA1c 7.5-7.9 left
    ("25-29", ["25.0-27.4", "27.5-28.9"], "30-34"),             # integer band, decimal sub-bands
    ("18.5–24.9", ["18.5–21.9", "22.0–24.4"], "≥25"),
]


@pytest.mark.parametrize("coarse, fine, other", DECIMAL_FORMS)
def test_decimal_bands_minus_their_sub_bands_block(run, coarse, fine, other):
    a = f"bmi,n\n{coarse},40\n{other},300\n"
    b = "bmi_group,n\n" + "".join(f"{lab},{v}\n" for lab, v in zip(fine, [18, 19]))
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"bmi": G, "n": COUNT}, population="p1"),
             table("b.csv", {"bmi_group": G, "n": COUNT}, population="p2")])
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert derives(r, 3.0)


@pytest.mark.parametrize("block, codes", [
    ("I10-I15", ["I10", "I11"]), ("I10–I15", ["I10", "I11.9"]), ("i10-15", ["I10", "I12"]),
    ("I20-I25", ["I20-I22", "I23-I24"]), ("E10-E14", ["E11", "E12.9"]), ("C00-C14", ["C01", "C02.9"]),
])
def test_blocks_of_icd_categories_minus_their_codes_block(run, block, codes):
    a = f"dx,n\n{block},40\nJ45,300\n"
    b = "dx_code,n\n" + "".join(f"{lab},{v}\n" for lab, v in zip(codes, [18, 19]))
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"dx": G, "n": COUNT}), table("b.csv", {"dx_code": G, "n": COUNT})])
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert derives(r, 3.0)


@pytest.mark.parametrize("coarse, fine", [
    (["<18.5", "18.5-24.9", "≥25"], ["<18.5", "18.5-21.9", "22.0-24.9", "≥25"]),
    (["I10-I15", "I20-I25"], ["I10-I12", "I13-I15", "I20-I25"]),
])
def test_re_bandings_that_add_up_with_nothing_small_left_pass_the_differencing_check(run, coarse, fine):
    a = "v,n\n" + "".join(f"{lab},{100 + 10 * k}\n" for k, lab in enumerate(coarse))
    sizes = {lab: 100 + 10 * k for k, lab in enumerate(coarse)}
    rows = []
    for lab in fine:
        if lab in sizes:
            rows.append((lab, sizes[lab]))
    left = {c: sizes[c] for c in coarse if c not in fine}
    for c, total in left.items():
        subs = [f for f in fine if f not in coarse and f not in dict(rows)]
        part = [f for f in subs if refine([c, f]).cover[f] != refine([c, f]).cover[c]][:2]
        rows += [(part[0], total // 2), (part[1], total - total // 2)]
    b = "v2,n\n" + "".join(f"{lab},{v}\n" for lab, v in rows)
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"v": G, "n": COUNT}), table("b.csv", {"v2": G, "n": COUNT})])
    assert not _small_derived(r), [(f.check, f.message_en, f.location) for f in r.findings]


def test_decimal_and_block_labels_are_read_as_sets():
    assert interval("18.5-24.9") == (pytest.approx(18.5), 25)
    assert nested_sets(frozenset(["<18.5", "18.5-24.9"]), frozenset(["<18.5", "18.5-21.9", "22.0-24.9"]))
    assert nested_sets(frozenset(["i10-i15", "j45"]), frozenset(["i10", "i11"]))
    assert not nested_sets(frozenset(["i10-i15"]), frozenset(["j45", "j46"]))
    assert not nested_sets(frozenset(["1.0", "1.5", "2.0"]), frozenset(["3.0", "3.5"]))   # doses


@pytest.mark.parametrize("a_rows, b_rows, small", [
    # I10-I13 and I12-I15 overlap; with I10-I15 published, the overlap I12-I13 is 40+38-75 = 3
    ([("I10-I13", 40), ("I10-I15", 75)], [("I12-I15", 38)], 3),
    # the same blocks written with en dashes / lower case / without the second letter
    ([("I10–I13", 40), ("I10–I15", 75)], [("i12-15", 38)], 3),
    # a block that overlaps two others: E10-E12 and E11-E14 with the whole E10-E14 known
    ([("E10-E12", 50), ("E10-E14", 90)], [("E11-E14", 44)], 4),
    # the overlap itself published elsewhere minus one side: I12-I13 (30), I12-I15 (32) → I14-I15 = 2
    ([("I12-I13", 30), ("J45", 300)], [("I12-I15", 32), ("I10-I11", 200)], 2),
])
def test_blocks_that_overlap_without_nesting_are_cut_at_every_boundary(run, a_rows, b_rows, small):
    a = "dx,n\n" + "".join(f"{lab},{v}\n" for lab, v in a_rows)
    b = "dx_block,n\n" + "".join(f"{lab},{v}\n" for lab, v in b_rows)
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"dx": G, "n": COUNT}), table("b.csv", {"dx_block": G, "n": COUNT})])
    assert r.verdict == "block", [(f.check, f.message_en) for f in r.findings]
    assert derives(r, float(small)), said(r)


def test_overlapping_blocks_with_nothing_small_in_any_piece_pass_the_differencing_check(run):
    a = "dx,n\nI10-I13,400\nI10-I15,750\n"
    b = "dx_block,n\nI12-I15,380\n"            # pieces 370, 30 … no: 750-380=370, 400-370=30, 350
    r = run({"a.csv": a, "b.csv": b},
            [table("a.csv", {"dx": G, "n": COUNT}), table("b.csv", {"dx_block": G, "n": COUNT})])
    assert not _small_derived(r), [(f.check, f.message_en, f.location) for f in r.findings]


def test_overlapping_blocks_and_codes_inside_them_are_parts():
    r = refine(["i10-i13", "i12-i15", "i12.9", "j45"])
    assert r.parts[:3] == ["I10-I11", "I12-I13", "I14-I15"]
    sub = r.parts.index("i12.9")
    assert sub in r.cover["i10-i13"] and sub in r.cover["i12-i15"]
    assert r.cover["i10-i13"] != r.cover["i12-i15"]
    assert nested_sets(frozenset(["i10-i13", "j45"]), frozenset(["i12-i15"]))
    assert not nested_sets(frozenset(["i10-i13"]), frozenset(["i14-i15"]))      # disjoint
