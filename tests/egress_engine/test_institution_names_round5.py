"""E3: a result that singles out one institution or practitioner blocks however the institution
is written - found by the lead's own probe on 6 December, after the outside probes of 5-6
December closed the full-name forms.  Before, these passed as ordinary groups:

- an NHI institution code with separators or in other digits (``11010 20018``, full width);
- the short names and initials hospitals go by (台大, 北榮, 林口長庚, NTUH, CGMH, Chang Gung);
- a name beside its initials or place (``台大醫院 NTUH``: the pattern wanted the name last);
- a pseudonym with a prefix (``H_9f3a1c2b``), which keyed re-coding makes of an institution;
- a practitioner by name (陳大明醫師, Dr. Wang): only a review.

Each is tried under a header that says nothing (site, 組別, src) and as a count column's header;
kinds of institution or practitioner and ordinary groups beside them still pass.  Short names
are a policy setting (``egress.institution_known_names``)."""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import COUNT, G, by, one_table, said, table

CODES = ["11010 20018", "1131-010-011", "0401.180.014", "0401 180 014", "１１０１０２００１８",
         "11010\u200b20018", "1101020018 台大醫院", "(1131010011)", "٠٤٠١١٨٠٠١٤"]
SHORT = ["台大", "臺大雲林分院", "北榮", "林口長庚", "高雄長庚", "馬偕淡水", "新光", "亞東", "奇美柳營",
         "中國附醫", "高醫", "三總", "台中榮總", "慈濟花蓮", "彰基", "成大"]
LATIN = ["NTUH", "TVGH", "CGMH", "ntuh", "KMUH", "NCKUH", "Chang Gung", "Chang Gung Linkou",
         "Mackay Memorial", "Tzu Chi", "Shin Kong", "Far Eastern Memorial", "Chi Mei", "VGHTPE"]
PARTS = ["台大醫院 NTUH", "馬偕醫院/MMH", "長庚醫院（林口）", "Mackay Memorial Hospital (Taipei)",
         "仁愛醫院, 台北", "臺北榮民總醫院 [TVGH]", "奇美醫院｜台南"]
PSEUDONYMS = ["H_9f3a1c2b", "hosp-0a1b2c3d", "inst:a1b2c3d4e5", "9f3a1c2b", "P#0c0ffee123", "site.77aa88bb"]
PRACTITIONERS = ["陳大明醫師", "林醫師", "王主任", "李 醫師", "張美玲藥師", "Dr. Wang", "Dr Lin",
                 "Prof. Chen", "Wang, MD", "Lin Mei-Ling, M.D."]
HEADERS = ["site", "組別", "src"]

# groups of ordinary outputs, some of them close to the forms above: none names one institution
ORDINARY = ["主治醫師", "住院醫師", "家醫科醫師", "女醫師", "中醫師", "牙醫師", "副院長", "專科護理師",
            "高醫療利用者", "2020-01-01 10", "A1C", "E11.9", "AC12345100", "Teaching hospital",
            "北部", "台北市", "男", "65+", "mmHg", "Type 2 diabetes", "醫學中心", "Chinese medicine clinic",
            "區域醫院", "其他", "2019-2020", "0-4", "Private clinics", "Doctor visits", "義大利"]


def _groups(run, header, values):
    text = f"{header},patients\n" + "".join(f"\"{v}\",{30 + 7 * i}\n" for i, v in enumerate(values))
    return one_table(run, text, {header: G, "patients": COUNT})


def _blocked_values(res) -> set:
    out = set()
    for f in by(res, check="institutions", severity="block"):
        out.add(f.message_en)
    return out


@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("kind, values", [("codes", CODES), ("short names", SHORT), ("latin", LATIN),
                                          ("name as a part", PARTS), ("pseudonyms", PSEUDONYMS),
                                          ("practitioners", PRACTITIONERS)])
def test_every_value_that_singles_out_one_institution_blocks(run, header, kind, values):
    res = _groups(run, header, values)
    blocked = by(res, check="institutions", severity="block")
    named = {f.location.get("row") for f in blocked}
    assert len(named) == len(values), (kind, said(res))


@pytest.mark.parametrize("value", CODES + SHORT + LATIN + PARTS + PSEUDONYMS + PRACTITIONERS)
def test_each_form_alone_blocks_beside_ordinary_groups(run, value):
    res = _groups(run, "group", ["北部", "南部", value])
    assert by(res, check="institutions", severity="block"), (value, said(res))


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_groups_and_kinds_do_not_count_as_one_institution(run, value):
    res = _groups(run, "group", ["北部", value])
    assert not by(res, check="institutions"), (value, said(res))


@pytest.mark.parametrize("heads", [["NTUH", "TVGH", "CGMH"], ["台大", "北榮", "林口長庚"],
                                   ["1101020018", "11310 10011", "0401-180-014"],
                                   ["Dr. Wang", "Dr. Lin", "Dr. Chen"]])
def test_count_columns_per_institution_block_without_a_column_group(run, heads):
    text = "age_band," + ",".join(heads) + "\n" + "".join(
        f"{b}," + ",".join(str(40 + 3 * j + i) for j in range(len(heads))) + "\n"
        for i, b in enumerate(["0-39", "40-64", "65+"]))
    res = run({"t.csv": text}, [table("t.csv", {"age_band": G, **{h: COUNT for h in heads}})])
    cols = {f.location.get("column") for f in by(res, check="institutions", severity="block")}
    assert cols == set(heads), said(res)


def test_the_short_names_are_a_policy_setting(run):
    from policies.sections.egress import EgressPolicy

    text = "site,patients\n台大,40\n北部,50\n"
    on = run({"t.csv": text}, [table("t.csv", {"site": G, "patients": COUNT})])
    off = run({"t.csv": text}, [table("t.csv", {"site": G, "patients": COUNT})],
              policy=EgressPolicy(institution_known_names=[]))
    assert by(on, check="institutions", severity="block") and not by(off, check="institutions")


# Sentences (E3, singling_out): one institution named with a figure about it blocks as the table
# would; named without one goes to a reviewer; kinds, levels and generic words stay as they were.
NAMED_WITH_FIGURES = [
    "台大醫院共收治40名病人。", "Of the 540 patients, 40 were treated at NTUH.", "林口長庚的個案共 40 人。",
    "台大共收治40名病人。", "Of these, 40 were at Mackay Memorial Hospital.", "王內科診所的病人共 30 人。",
    "Chang Gung Memorial Hospital reported 50 cases.", "大安藥局調劑 300 張處方。", "病人住在馬偕醫院者占 12%。",
    "At National Taiwan University Hospital, mortality was 3.2%.", "北榮的再住院率為 8.5%。",
    "CGMH contributed 120 patients.", "於萬芳醫院追蹤的個案有 45 人。", "Ｎｔｕｈ enrolled 60 patients.",
]
NAMED_ALONE = ["轉診至奇美醫院柳營分院。", "Results were similar at Mackay Memorial Hospital and elsewhere.",
               "馬偕醫院的病人較多。", "Data were abstracted at Taipei Veterans General Hospital."]
GENERIC = ["病人到醫院就診的次數增加。", "住在醫院的時間較長。", "從區域醫院轉診到醫學中心的比例為 12%。",
           "各醫院的再住院率相近。", "教學醫院與非教學醫院的差異。", "大型醫院的病人較多。", "小型診所的處方數較少。",
           "Patients admitted to regional hospitals had lower costs.", "Outcomes Of Patients Admitted To Hospital were similar.",
           "The Teaching Hospital group had 300 patients.", "In-hospital mortality was 3.2%.", "市立醫院與私立醫院的比較。",
           "共有 120 家醫院參與。", "病人在醫學中心住院 5 天。", "基層診所的就診率為 45%。", "精神科醫院的病人數為 300 人。",
           "藥局調劑的處方共 1200 張。", "出院後回診所追蹤。", "一般醫院與專科醫院。", "收治醫院的層級分布如表二。",
           "同一醫院的再入院。", "不同醫院間的差異不大。", "Local Hospital data were excluded.", "其中一家藥局名列第一。",
           "高醫療利用者共 300 人。", "中醫診所的使用率為 20%。", "研究納入所有醫院。", "各層級醫院的人數。"]


def _text(run, sentence):
    return run({"n.txt": sentence + "\n"}, [{"path": "n.txt", "kind": "text", "description": "results"}])


def _named(res, severity):
    return [f for f in by(res, check="singling_out", severity=severity) if f.location.get("names")]


@pytest.mark.parametrize("sentence", NAMED_WITH_FIGURES)
def test_a_sentence_naming_one_institution_with_a_figure_blocks(run, sentence):
    assert _named(_text(run, sentence), "block"), said(_text(run, sentence))


@pytest.mark.parametrize("sentence", NAMED_ALONE)
def test_a_sentence_naming_one_institution_goes_to_a_reviewer(run, sentence):
    res = _text(run, sentence)
    assert _named(res, "review") and not _named(res, "block"), said(res)


@pytest.mark.parametrize("sentence", GENERIC)
def test_kinds_levels_and_generic_words_name_no_institution(run, sentence):
    res = _text(run, sentence)
    assert not _named(res, "block") and not _named(res, "review"), said(res)
