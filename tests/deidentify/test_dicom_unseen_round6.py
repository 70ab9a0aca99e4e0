"""D1, sixth round of unseen DICOM files (tests/deidentify/dicom_round6_files.py builds them):
a given name alone in a kept value ("Jennifer", "Meiling", "Siew Ling"); the file's own people by
initials, short forms and other romanisations ("Kong L.", "K.L.W.", "WXM", "Bill", "Peggy", "Xu MH",
"Cai Yiting"); names in RT structure sets, segmentations, presentation states, waveform
annotations, key-object notes, request and scheduled-step sequences, ReferencedPatientSequence,
per-frame functional groups, private sequences nested deep, multi-valued values, values written
under a VR their tag does not have (UN, PN, LO), unknown and retired public tags; the study's day
where it re-links; and images labelled as ordinary ones whose pixels are captures.  Each member
goes through the real entry (``deidentify_dicom``); the round-3 search looks for what was planted
in every encoding.  Devices, kernels, code meanings, eponyms and labels a study needs stay."""
from __future__ import annotations

import io

import pydicom
import pytest

from deidentify.dicom import burned_in, deidentify_dicom, person_forms
from deidentify.dicom.pixels import PixelOptions
from tests.deidentify import dicom_round6_files as files
from tests.deidentify import dicom_suite as suite
from tests.deidentify.dicom_round3_files import base, to_bytes
from tests.deidentify.dicom_round5_files import _pair
from tests.deidentify.test_dicom_unseen_round3 import NO_PIXELS, _run, pseudonymise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

MEMBERS = suite.load_members(files)


@pytest.mark.parametrize("member", MEMBERS, ids=suite.member_ids(MEMBERS))
def test_nothing_planted_leaves(member):
    suite.assert_nothing_leaves(member)


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    suite.assert_classes(MEMBERS, 800, {
        40: {"given-alone", "people-form", "lead", "objects", "tags", "vr"},
        10: {"request", "per-frame", "private-deep", "multiplicity", "date"}})


_cleaned, _value = suite.cleaned, suite.value   # the shared readers (dicom_suite)


# --- what a study needs stays -----------------------------------------------------------------

@pytest.mark.parametrize("kw", sorted(files.ORDINARY))
def test_devices_kernels_labels_and_eponyms_stay(kw):
    """Model names that are also given names elsewhere (Aurora, Harmony, Vida, Victoria), eponyms
    (Crohn disease, Bell palsy) and ordinary labels are kept."""
    for value in files.ORDINARY[kw]:
        ds = base()
        _pair(ds, kw, value)
        assert _value(_cleaned(ds), kw) == value, f"{kw} {value!r} was removed"


def test_code_meanings_of_the_standard_stay():
    """None of pydicom's ~18 500 code meanings is taken by the round-6 rules."""
    from pydicom.sr._concepts_dict import concepts

    meanings = {m for scheme in concepts.values() for by_name in scheme.values() for m, _ in by_name.values()}
    assert len(meanings) > 15000
    assert not [m for m in meanings if person_forms.lone_given(m)]


def test_a_given_name_of_no_one_in_the_file_stays_in_a_device_value_only_when_it_is_a_product():
    """A vendor's or model's name may look like anything (Philips, Konica Minolta, Planmeca Viso):
    there only a given name alone goes; in a kernel, a label or a code meaning a name's shape goes."""
    for value in ("Konica Minolta", "Planmeca Viso", "Philips", "Revolution Maxima"):
        assert not person_forms.lone_given(value, device=True), value
    assert person_forms.lone_given("Jennifer", device=True)
    assert person_forms.lone_given("Okonkwo Adaeze") and not person_forms.lone_given("Okonkwo Adaeze", device=True)


# --- the file's own people another way ----------------------------------------------------------

@pytest.mark.parametrize("pn, form", [
    ("KONG^LINGWEI", "Kong L."), ("KONG^LINGWEI", "L. Kong"), ("KONG^LINGWEI", "K.L.W."), ("KONG^LINGWEI", "KLW"),
    ("WANG^XIAOMING", "Wang XM"), ("WANG^XIAOMING", "WXM"), ("WANG^XIAOMING", "Xiao-Ming W."),
    ("SMITH^WILLIAM", "Bill"), ("SMITH^WILLIAM", "Will S."), ("BROWN^ELIZABETH", "Liz"),
    ("JONES^MARGARET", "Peggy"), ("DAVIS^JAMES", "Jim"), ("MILLER^ROBERT", "Bob"),
    ("HSU^MEI-HUA", "Xu MH"), ("HSU^MEI-HUA", "Hsü Mei-Hua"), ("CHANG^CHIH-WEI", "Zhang Zhiwei"),
    ("TSAI^YI-TING", "Cai Yiting"), ("CHOU^CHIA-HAO", "Zhou Jiahao"), ("KUO^CHUN-HUNG", "Guo Junhong"),
    ("Kong Lingwei", "kong lw")])
def test_forms_of_the_files_people(pn, form):
    assert person_forms.forms_in(form, person_forms.person_forms([pn]))


@pytest.mark.parametrize("pn, value", [("KONG^LINGWEI", "Long axis"), ("SMITH^WILLIAM", "Ingenia"),
                                       ("WANG^XIAOMING", "SOMATOM Force"), ("DAVIS^JAMES", "B30f"),
                                       ("CHANG^CHIH-WEI", "Aquilion ONE"), ("MILLER^ROBERT", "Chest")])
def test_a_files_person_does_not_take_ordinary_values(pn, value):
    assert not person_forms.forms_in(value, person_forms.person_forms([pn]))


def test_an_operators_short_form_goes_and_the_device_stays():
    ds = base()
    ds.OperatorsName = "SMITH^WILLIAM"
    ds.SoftwareVersions = "Bill"
    ds.ManufacturerModelName = "Ingenia"
    read = _cleaned(ds)
    assert "SoftwareVersions" not in read and read.ManufacturerModelName == "Ingenia"


# --- SR text: the name masked, the findings kept -------------------------------------------------

def test_sr_text_masks_a_given_name_and_an_unknown_name_after_by():
    ds = base()
    item = pydicom.Dataset()
    item.RelationshipType, item.ValueType = "CONTAINS", "TEXT"
    item.TextValue = "Key images for Jennifer. Nodule 6 mm, drawn by Okonkwo Adaeze. Follow-up by Cardiology."
    ds.ContentSequence = pydicom.Sequence([item])
    text = _cleaned(ds).ContentSequence[0].TextValue
    assert "Jennifer" not in text and "Okonkwo" not in text and "Adaeze" not in text
    assert "Nodule 6 mm" in text and "Follow-up by Cardiology" in text


# --- values under a VR their tag does not have ----------------------------------------------------

def test_a_text_value_written_as_un_is_removed_and_a_binary_one_read():
    """Even an ordinary value written as UN goes (it is not what it claims: the cost); a
    sequence or a number written as UN by an older toolkit is read as before."""
    data = files._insert_raw(to_bytes(base()), 0x0008, 0x0070, "UN", b"SIEMENS ")
    data = files._insert_raw(data, 0x0028, 0x0010, "UN", b"\x10\x00")    # Rows as UN
    read = pydicom.dcmread(io.BytesIO(_run(data)))
    assert "Manufacturer" not in read and read.Rows == 16


def test_a_manual_segments_algorithm_name_goes():
    ds = base()
    seg = pydicom.Dataset()
    seg.SegmentNumber, seg.SegmentLabel, seg.SegmentAlgorithmType, seg.SegmentAlgorithmName = 1, "Liver", "MANUAL", "X"
    auto = pydicom.Dataset()
    auto.SegmentNumber, auto.SegmentLabel, auto.SegmentAlgorithmType, auto.SegmentAlgorithmName = \
        2, "Spleen", "AUTOMATIC", "TotalSegmentator"
    ds.SegmentSequence = pydicom.Sequence([seg, auto])
    read = _cleaned(ds)
    assert "SegmentAlgorithmName" not in read.SegmentSequence[0]
    assert read.SegmentSequence[1].SegmentAlgorithmName == "TotalSegmentator"


# --- pixels that must be assumed to carry text ----------------------------------------------------

CAPTURES = files.capture_members()


@pytest.mark.parametrize("kind", sorted(CAPTURES))
def test_a_capture_labelled_as_an_ordinary_image_is_one(kind):
    """Ultrasound regions, a capture's own attributes, recognisable features, CAPTURE/SNAPSHOT in
    ImageType: OCR must run and the known regions are blanked; with OCR off it is held."""
    ds = CAPTURES[kind]
    assert burned_in.risk_reason(ds, NO_PIXELS)
    with pytest.raises(burned_in.HeldForReview):
        deidentify_dicom(to_bytes(ds), pseudonymise=pseudonymise, options=NO_PIXELS)


def test_an_ordinary_grey_image_is_not_a_capture():
    ds = files._image(base())
    assert burned_in.risk_reason(ds, NO_PIXELS) is None
    deidentify_dicom(to_bytes(ds), pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False, use_strokes=False))
