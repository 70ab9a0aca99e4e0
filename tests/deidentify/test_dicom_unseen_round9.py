"""D1, ninth round of unseen DICOM files (tests/deidentify/dicom_round9_files.py builds them): a
given name and a frequent surname that are both English words ("Rose Young"), a short name alone
("Ayo", "Li", "Ng"), a name beside ordinary words with no word that introduces it ("Wanjiru
follow up", "review Tsai"), a bare POJ given name ("Bi-le"), and the same in RT structure sets,
waveform annotations, per-frame groups, DICOMDIR records, deep items and vendors' private groups.
Each member goes through the real entry (``deidentify_dicom``) and the round-3 search in every
encoding; the two-letter names, too short for that search, are read back.  The safe counterparts
(labels a region, a dose, a view or a layer is called, imaging codes, eponyms, contrast agents,
hyphenated words) stay as written, in a file pydicom reads."""
from __future__ import annotations

import io

import pydicom
import pytest

from deidentify.dicom import deidentify_dataset, label_people, label_terms
from tests.deidentify import dicom_round8_files as r8
from tests.deidentify import dicom_round9_files as files
from tests.deidentify import dicom_suite as suite
from tests.deidentify.dicom_round3_files import base, to_bytes
from tests.deidentify.test_dicom_unseen_round3 import NO_PIXELS, pseudonymise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

MEMBERS = suite.load_members(files)


@pytest.mark.parametrize("member", MEMBERS, ids=suite.member_ids(MEMBERS))
def test_nothing_planted_leaves(member):
    suite.assert_nothing_leaves(member)


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    suite.assert_classes(MEMBERS, 310, {60: {"word-names", "short-name", "beside-words"}, 48: {"poj-bare"},
                                        50: {"adjacent"}, 40: {"sr-text"}})


def test_the_surnames_are_frequent_and_the_given_names_word_like():
    """The word-names class is what it says: surnames among the census's thousand most frequent,
    every one of them an English word the term lists hold (so round 8 kept the pair)."""
    assert all(label_people.frequent_surname(f) for f in files.SURNAME_WORDS)
    assert all(label_terms.known_word(f) for f in files.SURNAME_WORDS)


def _value(read: pydicom.Dataset, where: str):
    if where == "CodeMeaning":
        return read.AnatomicRegionSequence[0].get("CodeMeaning") if "AnatomicRegionSequence" in read else None
    if where == "GraphicLayerDescription":
        return read.GraphicLayerSequence[0].get(where) if "GraphicLayerSequence" in read else None
    return suite.value(read, where)


@pytest.mark.parametrize("where", r8.LABEL_PLACES + ["ContentLabel"])
@pytest.mark.parametrize("name", files.SHORT2)
def test_a_two_letter_name_alone_is_removed_with_its_reason(where, name):
    for value in (name, name.upper()) if where != "ContentLabel" else (name.upper(),):
        ds = base()
        r8._place(ds, where, value)
        read = pydicom.dcmread(io.BytesIO(to_bytes(ds)))
        report = deidentify_dataset(read, pseudonymise=pseudonymise, options=NO_PIXELS)
        assert _value(read, where) != value, (where, value)
        assert read.get("PatientIdentityRemoved") == "YES" and report.residual_removed, report
        # the rule's reason (another rule may remove the value first: then no reason is recorded)
        assert "short name" in label_terms.unknown_word(value, where, "CS" if where == "ContentLabel" else "LO")


@pytest.mark.parametrize("form", files.FORMS)
def test_every_word_like_pair_is_taken(form):
    """Every given word × frequent surname word, in each spelling (the generator samples them)."""
    missed = [value for g in files.GIVEN_WORDS for f in files.SURNAME_WORDS if g != f
              for value in [form.format(g=g, f=f, G=g.upper(), F=f.upper())]
              if not label_terms.unknown_word(value, "SegmentLabel", "LO")]
    assert not missed, missed[:10]


@pytest.mark.parametrize("form", files.BESIDE)
def test_every_name_beside_ordinary_words_is_taken(form):
    missed = [n for n in r8.LONE + files.ASIAN if not label_terms.unknown_word(form.format(n=n), "ContentDescription", "LO")]
    assert not missed, (form, missed)


@pytest.mark.parametrize("name", files.POJ_BARE + ["A-hok", "Bi-le-hoa"])
def test_bare_poj_given_names(name):
    for value in (name, name.upper(), name.lower(), f"({name})"):
        assert label_people.bare_poj_given(value), value


# --- the safe counterparts: they stay as written ------------------------------------------------

# (Max Dose, Summer Study, Amber Light: kept by the label rules, test_dicom_label_given_surname, but a
# first name beside a word is taken by round 6's rule in the whole pass)
SAFE = ["Mark Point", "Rose Bengal", "Grace Period", "Long Term", "Will Review", "Mark Region", "May Contrast", "Ax", "Cor", "Sag", "Abd", "Art", "Low", "Max", "ROI", "MIP",
        "GTV", "Eye", "Hip", "Jaw", "AP-PA", "X-ray", "Pre-op", "Hi-res", "Follow-up", "Bi-lat", "Co-reg",
        "Tc-99m", "Ki-67", "Liver lesion", "Key Images", "Head CT", "T2 FLAIR", "PTV boost", "Lung nodule 1",
        "Bone window", "Arterial phase", "Post Gadovist", "Delayed images", "Morton neuroma",
        "Takayasu arteritis", "Chiari malformation", "Growing nodule", "Region Growing", "Do not use", "Low dose",
        "Left kidney cyst", "Hong Kong", "Reviewed", "Arrows and text", "Rotated view", "Cropped images"]


@pytest.mark.parametrize("where", r8.LABEL_PLACES)
def test_labels_a_study_needs_stay(where):
    lost = []
    for value in SAFE:
        ds = base()
        r8._place(ds, where, value)
        got = _value(suite.cleaned(ds), where)
        if got != value:
            lost.append((value, got))
    assert not lost


@pytest.mark.parametrize("where", ["ContentLabel", "BodyPartExamined"])
def test_code_strings_a_study_needs_stay(where):
    lost = []
    for value in ["DVH", "DRR", "OAR", "SEG", "TMJ", "EAR", "HIP", "CHEST", "ABDOMEN", "ROI", "MIP"]:
        ds = base()
        r8._place(ds, where, value)
        got = suite.value(suite.cleaned(ds), where)
        if got != value:
            lost.append((value, got))
    assert not lost


@pytest.mark.parametrize("value", ["AP-PA", "So-so", "Hi-res", "X-ray", "Follow-up", "Tc-99m", "Pre-op", "Bi-lat",
                                   "Tom-tom", "Ha-ha", "Ki-67"])
def test_hyphenated_words_are_no_poj_names(value):
    assert not label_people.bare_poj_given(value)


def test_a_bare_poj_name_in_sr_text_is_masked_and_the_file_reads():
    ds = files._sr("Siu-lan")
    read = suite.cleaned(ds)
    assert "Siu" not in str(read) and read.ContentSequence[0].TextValue == "<NAME>"
    kept = suite.cleaned(files._sr("AP-PA"))
    assert kept.ContentSequence[0].TextValue == "AP-PA"


DEVICE_VALUES = ["Ayo", "Li", "Ng", "Rose Young", "Hope Young", "review Tsai", "Wanjiru follow up", "Kiprono again",
                 "Bi-le", "Siu-lan", "Aquilion Rose Young", "SIEMENS Grace White"]
DEVICE_SAFE = ["SIEMENS", "Aquilion ONE", "Lumify", "Ingenia", "Rose", "Summer", "Harmony Expert", "syngo MR E11",
               "Head Neck", "Body", "STD", "Lung", "Sharp", "Br40d", "GE MEDICAL SYSTEMS", "Philips Medical Systems"]


@pytest.mark.parametrize("where", r8.DEVICE_PLACES)
def test_the_same_names_in_a_device_value_go_and_devices_stay(where):
    """The outside tester's next step: the round's members in a model, kernel, version or coil."""
    kept, lost = [], []
    for value in DEVICE_VALUES + DEVICE_SAFE:
        ds = base()
        r8._place(ds, where, value)
        got = suite.value(suite.cleaned(ds), where)
        if value in DEVICE_VALUES and got is not None:
            kept.append(value)
        if value in DEVICE_SAFE and got != value:
            lost.append((value, got))
    assert not kept, kept
    assert not lost, lost


SR_SAFE = ["Normal", "No change", "Stable nodule", "Follow up in 6 months", "Will review", "Mark Point", "Brain Stem",
           "Compared with prior study.", "Reviewed by radiology.", "Sent to PACS", "Key Images", "Morton neuroma",
           "Liver lesion", "Arterial phase", "Growing nodule", "Copy to referring team", "Seen by the on-call team."]


def test_sr_text_a_study_needs_stays():
    lost = [(v, got) for v in SR_SAFE
            for got in [suite.cleaned(files._sr(v)).ContentSequence[0].get("TextValue")] if got != v]
    assert not lost, lost


def test_an_introduced_pair_is_masked_and_the_sentence_kept():
    got = suite.cleaned(files._sr("Seen by Hope Young on the ward.")).ContentSequence[0].TextValue
    assert got == "Seen by <NAME> on the ward."
