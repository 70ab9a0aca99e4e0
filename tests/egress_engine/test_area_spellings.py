"""E3: an area written another way in a later release is the same area, so the difference of
its counts is found.  The lead's probe of 6 December: Penghu's 40 persons released under
"Penghu County", then 42 under 「澎湖縣」 - two persons by subtraction - passed; 「臺北市」 and
「台北市」, "Quemoy" and 「金門」 were as many categories.  Every county and city is tried under
its Chinese and English spellings, against an earlier release and within one request; far
apart counts and the city/county pairs that share a short name (新竹, 嘉義) stay apart."""
from __future__ import annotations

import pytest

from egress_review.engine.area_names import _AREAS
from egress_review.engine.linking import norm
from tests.egress_engine.conftest import COUNT, G, by, one_release_history, said, table

PAIRS = [("Penghu County", "澎湖縣"), ("Penghu", "澎湖"), ("臺北市", "台北市"), ("Taipei City", "台北"),
         ("Quemoy", "金門"), ("Kinmen County", "金門縣"), ("Matsu", "連江縣"), ("Taitung", "台東縣"),
         ("Hualien County", "花蓮"), ("Ilan", "宜蘭縣"), ("Keelung", "基隆"), ("Jilong", "基隆市"),
         ("Xinbei", "新北市"), ("New Taipei City", "新北"), ("Gaoxiong", "高雄市"), ("Taichung", "臺中"),
         ("Hsinchu City", "新竹市"), ("Chiayi County", "嘉義縣"), ("Pingtung County", "屏東"),
         ("Pescadores", "澎湖縣"), ("Lienchiang County", "馬祖"), ("Yunlin", "雲林縣")]


def _released_then(run, tmp_path, old_label, new_label, new_n):
    h = one_release_history(tmp_path, "old.csv", f"county,n\nBig City,500\n{old_label},40\n",
                            table("old.csv", {"county": G, "n": COUNT}, description="diabetes"))
    return run({"t.csv": f"county,n\nBig City,500\n\"{new_label}\",{new_n}\n"},
               [table("t.csv", {"county": G, "n": COUNT}, description="diabetes")], history=h)


@pytest.mark.parametrize("old, new", PAIRS + [(b, a) for a, b in PAIRS])
@pytest.mark.parametrize("gap", [1, 3])
def test_a_renamed_area_a_few_persons_larger_blocks(run, tmp_path, old, new, gap):
    res = _released_then(run, tmp_path, old, new, 40 + gap)
    hits = by(res, check="differencing", severity="block")
    assert any(h.location.get("value") == gap for h in hits), said(res)


@pytest.mark.parametrize("old, new", PAIRS[:6])
def test_a_renamed_area_far_larger_does_not_block(run, tmp_path, old, new):
    res = _released_then(run, tmp_path, old, new, 90)
    assert not by(res, check="differencing", severity="block"), said(res)


@pytest.mark.parametrize("old, new", PAIRS[:8])
def test_two_files_of_one_request_under_two_spellings_block(run, old, new):
    files = {"a.csv": f"county,n\nBig City,500\n\"{old}\",40\n", "b.csv": f"county,n\nBig City,500\n\"{new}\",42\n"}
    res = run(files, [table("a.csv", {"county": G, "n": COUNT}, description="diabetes"),
                      table("b.csv", {"county": G, "n": COUNT}, description="diabetes")])
    assert by(res, check="differencing", severity="block") or by(res, check="nested_pairs"), said(res)


def test_every_county_and_city_has_one_name_for_its_spellings():
    for zh, en in _AREAS.values():
        names = {norm(n) for n in (*zh, *en)} | {norm(n.replace("臺", "台")) for n in zh}
        assert len(names) == 1, names


@pytest.mark.parametrize("a, b", [("新竹市", "新竹縣"), ("嘉義市", "嘉義縣"), ("Hsinchu City", "Hsinchu County"),
                                  ("新竹", "新竹市"), ("Taipei", "New Taipei"), ("台北市", "新北市")])
def test_areas_that_differ_stay_apart(a, b):
    assert norm(a) != norm(b)
