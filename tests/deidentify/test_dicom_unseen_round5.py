"""D1, fifth round of unseen DICOM files (tests/deidentify/dicom_round5_files.py builds them):
a name split across two kept values or two SR items whose given half is a common syllable; a
surname the scorer reads as a place or word ("Kong Lingwei"); the author-year form around a name
no standard table cites; Chinese and Japanese names in ideographs alone in a label; the file's own
people (any person name in it, every component group) repeated in a kept value; ideographic
names under ISO 2022 IR 87/149/58, GB18030 and mislabelled bytes; NUL and backslash inside
values; second IDs with issuer qualifiers (and a piece of one); private creators, overlays,
icons, JPEG comment/EXIF/XMP segments, PDF metadata and filters, CDA documents, DICOMDIR records,
file-meta titles, dates in kept values and UIDs under the standard's root.  Each member goes
through the real entry (``deidentify_dicom``); the round-3 search looks for what was planted in
every encoding.  Labels, devices, eponyms and cited tables a study needs stay."""
from __future__ import annotations

import re

import pytest

from deidentify.dicom import asian_names, label_names
from tests.deidentify import dicom_round5_files as files
from tests.deidentify import dicom_suite as suite
from tests.deidentify.dicom_round3_files import base

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

MEMBERS = suite.load_members(files)


@pytest.mark.parametrize("member", MEMBERS, ids=suite.member_ids(MEMBERS))
def test_nothing_planted_leaves(member):
    suite.assert_nothing_leaves(member)


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    suite.assert_classes(MEMBERS, 900, {
        40: {"split-syllable", "sr-split", "place-surname", "citation", "cjk-label", "people", "charset", "date"},
        3: {"nul-multi", "pn-group", "other-id", "private-creator", "overlay", "icon", "encapsulated", "document",
            "dicomdir", "meta", "uid", "script", "accession", "pn-shape"}})


_cleaned, _value = suite.cleaned, suite.value   # the shared readers (dicom_suite)


# --- what a study needs stays -----------------------------------------------------------------

@pytest.mark.parametrize("kw", sorted(files.ORDINARY))
def test_labels_devices_eponyms_and_cited_tables_stay(kw):
    """Places that open with a surname (Hong Kong, Linkou, 林口), eponyms (Hashimoto's
    thyroiditis, Hodgkin), tables the standard cites (Shinozuka 1996, Hadlock 1984), Chinese
    anatomy and findings (胸部, 高血壓, 左肺上葉) and ordinary devices are kept."""
    for value in files.ORDINARY[kw]:
        ds = base()
        files._pair(ds, kw, value)
        assert _value(_cleaned(ds), kw) == value, f"{kw} {value!r} was removed"


def test_one_half_alone_stays():
    """A syllable alone ("Jun", "Hua") is a version or a code when no surname stands alone
    elsewhere in the object: only the pair goes."""
    ds = base()
    ds.SoftwareVersions = "Jun"
    ds.ManufacturerModelName = "Ingenia"
    read = _cleaned(ds)
    assert read.SoftwareVersions == "Jun" and read.ManufacturerModelName == "Ingenia"
    ds.Manufacturer = "LIN"
    read = _cleaned(ds)
    assert "SoftwareVersions" not in read and "Manufacturer" not in read and read.ManufacturerModelName == "Ingenia"


def test_two_parts_of_one_multi_value():
    """The halves as two values of one multi-valued element (ImageType's third and fourth)."""
    ds = base()
    ds.ImageType = ["DERIVED", "SECONDARY", "LIN", "MEI"]
    ds.SoftwareVersions = ["VA20", "B30f"]
    read = _cleaned(ds)
    assert "ImageType" not in read and read.SoftwareVersions == ["VA20", "B30f"]
    assert label_names.split_pairs(["DERIVED\\SECONDARY\\LIN\\MEI"]) == {0}
    assert label_names.split_pairs(["ORIGINAL\\PRIMARY\\AXIAL", "VA20"]) == set()


def test_code_meanings_of_the_standard_stay():
    """None of pydicom's ~18 500 code meanings is taken by the round-5 label rules (citations
    of the standard's own tables, eponyms), and the romanised rules take no more than before."""
    from pydicom.sr._concepts_dict import concepts

    meanings = {m for scheme in concepts.values() for by_name in scheme.values() for m, _ in by_name.values()}
    assert len(meanings) > 15000
    assert not [m for m in meanings if label_names.names_in(m)]
    taken = [m for m in meanings if asian_names.names_in(m)]
    assert len(taken) < len(meanings) * 0.005
    assert not [m for m in taken if not re.search(r"breed|dog|Chow|Hsieh|Sano|Chang method", m)]


def test_chinese_clinical_words_are_not_names():
    """The rare-surname control words (高血壓, 全家, 金門 …) and imaging labels read as labels."""
    from tests.deidentify.rare_surname_notes import HARD, WORDS

    words = set(WORDS) | {w for h in HARD for w in re.findall(r"[\u4e00-\u9fff]+", h)} | {
        "胸部", "左肺上葉", "甲狀腺", "正子", "白內障", "黃斑部病變", "何杰金氏淋巴瘤", "橋本氏甲狀腺炎", "菊池氏病",
        "高雄榮總", "林口", "正中神經", "安靜", "光子", "平均值", "左心室", "馬蹄腎", "唐氏症"}
    assert not [w for w in words if label_names.cjk_names_in(w)]


@pytest.mark.parametrize("value", ["陳美玲", "山田太郎", "田中花子", "美玲", "志豪", "歐陽娜娜", "高橋由美的影像",
                                   "CT 佐藤健", "山田氏"])
def test_ideographic_names_are_found(value):
    assert label_names.cjk_names_in(value)


@pytest.mark.parametrize("value", ["by Yamada 1990", "FL, Okafor 1994", "Kuo et al., 2019", "Tanaka et al.",
                                   "(Lin 2001)", "Hsu & Lin 1999"])
def test_uncited_authors_go(value):
    assert label_names.uncited_author(value) or asian_names.names_in(value)


@pytest.mark.parametrize("value", ["BPD, Shinozuka 1996", "HC, Hadlock 1984", "FL, Jeanty 1984", "Osaka 1989",
                                   "ICRP 2007", "Table 2003"])
def test_cited_tables_stay(value):
    assert not label_names.uncited_author(value) and not asian_names.names_in(value)


@pytest.mark.parametrize("value", ["Kong Lingwei", "Hong Meiling", "Tong Weiming", "Min Seojin", "by Park Ling",
                                   "Lingwei KONG", "Hong-Meiling", "Long Meiying"])
def test_word_surnames_with_a_given_name(value):
    assert asian_names.names_in(value)


@pytest.mark.parametrize("value", ["Hong Kong", "Hong Kong flu", "Long axis", "Linkou branch", "Song protocol",
                                   "Tan China", "Min intensity projection", "Long-term", "Shanghai Long"])
def test_word_surnames_without_one(value):
    assert not asian_names.names_in(value)


def test_a_name_across_two_sr_items_is_masked_in_both():
    """The report's findings stay; each half of the name becomes <NAME>."""
    masked = asian_names.mask_names_joined(["Nodule 6 mm. Reviewed by WANG", "MEI agreed."])
    assert masked == ["Nodule 6 mm. Reviewed by <NAME>", "<NAME> agreed."]
