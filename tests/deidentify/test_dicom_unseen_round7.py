"""D1, seventh round of unseen DICOM files (tests/deidentify/dicom_round7_files.py builds them):
names on no list in kept values, decided by shape ("Xochitl Bzdok", "Bzdok, Xochitl", "Bzdok X.",
a caret) and by the element's meaning (an SR TEXT item whose concept is a person's role); a name
as the second value of a kept element; the file's own people whose given names are words (Grace,
Hope, Will, Mark …); given names in characters for a person named in Latin letters and the
reverse; encapsulated documents, icons, overlays, deep SR, channel labels, UIDs with dates and
chart numbers, vendors' private blocks; colour marks in the annotation bands of a grey
modality's image.  Each member goes through the real entry (``deidentify_dicom``); the round-3
search looks for what was planted in every encoding.  Devices, vendors, eponyms, ordinary words
and colour images that are fusions or maps stay."""
from __future__ import annotations

import numpy as np
import pydicom
import pytest

from deidentify.dicom import burned_in, deidentify_dataset, han_readings, name_shapes, person_forms, pixels
from deidentify.dicom.pixels import PixelOptions
from tests.deidentify import dicom_round7_files as files
from tests.deidentify import dicom_suite as suite
from tests.deidentify.dicom_round3_files import _code, base
from tests.deidentify.dicom_round5_files import _pair
from tests.deidentify.test_dicom_unseen_round3 import NO_PIXELS, pseudonymise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

MEMBERS = suite.load_members(files)


@pytest.mark.parametrize("member", MEMBERS, ids=suite.member_ids(MEMBERS))
def test_nothing_planted_leaves(member):
    suite.assert_nothing_leaves(member)


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    suite.assert_classes(MEMBERS, 900, {
        400: {"unlisted"}, 150: {"person-item"}, 80: {"multi", "word-given", "han-given"}, 60: {"attacker"}})


# --- what a study needs stays -----------------------------------------------------------------

@pytest.mark.parametrize("kw", sorted(files.ORDINARY))
def test_devices_vendors_eponyms_and_words_stay(kw):
    """Vendors whose names look like a person's (Fukuda Denshi, J. Morita, Konica Minolta), models,
    versions and kernels with a second value, eponyms, and words that are first names of no one
    in the file (Hope, Will, Mark) are kept."""
    for value in files.ORDINARY[kw]:
        ds = base()
        _pair(ds, kw, value)
        got = suite.value(suite.cleaned(ds), kw)
        got = "\\".join(got) if isinstance(got, pydicom.multival.MultiValue) else got
        assert got == value, f"{kw} {value!r} became {got!r}"


def test_code_meanings_of_the_standard_stay():
    """None of pydicom's ~18 500 code meanings is a name's shape (Tc^99m^ is a mass, not a caret
    between names), even read as a whole SR TEXT value."""
    from pydicom.sr._concepts_dict import concepts

    meanings = {m for scheme in concepts.values() for by_name in scheme.values() for m, _ in by_name.values()}
    assert len(meanings) > 15000
    assert not [m for m in meanings if name_shapes.name_shaped(m, lone=True)]


@pytest.mark.parametrize("value", ["Xochitl Bzdok", "xochitl bzdok", "ZBIGNIEW QWERTZKI", "Bzdok, Xochitl",
                                   "Bzdok X.", "X. Bzdok", "D.M. Chen", "BZDOK^XOCHITL", "Liver\\Okonkwo Adaeze",
                                   "VA20\\Bzdok", "Jennifer Lopez"])
def test_name_shapes(value):
    assert name_shapes.name_shaped(value)


@pytest.mark.parametrize("value", ["Scout Topogram", "Konica Minolta", "Revolution Maxima", "Hodgkin Lymphoma",
                                   "Hashimoto's thyroiditis", "Aquilion ONE", "Grace period", "Spinal Cord",
                                   "syngo via", "ORIGINAL\\PRIMARY\\AXIAL", "Lead II", "LightSpeed VCT",
                                   "J. Morita", "Fukuda Denshi", "VA20\\syngo MR XA30", "Tc^99m^ sestamibi", "Qwertzki"])
def test_not_name_shapes(value):
    """One unknown word alone is not decided by shape outside an SR TEXT value ("Qwertzki")."""
    assert not name_shapes.name_shaped(value, device=True) and not name_shapes.name_shaped(value)


# --- SR items whose concept is a person --------------------------------------------------------

def _sr(items) -> pydicom.Dataset:
    ds = base()
    seq = []
    for meaning, text in items:
        item = pydicom.Dataset()
        item.RelationshipType, item.ValueType, item.TextValue = "CONTAINS", "TEXT", text
        item.ConceptNameCodeSequence = pydicom.Sequence([_code("1", meaning, "99X")])
        seq.append(item)
    ds.ContentSequence = pydicom.Sequence(seq)
    return ds


def test_a_person_items_value_is_masked_and_the_report_kept():
    read = suite.cleaned(_sr([("Person Observer Name", "Qwertzki"), ("Finding", "Nodule 6 mm in the right upper lobe."),
                              ("Device Observer Name", "CT-SCANNER-01"), ("Finding", "Xochitl Bzdok")]))
    texts = [item.TextValue for item in read.ContentSequence]
    assert texts == [name_shapes.MASK, "Nodule 6 mm in the right upper lobe.", "CT-SCANNER-01", name_shapes.MASK]


@pytest.mark.parametrize("meaning, person", [("Person Observer Name", True), ("Verifying Observer", True),
                                             ("Reading Physician", True), ("Operator", True), ("Signed by", True),
                                             ("Device Observer Name", False), ("Algorithm Name", False),
                                             ("Finding", False), ("Impression", False)])
def test_person_concepts(meaning, person):
    item = pydicom.Dataset()
    item.ConceptNameCodeSequence = pydicom.Sequence([_code("1", meaning, "99X")])
    assert name_shapes.person_item(item) is person


# --- a second value where one goes --------------------------------------------------------------

def test_a_second_value_in_a_single_valued_element_removes_it():
    ds = base()
    ds.Manufacturer = ["SIEMENS", "Medical"]   # no name's shape in it: still one value too many
    ds.SoftwareVersions = ["VA20", "B30f"]           # 1-n: kept
    read = suite.cleaned(ds)
    assert "Manufacturer" not in read and list(read.SoftwareVersions) == ["VA20", "B30f"]


# --- given names in characters and romanised ----------------------------------------------------

@pytest.mark.parametrize("pn, chars", files.HAN_REVERSE)
def test_the_characters_of_a_romanised_given_name(pn, chars):
    givens = person_forms.given_syllables([pn])
    assert han_readings.given_in(f"CT {chars}", givens)
    assert not han_readings.given_in("胸部 左肺上葉 高血壓", givens)


def test_a_given_name_in_characters_of_no_one_here_stays():
    ds = base()
    ds.PatientName = "LIN^CHIH-HAO"
    _pair(ds, "ContentDescription", "大明")
    assert suite.cleaned(ds).ContentDescription == "大明"
    ds.PatientName = "CHEN^TA-MING"
    assert "ContentDescription" not in suite.cleaned(ds)


def test_a_name_in_characters_gives_its_given_name_romanised():
    forms = person_forms.person_forms(["陳^大明"])
    for value in ("Da-Ming", "Ta-Ming", "Daming", "D.M. Chen", "Chen Ta-Ming"):
        assert person_forms.forms_in(value, forms), value


# --- colour in a grey modality ------------------------------------------------------------------

@pytest.fixture
def ocr_reads_nothing(monkeypatch):
    """OCR stands in for tesseract reading nothing (it may not be installed here): the rule
    tested is what happens whatever OCR reads."""
    monkeypatch.setattr(pixels, "ocr_boxes_many", lambda frames, opts, sure=None: [[] for _ in frames])


@pytest.mark.parametrize("modality, photometric, where", files.COLOUR_MARKED)
def test_colour_marks_in_a_grey_modality_are_a_capture(modality, photometric, where, ocr_reads_nothing):
    """Held with the reason when OCR is off; with OCR on the bands are blanked whatever OCR read."""
    ds = files._colour_image(modality, photometric, where)
    assert "annotation bands" in (burned_in.risk_reason(ds, NO_PIXELS) or "")
    with pytest.raises(burned_in.HeldForReview, match="annotation bands"):
        deidentify_dataset(files._colour_image(modality, photometric, where), pseudonymise=pseudonymise,
                           options=NO_PIXELS)
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_strokes=False))
    assert report.known_regions and "annotation bands" in report.burned_in_class
    assert burned_in.colour_marks(ds, PixelOptions()) is None     # no colour left in the bands


@pytest.mark.parametrize("modality, photometric, where", files.COLOUR_ORDINARY)
def test_ordinary_colour_is_left_alone(modality, photometric, where):
    """A fusion or a dose map (colour in the middle), grey stored as colour, and PET/NM colour
    are no capture: released with OCR off, pixels as they were."""
    ds = files._colour_image(modality, photometric, where)
    before = np.asarray(ds.pixel_array).copy()
    assert burned_in.risk_reason(ds, NO_PIXELS) is None
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=NO_PIXELS)
    assert np.array_equal(np.asarray(ds.pixel_array), before)
