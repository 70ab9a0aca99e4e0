"""E3: an institution level within an area can be one institution.

"Medical centre × Hualien County" names no hospital, yet there is one.  Generated over the
level's spelling (Chinese, English, British and American), the area's form (county and city
names in Chinese and English, NHI branches, a header saying area without telling values), the
layout (long, or areas as the columns of a crosstab) and where the level is said (a column, or
only the table's description): each goes to a reviewer with the reason.  Levels alone, areas
alone, and clinics or pharmacies by area (every area has many) do not.
"""
from __future__ import annotations

import pytest

from tests.egress_engine.conftest import by, said

G = {"role": "group"}
N = {"role": "count"}
LEVELS = {"zh": ["醫學中心", "區域醫院", "地區醫院"],
          "en": ["Medical centre", "Regional hospital", "District hospital"],
          "us": ["medical center", "regional hospitals", "district hospitals"]}
AREAS = {"zh-county": ("縣市", ["花蓮縣", "臺東縣", "臺北市"]),
         "zh-short": ("地點", ["花蓮", "台東", "台北"]),
         "en-county": ("where", ["Hualien County", "Taitung County", "Taipei City"]),
         "branch": ("分組", ["東區業務組", "北區業務組", "中區業務組"]),
         "header-only": ("region", ["R1", "R2", "R3"])}


def _long(levels, area_head, areas):
    rows = "".join(f"{lv},{a},{900 + 7 * i + j}\n" for i, lv in enumerate(levels)
                   for j, a in enumerate(areas))
    return f"level,{area_head},n\n{rows}", {"level": G, area_head: G, "n": N}


def _reviewed(r) -> bool:
    return any(f.severity == "review" for f in by(r, check="institution_areas"))


@pytest.mark.parametrize("spelling", sorted(LEVELS))
@pytest.mark.parametrize("area", sorted(AREAS))
def test_a_level_by_area_table_goes_to_the_reviewer(run, spelling, area):
    head, areas = AREAS[area]
    csv, cols = _long(LEVELS[spelling], head, areas)
    r = run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": "admissions",
                              "columns": cols}])
    assert _reviewed(r), said(r)


@pytest.mark.parametrize("spelling", sorted(LEVELS))
@pytest.mark.parametrize("area", ["zh-county", "en-county", "branch"])
def test_areas_as_the_columns_of_a_crosstab(run, spelling, area):
    _, areas = AREAS[area]
    rows = "".join(f"{lv}," + ",".join(str(900 + 3 * i + j) for j in range(len(areas))) + "\n"
                   for i, lv in enumerate(LEVELS[spelling]))
    csv = "level," + ",".join(areas) + "\n" + rows
    r = run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": "admissions",
                              "columns": {"level": G}, "default_role": N, "column_group": "area"}])
    assert _reviewed(r), said(r)


@pytest.mark.parametrize("said_as", ["Admissions to medical centres by county",
                                     "醫學中心住院人次，依縣市", "regional hospital visits per city",
                                     "District hospitals: outpatient visits by region"])
@pytest.mark.parametrize("area", ["zh-county", "en-county", "header-only"])
def test_a_level_named_only_in_the_description(run, said_as, area):
    head, areas = AREAS[area]
    csv = f"{head},n\n" + "".join(f"{a},{1000 + i}\n" for i, a in enumerate(areas))
    r = run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": said_as,
                              "columns": {head: G, "n": N}}])
    assert _reviewed(r), said(r)


ORDINARY = [
    ("level-by-sex", "level,sex,n\n醫學中心,F,900\n醫學中心,M,950\n區域醫院,F,800\n區域醫院,M,820\n",
     {"level": G, "sex": G, "n": N}, "admissions"),
    ("county-by-sex", "縣市,sex,n\n花蓮縣,F,900\n花蓮縣,M,950\n臺北市,F,800\n臺北市,M,820\n",
     {"縣市": G, "sex": G, "n": N}, "admissions by county"),
    ("clinics-by-county", "type,縣市,n\n西醫診所,花蓮縣,900\n西醫診所,臺北市,950\n藥局,花蓮縣,800\n藥局,臺北市,820\n",
     {"type": G, "縣市": G, "n": N}, "visits"),
    ("clinic-description", "縣市,n\n花蓮縣,900\n臺北市,950\n", {"縣市": G, "n": N},
     "clinic visits by county"),
    ("age-by-region", "region,age,n\nnorth,20-39,900\nnorth,40-64,950\nsouth,20-39,800\nsouth,40-64,820\n",
     {"region": G, "age": G, "n": N}, "patients"),
]


@pytest.mark.parametrize("name,csv,cols,desc", ORDINARY, ids=[o[0] for o in ORDINARY])
def test_levels_alone_areas_alone_and_clinics_by_area_are_not_flagged(run, name, csv, cols, desc):
    r = run({"t.csv": csv}, [{"path": "t.csv", "kind": "table", "description": desc, "columns": cols}])
    assert not by(r, check="institution_areas"), said(r)
