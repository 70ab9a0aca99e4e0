"""D1, eleventh round of unseen DICOM files (tests/deidentify/dicom_round11_files.py builds them):
a name no list holds beside a vendor's, model's or clinical word ("Siemens Okonkwo", "Lumify Ayo
2", "GE-Mwangi", "Wanjiru syndrome"), and UIDs that carry a date, a serial or a MAC in their
components.  Each member goes through the real entry (``deidentify_dicom``) and the round-3 search
in every encoding.  The safe counterparts stay: products and vendors the lists hold, eponyms
radiology writes, a coding scheme's edition (``20230131``: a version, not the patient's date), the
standard's own UIDs; re-mapped UIDs stay consistent across the files of a series."""
from __future__ import annotations

import io

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from deidentify.dicom import deidentify_dataset, deidentify_dicom, device_words, label_terms, value_dates
from tests.deidentify import dicom_round11_files as files
from tests.deidentify import dicom_suite as suite
from tests.deidentify.dicom_round3_files import CHART, _code, base, to_bytes
from tests.deidentify.dicom_round8_files import _place
from tests.deidentify.dicom_round9_files import _sr
from tests.deidentify.test_dicom_unseen_round3 import NO_PIXELS, pseudonymise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

MEMBERS = suite.load_members(files)


@pytest.mark.parametrize("member", MEMBERS, ids=suite.member_ids(MEMBERS))
def test_nothing_planted_leaves(member):
    suite.assert_nothing_leaves(member)


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    suite.assert_classes(MEMBERS, 250, {100: {"device-unlisted"}, 50: {"eponym-unlisted"}, 80: {"uid-dated"}})


def _clean(ds):
    read = pydicom.dcmread(io.BytesIO(to_bytes(ds)))
    report = deidentify_dataset(read, pseudonymise=pseudonymise, options=NO_PIXELS)
    return read, report


# --- names beside device words ---------------------------------------------------------------

@pytest.mark.parametrize("value", ["Siemens Okonkwo", "Lumify Ayo 2", "T2 FLAIR Oyelaran", "GE-Mwangi",
                                   "Aquilion (Kiprotich)", "Varian Halcyon Tshabalala", "Philips TESFAYE"])
def test_a_name_beside_device_words_goes_with_its_reason(value):
    ds = base()
    ds.ManufacturerModelName = value
    read, report = _clean(ds)
    assert read.get("ManufacturerModelName") is None
    assert "a name is assumed" in report.reasons.get("ManufacturerModelName", ""), report.reasons


SAFE_DEVICES = ["Varian Halcyon", "Siemens Artis zeego", "Siemens Healthineers AG", "Planmeca Viso G7",
                "Elekta Leksell Gamma Knife Icon", "Accuray CyberKnife", "Toshiba Aquilion ONE", "GE LightSpeed VCT",
                "Hologic Selenia Dimensions", "Philips Ingenia Elition X", "Siemens MAGNETOM Skyra", "J. MORITA MFG. CORP.",
                "Varian TrueBeam 2.7", "Carestream DRX-Evolution", "Canon Medical Systems Corp", "SIEMENS", "Konica Minolta"]


@pytest.mark.parametrize("value", SAFE_DEVICES)
def test_products_and_vendors_stay(value):
    assert label_terms.device_person(value, "ManufacturerModelName") is None
    ds = base()
    ds.ManufacturerModelName = value
    read, _ = _clean(ds)
    assert read.get("ManufacturerModelName") == value


def test_the_product_list_is_no_person_list():
    """A word added to PRODUCTS to keep a model is no surname of the round's names."""
    assert not {n.lower() for n in files.NAMES} & device_words.PRODUCTS
    assert not {n.lower() for n in files.NAMES} & device_words.EPONYMS


# --- eponyms -----------------------------------------------------------------------------------

EPONYMS = ["Cushing syndrome", "Colles fracture", "Hodgkin lymphoma", "Takayasu arteritis", "Chiari malformation",
           "Kikuchi disease", "Morton neuroma", "Bankart lesion", "Towne view", "Whipple procedure", "PICC line",
           "Foley catheter", "Hickman line", "Swan-Ganz catheter", "TIPS procedure"]


@pytest.mark.parametrize("value", EPONYMS)
def test_listed_eponyms_stay_in_labels_and_sr(value):
    ds = base()
    _place(ds, "ContentDescription", value)
    read, _ = _clean(ds)
    assert read.get("ContentDescription") == value
    read, _ = _clean(_sr(f"{value} suspected"))
    assert read.ContentSequence[0].get("TextValue") == f"{value} suspected"


def test_sr_sentences_keep_listed_eponyms_and_lose_the_others():
    text = "Cushing syndrome and Okonkwo syndrome confirmed; chest tube in place, lateral view obtained."
    read, _ = _clean(_sr(text))
    kept = read.ContentSequence[0].get("TextValue")
    assert kept and "Okonkwo" not in kept and "Cushing syndrome" in kept and "lateral view obtained" in kept, kept


@pytest.mark.parametrize("name", ["Wanjiru", "Okonkwo", "Tshabalala"])
def test_an_unlisted_eponym_is_a_person(name):
    ds = base()
    _place(ds, "ContentDescription", f"{name} syndrome")
    read, report = _clean(ds)
    assert read.get("ContentDescription") is None and report.residual_removed


# --- a coding scheme's edition -------------------------------------------------------------------

def _versions(version: str) -> Dataset:
    ds = base()
    code = _code("363698007", "Finding site", "SCT")
    code.CodingSchemeVersion = version
    ds.AnatomicRegionSequence = Sequence([code])
    scheme = Dataset()
    scheme.CodingSchemeDesignator, scheme.CodingSchemeVersion, scheme.CodingSchemeName = "SCT", version, "SNOMED CT"
    ds.CodingSchemeIdentificationSequence = Sequence([scheme])
    return ds


@pytest.mark.parametrize("version", ["20230131", "2023-01", "3.5.1", "20210731"])
def test_a_scheme_version_stays(version):
    assert value_dates.scheme_version("CodingSchemeVersion", version)
    read, _ = _clean(_versions(version))
    assert read.AnatomicRegionSequence[0].get("CodingSchemeVersion") == version
    assert read.CodingSchemeIdentificationSequence[0].get("CodingSchemeVersion") == version


def test_the_patients_number_in_a_scheme_version_still_goes():
    """The scrubber is not asked about a version, the patient's own strings still are."""
    read, _ = _clean(_versions(CHART))
    assert read.AnatomicRegionSequence[0].get("CodingSchemeVersion") is None
    assert not value_dates.scheme_version("CodingSchemeVersion", "Okonkwo 2023")
    assert not value_dates.scheme_version("ContentDescription", "20230131")


# --- UIDs re-mapped consistently ---------------------------------------------------------------------

def _series_file(instance: int) -> bytes:
    ds = base()
    ds.StudyInstanceUID = "1.2.392.200036.9116.2.20230514.1"
    ds.SeriesInstanceUID = "1.2.840.10008.2023.5.14.3"
    ds.FrameOfReferenceUID = "1.3.12.2.1107.5.1.4.105.001122334455.20230514"
    ds.SOPInstanceUID = f"1.2.392.200036.9116.2.20230514.1.{instance}"
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ref = Dataset()
    ref.ReferencedSOPClassUID = ds.SOPClassUID
    ref.ReferencedSOPInstanceUID = "1.2.392.200036.9116.2.20230514.1.1"
    ds.ReferencedImageSequence = Sequence([ref])
    return to_bytes(ds)


def test_dated_uids_are_remapped_the_same_across_a_series():
    one, two = (pydicom.dcmread(io.BytesIO(deidentify_dicom(_series_file(i), pseudonymise=pseudonymise,
                                                              options=NO_PIXELS))) for i in (1, 2))
    for kw in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
        assert one.get(kw) == two.get(kw) and one.get(kw).startswith("2.25."), kw
        assert "20230514" not in one.get(kw) and "2023.5.14" not in one.get(kw)
    assert one.SOPInstanceUID != two.SOPInstanceUID
    assert two.ReferencedImageSequence[0].ReferencedSOPInstanceUID == one.SOPInstanceUID
    assert one.file_meta.MediaStorageSOPInstanceUID == one.SOPInstanceUID
    assert one.SOPClassUID == pydicom.uid.CTImageStorage     # the standard's own UIDs stay
    assert one.ReferencedImageSequence[0].ReferencedSOPClassUID == pydicom.uid.CTImageStorage
