"""D1: a person's name alone in a DICOM label, even where both of its words are English words
("Mark Smith", "GRACE KOWALSKI", "Smith, Rose", "SMITH^BILL"): round 8's lone-word rule reads only
words no list holds, and the free-text name finder wants context for a word-like given name, so
these passed before (found by the cut-off probe of test_policy_thresholds).  Each member goes
through the whole header pass in every label place, in three spellings; the safe counterparts
are labels of two words that a region, dose or layer is called ("Max Dose", "Summer Study" stays
too: both words on the term lists)."""
from __future__ import annotations

import io
import itertools

import pydicom
import pytest

from deidentify.dicom import deidentify_dataset, label_terms
from tests.deidentify import dicom_round8_files as files
from tests.deidentify.dicom_round3_files import base, to_bytes
from tests.deidentify.test_dicom_unseen_round3 import NO_PIXELS, pseudonymise

# given names that are also words, and others; surnames of several origins
GIVEN = ["Mark", "Grace", "Bill", "Hope", "Rose", "Will", "May", "Joy", "Faith", "Jack", "Amber", "Summer",
         "John", "Linda", "Peter", "Susan"]
FAMILY = ["Smith", "Kowalski", "Wang", "Lin", "Jones", "Garcia", "Nguyen", "Chen", "Huang", "Tsai"]


def _forms(given: str, family: str) -> list[str]:
    return [f"{given} {family}", f"{given} {family}".upper(), f"{family}, {given}",
            f"{family.upper()}^{given.upper()}", f"{given} J. {family}"]


MEMBERS = [(g, f, form) for g, f in itertools.product(GIVEN, FAMILY) for form in _forms(g, f)]


@pytest.mark.parametrize("given, family, value", MEMBERS)
def test_a_given_name_and_surname_alone_in_a_label_is_taken(given, family, value):
    assert label_terms.unknown_word(value, "SegmentLabel", "LO"), value


@pytest.mark.parametrize("where", files.LABEL_PLACES)
@pytest.mark.parametrize("value", ["Mark Smith", "GRACE KOWALSKI", "Smith, Rose", "SMITH^BILL", "Hope J. Lin"])
def test_the_header_pass_removes_it_with_its_reason(where, value):
    ds = base()
    files._place(ds, where, value)
    read = pydicom.dcmread(io.BytesIO(to_bytes(ds)))
    report = deidentify_dataset(read, pseudonymise=pseudonymise, options=NO_PIXELS)
    family = [w for w in value.replace(",", " ").replace("^", " ").split() if w.lower().strip(".")
              in {"smith", "kowalski", "lin"}][0]
    assert family not in str(read) and family.upper() not in str(read)
    # removed as a residual identifier (by this rule, with its reason, or by the name finder first)
    assert report.residual_removed, report


SAFE = ["Hong Kong", "Long Beach", "Max Dose", "Summer Study", "Mark Point", "Amber Light", "Brain Stem", "Left Lung", "Follow Up",
        "Contrast Phase", "Arterial Phase", "Grace Period", "Long Term", "Will Review", "Rose Bengal",
        "Skin Dose", "Bone Window", "Soft Tissue", "Key Images", "Body Outline", "Mean Value",
        "Field Edge", "Gross Tumor", "Planning Target", "Lung Nodule", "Heart Rate", "Region Growing",
        "Mark Region", "Lesion 1", "Axial T2", "Dose Report", "May Contrast"]


@pytest.mark.parametrize("value", SAFE)
def test_labels_of_two_ordinary_words_stay(value):
    for where in ("SegmentLabel", "ContentDescription", "GraphicLayerDescription"):
        assert label_terms.unknown_word(value, where, "LO") is None, (where, value)


def test_every_two_or_three_word_code_meaning_of_the_standard_stays():
    from pydicom.sr._concepts_dict import concepts

    meanings = {m for scheme in concepts.values() for by_name in scheme.values() for m, _ in by_name.values()
                if 2 <= len(m.split()) <= 3}
    taken = sorted(m for m in meanings if label_terms._given_and_surname(m))
    assert not taken, taken[:20]


def test_outside_labels_the_rule_does_not_apply():
    # a device's value is read by the device rules (vendors and models look like anything)
    assert label_terms.unknown_word("Mark Smith", "ManufacturerModelName", "LO") is None
