"""Unseen outputs, round 12 (rule E3: no result identifies a person or an institution, alone or
combined with earlier releases; E4/E6: outputs that pass when declared misleadingly).

Probed from outside through ``check_request`` with the case's release history:

- (a) the same data in another unit: a release of percents over a stated N (an ``N`` column
  repeating the total, ``pct (N=185)`` in the header, ``N = 185`` in the description, a
  units column) and a later release of counts - or counts first, percents later - that differ
  by a few persons in one cell.  Before this round these passed: differencing linked count
  columns only (``share_counts``: the percents are read as the counts they fix, share × N,
  when the printed precision fixes each count; a column that only repeats N counts no row);
- (b) differencing shapes that already held, kept as regression tests: an age band shifted
  by a year, a date window extended by a day, "all except X", the same table at two
  thresholds, a total stated in an earlier release's prose, nested subsets over releases;
- (c) institutions: names, name variants, abbreviations, 醫事機構代碼, region × level ×
  beds, "the largest hospital in Hualien" (en/zh), one institution in a cell;
- (d) misleading declarations: a table declared a figure, code or model; "synthetic",
  「模擬資料」 or a zero-width-split label on real small counts; a rounding base the cells
  do not follow; claims declared for counts of persons;
- (e) a category less a named part ("South excluding Lanyu", 「南區，蘭嶼除外」) against that
  category released earlier: read as the category it is cut from (``linking.complement_base``).

Every attack has a safe counterpart that must pass, or go to review with its reason said.
"""
from __future__ import annotations

import pytest

from egress_review.engine.history import ReleaseHistory
from egress_review.manifest import parse_manifest
from tests.egress_engine.conftest import COUNT, G, by, said, table

PCT = {"role": "statistic", "statistic": "percent", "units_column": "N"}
PCT_BARE = {"role": "statistic", "statistic": "percent"}


def _history(tmp_path, releases):
    """Released requests, each a list of (name, text, manifest entry)."""
    items = []
    for k, files in enumerate(releases):
        d = tmp_path / f"released{k}"
        d.mkdir()
        for name, text, _ in files:
            (d / name).write_text(text, encoding="utf-8")
        items.append((parse_manifest({"version": 1, "case_code": "R-TEST", "purpose": "p",
                                      "files": [e for _, _, e in files]}), d))
    return ReleaseHistory.from_released(items)


def _blocked_by_difference(r, value):
    return r.verdict == "block" and any(
        f.location.get("value") == value for f in by(r, check="differencing", severity="block"))


def _safe(r):
    return r.verdict == "pass", said(r)


# ---- (a) percents over N, then counts (and the other way round) ---------------------------------
COUNTS_A50_B60_C70 = "region,n\nA,50\nB,60\nC,70\n"
# each released form states A 50, B 60, C 75 (185 persons) to the printed precision
PERCENTS_OF_185 = {
    "N column repeated": ("region,pct,N\nA,27.0,185\nB,32.4,185\nC,40.5,185\n",
                          {"region": G, "pct": PCT_BARE, "N": COUNT}),
    "N as units column": ("region,pct,N\nA,27.0,185\nB,32.4,185\nC,40.5,185\n",
                          {"region": G, "pct": PCT, "N": COUNT}),
    "N in the header": ("region,pct (N=185)\nA,27.0\nB,32.4\nC,40.5\n",
                        {"region": G, "pct (N=185)": PCT_BARE}),
    "N in Chinese header": ("地區,百分比（N=185）\nA,27.0\nB,32.4\nC,40.5\n",
                            {"地區": G, "百分比（N=185）": PCT_BARE}),
    "percent signs": ("region,share,N\nA,27.03%,185\nB,32.43%,185\nC,40.54%,185\n",
                      {"region": G, "share": PCT, "N": COUNT}),
    "with a total row": ("region,pct,N\nA,27.0,185\nB,32.4,185\nC,40.5,185\nTotal,100.0,185\n",
                         {"region": G, "pct": PCT, "N": COUNT}),
    "two decimals of 1850 scaled": ("region,pct,N\nA,27.03,185\nB,32.43,185\nC,40.54,185\n",
                                    {"region": G, "pct": PCT, "N": COUNT}),
}


@pytest.mark.parametrize("case", list(PERCENTS_OF_185))
def test_percents_released_then_counts_a_few_away_block(tmp_path, run, case):
    text, cols = PERCENTS_OF_185[case]
    h = _history(tmp_path, [[("old.csv", text, table("old.csv", cols))]])
    r = run({"t.csv": COUNTS_A50_B60_C70}, [table("t.csv", {"region": G, "n": COUNT})], history=h)
    assert _blocked_by_difference(r, 5), said(r)


def test_percents_with_n_in_the_description_then_counts_block(tmp_path, run):
    h = _history(tmp_path, [[("old.csv", "region,pct\nA,27.0\nB,32.4\nC,40.5\n",
                              table("old.csv", {"region": G, "pct": PCT_BARE},
                                    description="share by region (N = 185)"))]])
    r = run({"t.csv": COUNTS_A50_B60_C70}, [table("t.csv", {"region": G, "n": COUNT})], history=h)
    assert _blocked_by_difference(r, 5), said(r)


@pytest.mark.parametrize("case", ["N as units column", "percent signs", "with a total row"])
def test_counts_released_then_percents_a_few_away_block(tmp_path, run, case):
    text, cols = PERCENTS_OF_185[case]
    h = _history(tmp_path, [[("old.csv", COUNTS_A50_B60_C70,
                              table("old.csv", {"region": G, "n": COUNT}))]])
    r = run({"t.csv": text}, [table("t.csv", cols)], history=h)
    assert _blocked_by_difference(r, 5), said(r)


def test_percents_over_two_releases_then_counts_do_not_pass(tmp_path, run):
    """A part of the cohort released as counts, the whole as percents, then counts 3 away: held
    (blocked, or reviewed with the pair and the 3 persons named), never passed."""
    h = _history(tmp_path, [
        [("a.csv", "region,n\nA,50\nB,60\n", table("a.csv", {"region": G, "n": COUNT}))],
        [("b.csv", "region,pct,N\nA,27.0,185\nB,32.4,185\nC,40.5,185\n",
          table("b.csv", {"region": G, "pct": PCT, "N": COUNT}))]])
    r = run({"t.csv": "region,n\nA,50\nB,60\nC,72\n"}, [table("t.csv", {"region": G, "n": COUNT})],
            history=h)
    assert r.verdict != "pass" and any(
        f.location.get("value") == 3 and "b.csv:pct × N" in str(f.location.get("pair", f.message_en))
        for f in by(r, check="differencing") + by(r, check="nested_pairs")), said(r)


SAME_OR_FAR = {
    # the percents state exactly the counts: nothing new is revealed
    "same persons": ("region,pct,N\nA,27.8,180\nB,33.3,180\nC,38.9,180\n", COUNTS_A50_B60_C70),
    # another cohort, every cell far apart
    "far apart": ("region,pct,N\nA,25.0,280\nB,35.0,280\nC,40.0,280\n", COUNTS_A50_B60_C70),
    # whole percents of 185 fix no count (27 % is 49 or 50 persons): no view, nothing linked
    "coarse percents": ("region,pct,N\nA,27,185\nB,32,185\nC,41,185\n", COUNTS_A50_B60_C70),
}


@pytest.mark.parametrize("case", list(SAME_OR_FAR))
def test_percents_and_counts_that_reveal_nothing_pass(tmp_path, run, case):
    pct, counts = SAME_OR_FAR[case]
    pct_entry = table("p.csv", {"region": G, "pct": PCT, "N": COUNT})
    count_entry = table("c.csv", {"region": G, "n": COUNT})
    r = run({"c.csv": counts}, [count_entry], history=_history(tmp_path, [[("p.csv", pct, pct_entry)]]))
    assert _safe(r)[0], said(r)
    (tmp_path / "second").mkdir()
    r = run({"p.csv": pct}, [pct_entry],
            history=_history(tmp_path / "second", [[("c.csv", counts, count_entry)]]))
    assert _safe(r)[0], said(r)


def test_a_percent_table_alone_passes(run):
    r = run({"t.csv": "region,pct,N\nA,27.0,185\nB,32.4,185\nC,40.5,185\n"},
            [table("t.csv", {"region": G, "pct": PCT, "N": COUNT})])
    assert _safe(r)[0], said(r)


# ---- (b) differencing shapes that held: regression tests ----------------------------------------
HELD = {
    "age band shifted by a year": ("age,n\n20-39,300\n40-64,280\n65+,90\n",
                                   "age,n\n20-40,302\n41-64,278\n65+,90\n", 2),
    "date window a day longer": ("period,n\n2020-01-01 to 2020-06-30,400\n",
                                 "period,n\n2020-01-01 to 2020-07-01,402\n", 2),
    "all except one island": ("region,n\nAll,500\n", "region,n\nAll except Lanyu,498\n", 2),
    "same table at two thresholds": ("region,n\nA,50\nB,60\nC,12\n", "region,n\nA,50\nB,60\nC,14\n", 2),
}


@pytest.mark.parametrize("case", list(HELD))
def test_differencing_shapes_that_held_still_block(tmp_path, run, case):
    old, new, gap = HELD[case]
    og, ng = old.split(",")[0], new.split(",")[0]
    h = _history(tmp_path, [[("old.csv", old, table("old.csv", {og: G, "n": COUNT}))]])
    r = run({"t.csv": new}, [table("t.csv", {ng: G, "n": COUNT})], history=h)
    assert _blocked_by_difference(r, gap), said(r)


@pytest.mark.parametrize("old,new", [
    ("地區,n\n全部,500\n", "地區,n\n蘭嶼除外,497\n"),                     # 「除外」: not read as a total
    ("group,n\nDiabetes,480\n", "group,n\nNo diabetes,20\nAll,502\n"),   # a filter's complement
])
def test_complements_that_do_not_link_go_to_review_with_a_reason(tmp_path, run, old, new):
    og, ng = old.split(",")[0], new.split(",")[0]
    h = _history(tmp_path, [[("old.csv", old, table("old.csv", {og: G, "n": COUNT}))]])
    r = run({"t.csv": new}, [table("t.csv", {ng: G, "n": COUNT})], history=h)
    assert r.verdict in ("review", "block") and by(r, check="differencing"), said(r)


def test_a_total_in_earlier_prose_a_few_away_goes_to_review(tmp_path, run):
    h = _history(tmp_path, [[("notes.txt", "In total 183 persons were included in the cohort.\n",
                              {"path": "notes.txt", "kind": "text", "description": "summary"})]])
    r = run({"t.csv": COUNTS_A50_B60_C70.replace("C,70", "C,70")},
            [table("t.csv", {"region": G, "n": COUNT})], history=h)
    hits = by(r, check="prose_tables")
    assert r.verdict != "pass" and hits and "183" in hits[0].message_en, said(r)


@pytest.mark.parametrize("old,new", [
    ("age,n\n20-39,300\n40-64,280\n65+,90\n", "age,n\n20-39,300\n40-64,280\n65+,90\n"),
    ("region,n\nAll,500\n", "region,n\nAll,560\n"),
    ("period,n\n2020-01-01 to 2020-06-30,400\n", "period,n\n2020-01-01 to 2020-12-31,800\n"),
])
def test_repeated_or_far_releases_pass(tmp_path, run, old, new):
    og, ng = old.split(",")[0], new.split(",")[0]
    h = _history(tmp_path, [[("old.csv", old, table("old.csv", {og: G, "n": COUNT}))]])
    r = run({"t.csv": new}, [table("t.csv", {ng: G, "n": COUNT})], history=h)
    assert not by(r, check="differencing", severity="block") and r.verdict != "block", said(r)


# ---- (c) institutions --------------------------------------------------------------------------
INSTITUTION_GROUPS = {
    "Chinese names": ("hospital", "門諾醫院", "花蓮慈濟醫學中心"),
    "abbreviations": ("hospital", "花蓮慈濟", "台大"),
    "English names": ("hospital", "Mennonite Christian Hospital", "Hualien Tzu Chi"),
}


@pytest.mark.parametrize("case", list(INSTITUTION_GROUPS))
def test_a_named_institution_blocks(run, case):
    col, a, b = INSTITUTION_GROUPS[case]
    r = run({"t.csv": f"{col},n\n{a},120\n{b},140\n"}, [table("t.csv", {col: G, "n": COUNT})])
    assert by(r, check="institutions", severity="block"), said(r)


def test_institution_codes_block(run):
    r = run({"t.csv": "醫事機構代碼,n\n1145010010,120\n0145030020,140\n"},
            [table("t.csv", {"醫事機構代碼": G, "n": COUNT})])
    assert by(r, check="institutions", severity="block"), said(r)


def test_region_by_level_by_beds_goes_to_review(run):
    r = run({"t.csv": "region,level,beds,n\nHualien,medical center,900+,120\n"
                      "Taipei,regional,500-899,140\n"},
            [table("t.csv", {"region": G, "level": G, "beds": G, "n": COUNT})])
    assert r.verdict != "pass" and by(r, check="institution_areas"), said(r)


@pytest.mark.parametrize("text", [
    "The largest hospital in Hualien treated 120 patients with sepsis, with a mortality of 22%.\n",
    "花蓮縣最大的醫院共收治敗血症病人 120 人，死亡率 22%。\n",
])
def test_an_institution_by_rank_goes_to_review(run, text):
    r = run({"r.txt": text}, [{"path": "r.txt", "kind": "text", "description": "summary"}])
    assert r.verdict != "pass" and by(r, check="singling_out"), said(r)


def test_levels_without_areas_pass(run):
    r = run({"t.csv": "level,n\nmedical center,1200\nregional,1400\ndistrict,900\n"},
            [table("t.csv", {"level": G, "n": COUNT})])
    assert _safe(r)[0], said(r)


# ---- (d) misleading declarations ---------------------------------------------------------------
SMALL = "region,n\nNorth,120\nSouth,3\nEast,140\n"
SAFE = "region,n\nNorth,120\nSouth,93\nEast,140\n"


@pytest.mark.parametrize("kind,desc", [("figure", "figure 2"), ("code", "analysis code"),
                                       ("model", "model coefficients")])
def test_a_table_declared_another_kind_is_named(run, kind, desc):
    for text in (SMALL, SAFE):
        r = run({"t.csv": text}, [{"path": "t.csv", "kind": kind, "description": desc}])
        hits = by(r, check="declared_claims")
        assert r.verdict != "pass" and hits and kind in hits[0].message_en, said(r)
        if text is SMALL:
            assert r.verdict == "block", said(r)


@pytest.mark.parametrize("desc", ["synthetic data, simulated counts", "模擬資料",
                                  "合成\u200b資料 synthetic", "test fixture",
                                  "number of claims, not persons"])
def test_a_label_on_real_small_counts_does_not_pass_them(run, desc):
    r = run({"t.csv": SMALL}, [table("t.csv", {"region": G, "n": COUNT}, description=desc)])
    assert r.verdict == "block" and by(r, check="threshold", severity="block"), said(r)
    r = run({"t.csv": SAFE}, [table("t.csv", {"region": G, "n": COUNT}, description=desc)])
    assert _safe(r)[0], said(r)


def test_a_rounding_base_the_cells_do_not_follow_blocks(run):
    r = run({"t.csv": SMALL}, [table("t.csv", {"region": G, "n": {"role": "count", "rounded_to": 5}})])
    assert by(r, check="declaration", severity="block"), said(r)
    r = run({"t.csv": "region,n\nNorth,120\nSouth,95\nEast,140\n"},
            [table("t.csv", {"region": G, "n": {"role": "count", "rounded_to": 5}})])
    assert not by(r, check="declaration", severity="block"), said(r)


def test_a_listed_file_that_is_missing_blocks(run):
    r = run({"t.csv": SAFE}, [table("t.csv", {"region": G, "n": COUNT}),
                              table("x.csv", {"region": G, "n": COUNT})])
    assert r.verdict == "block" and any("missing" in f.message_en for f in r.findings), said(r)


# ---- (e) a category less a named part, against that category released earlier ---------------
LESS_A_PART = ["South excluding Lanyu", "South (excl. Lanyu)", "South without Lanyu",
               "South except Lanyu", "南區（不含蘭嶼）", "南區扣除蘭嶼", "南區，蘭嶼除外", "南區(蘭嶼以外)"]


def _part_run(tmp_path, run, label, value):
    base = "南區" if label.startswith("南") else "South"
    h = _history(tmp_path, [[("old.csv", f"region,n\nNorth,300\n{base},200\n",
                              table("old.csv", {"region": G, "n": COUNT}))]])
    return run({"t.csv": f"region,n\nNorth,300\n{label},{value}\n"},
               [table("t.csv", {"region": G, "n": COUNT})], history=h)


@pytest.mark.parametrize("label", LESS_A_PART)
def test_a_category_less_a_small_part_blocks(tmp_path, run, label):
    """South 200, then "South excluding Lanyu" 197: Lanyu's 3 persons.  Most spellings were
    linked already; 「南區，蘭嶼除外」 (the part before 除外, after a comma) linked to nothing and
    passed before round 12 (``linking.complement_base``)."""
    assert _blocked_by_difference(_part_run(tmp_path, run, label, 197), 3)


@pytest.mark.parametrize("label", LESS_A_PART)
def test_a_category_less_a_large_part_passes(tmp_path, run, label):
    r = _part_run(tmp_path, run, label, 150)
    assert _safe(r)[0], said(r)


@pytest.mark.parametrize("label,kept", [
    ("Excluding Lanyu", "excludinglanyu"), ("不含蘭嶼", "不含蘭嶼"), ("Exceptional cases", "exceptionalcases"),
    ("without insurance", "withoutinsurance"), ("蘭嶼以外", "蘭嶼以外"), ("20-39", "20-39")])
def test_labels_with_nothing_before_the_cut_keep_their_name(label, kept):
    from egress_review.engine.linking import norm

    assert norm(label) == kept
