"""E3: an institution level within an area can be one institution.

A table of claims by hospital level and county names no hospital, yet "medical centre ×
Hualien County" is one hospital in Taiwan, and so are many level × area cells (a county's only
regional hospital, an island's only district hospital).  How many institutions stand behind a
cell is not in the table, so such a table goes to the reviewer with the reason: a grouping by
institution level (a column whose values are levels, or a level named in the table's
description, file name or headers) together with a grouping by area (a column headed as an
area, or whose values are Taiwan's counties and cities or the NHI's regional branches).
"""
from __future__ import annotations

import re

from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E3"
CHECK = "institution_areas"
KINDS = {"table"}

_AREA_HEADER = re.compile(
    r"(?:^|[\s_\-(])(?:region|area|county|counties|city|cities|district|township|zone|branch|"
    r"prefecture|municipality|residence|location)s?(?:$|[\s_\-)])|分區|區域|縣市|縣|市別|鄉鎮|"
    r"行政區|地區|業務組|轄區|居住地", re.I)
_LEVEL_HEADER = re.compile(
    r"(?:^|[\s_\-(])(?:level|tier|hospital[\s_]?(?:level|type|class)|accreditation)(?:$|[\s_\-)])|"
    r"層級|等級|特約類別|評鑑", re.I)
_COUNTIES = re.compile(
    r"^(?:[臺台](?:北|中|南|東)|新北|桃園|高雄|基隆|新竹|苗栗|彰化|南投|雲林|嘉義|屏東|宜蘭|花蓮|澎湖|金門|"
    r"連江|馬祖)(?:市|縣)?$|^(?:[臺台]北|北|中|南|高屏|東)區?(?:業務組)?$|"
    r"^(?:new\s+)?(?:taipei|taichung|tainan|kaohsiung|taoyuan|keelung|hsinchu|miaoli|changhua|"
    r"nantou|yunlin|chiayi|pingtung|yilan|ilan|hualien|taitung|penghu|kinmen|lienchiang|matsu)"
    r"(?:\s+(?:city|county))?$", re.I)


# Levels of which every area has many (thousands of clinics and pharmacies): not one institution.
_MANY = re.compile(r"診所|藥局|clinic|pharmac", re.I)


def _share(values: list[str], pred) -> float:
    vals = [v for v in values if v]
    return sum(map(pred, vals)) / len(vals) if vals else 0.0


def check_file(ctx: Context, spec: ManifestFile) -> None:
    table = ctx.tables[spec.path]
    levels = {s.casefold() for s in ctx.policy.institution_level_labels}
    totals = {*spec.total_labels, "All", "Total", "合計", "總計"}

    def values(col: str) -> list[str]:
        return [str(v).strip() for v in table.text(col).tolist() if str(v).strip() not in totals]

    def is_level(v: str) -> bool:
        return v.casefold() in levels or any(lv in v.casefold() for lv in levels if len(lv) >= 3)

    groups = list(table.group_cols)
    def few(vals: list[str]) -> bool:       # some hospital level of which an area has few
        return any(is_level(v) and not _MANY.search(v) for v in vals)

    level_cols = [g for g in groups if (_LEVEL_HEADER.search(g) or _share(values(g), is_level) >= 0.5)
                  and few(values(g))]
    heads = [c for c in table.columns if c not in groups]
    level_words = [lv for lv in ctx.policy.institution_level_labels
                   if len(lv) >= 3 and not _MANY.search(lv) and lv.casefold() in f"{spec.description} {spec.path} "
                   f"{' '.join(heads)}".casefold()]
    area_cols = [g for g in groups if g not in level_cols and (
        _AREA_HEADER.search(g) or _share(values(g), lambda v: bool(_COUNTIES.match(v))) >= 0.5)]
    if spec.column_group and _share(heads, lambda v: bool(_COUNTIES.match(v))) >= 0.5:
        area_cols.append(spec.column_group)
    if spec.column_group and _share(heads, is_level) >= 0.5 and few(heads):
        level_cols.append(spec.column_group)
    if not area_cols or not (level_cols or level_words):
        return
    what = level_cols[0] if level_cols else level_words[0]
    ctx.add(rule=RULE, check=CHECK, severity="review", file=spec.path,
            location={"column": area_cols[0], "level": what},
            en=f"Institution level ({what!r}) by area ({area_cols[0]!r}): one level within one "
               "area is often a single institution (a county's only medical centre), which the "
               "table then describes; the reviewer checks that every cell rests on several "
               "institutions.",
            zh=f"依醫事機構層級（{what!r}）與地區（{area_cols[0]!r}）交叉：某地區的某層級常僅有一家"
               "（如某縣唯一的醫學中心），表格即描述該機構；由審查人確認每格皆涵蓋多家機構。")
