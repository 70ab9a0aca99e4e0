"""The PS3.15 Annex E basic profile, attribute by attribute: PHI planted in every attribute of the
standard's table (every value type, nested in sequences), private tags, binary values, GPS/EXIF
tags and birth dates in the ROC calendar; after cleaning, no original value anywhere."""
from __future__ import annotations

import hashlib
import hmac
import io
import subprocess
import sys

import pydicom
import pytest
from pydicom.datadict import dictionary_has_tag, dictionary_VR, keyword_for_tag
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage

from deidentify.dicom import deidentify_dataset
from deidentify.dicom.annex_e_table import ENTRIES, SOURCE
from deidentify.dicom.profile import action_for, profile_table
from deidentify.dicom.sweep import birth_date_forms, parse_birth_date

SECRET_TEXT = "CHEN TA-MING A123456789"
SECRET_NAME = "CHEN^TA-MING=陳^大明"
SECRET_UID = "1.2.826.0.1.3680043.99.4242.7"
SECRET_DATE = "19500304"


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


def _base() -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = "2.25.1"
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.PatientName = SECRET_NAME
    ds.PatientID = "A123456789"
    ds.PatientBirthDate = SECRET_DATE
    return ds


def _planted(vr: str):
    vr = vr.split(" or ")[0]
    if vr == "PN":
        return SECRET_NAME
    if vr == "UI":
        return SECRET_UID
    if vr in ("DA", "DT"):
        return SECRET_DATE if vr == "DA" else SECRET_DATE + "101010"
    if vr == "TM":
        return "101010"
    if vr in ("OB", "OW", "UN", "OD", "OF", "OL", "OV"):
        return SECRET_TEXT.encode() + b" "
    if vr in ("US", "SS", "UL", "SL", "UV", "SV"):
        return 4242
    if vr in ("FL", "FD"):
        return 42.42
    if vr in ("IS", "DS"):
        return "4242"
    if vr == "AS":
        return "091Y"
    if vr == "AT":
        return 0x00100010
    if vr in ("CS", "AE"):
        return "CHEN TA-MING"
    return SECRET_TEXT


def _single_entries():
    for tag, mask, code, name, keyword in ENTRIES:
        if mask == 0xFFFFFFFF and dictionary_has_tag(tag) and tag >> 16 not in (0x0000, 0x0002, 0xFFFA, 0xFFFC):
            yield pytest.param(tag, code, id=f"{tag:08X}-{keyword_for_tag(tag) or name}")


def _same(after, planted) -> bool:
    if after is None or after == "" or after == b"":
        return False
    if isinstance(planted, bytes):
        return SECRET_TEXT.encode() in bytes(after)
    return str(planted) in str(after) or str(after) == str(planted)


def test_table_is_the_standards_and_complete():
    assert "PS3.15" in SOURCE and "Table E.1-1" in SOURCE
    single, groups = profile_table()
    assert len(ENTRIES) >= 600                 # the 2026c edition lists 655
    assert len(single) + len(groups) == len(ENTRIES)
    for kw in ("PatientName", "PatientBirthDate", "ReasonForTheRequestedProcedure", "GPSLatitude",
               "GPSLongitude", "CameraOwnerName", "PatientAge", "InstitutionName"):
        from pydicom.datadict import tag_for_keyword
        assert tag_for_keyword(kw) in single, kw


def test_committed_table_equals_a_fresh_generation():
    out = subprocess.run([sys.executable, "-m", "deidentify.dicom.generate_annex_e", "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("tag,code", list(_single_entries()))
def test_every_profile_attribute_loses_its_value(tag, code):
    vr = dictionary_VR(tag).split(" or ")[0]
    ds = _base()
    if vr == "SQ":
        item = Dataset()
        item.PatientName = SECRET_NAME                 # a name inside the sequence
        item.add_new(0x00081155, "UI", SECRET_UID)     # a reference inside it
        item.add_new(0x00204000, "LT", SECRET_TEXT)    # free text inside it
        ds.add_new(tag, "SQ", Sequence([item]))
    else:
        ds.add_new(tag, vr, _planted(vr))
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=())
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    back = pydicom.dcmread(io.BytesIO(buf.getvalue()))
    if tag not in back:
        return
    elem = back[tag]
    if vr == "SQ":
        for it in elem.value:
            assert "PatientName" not in it or not str(it.PatientName)
            assert SECRET_TEXT not in str(it)
            assert SECRET_UID not in str(it)
        return
    assert not _same(elem.value, _planted(vr)), (code, elem)


def test_repeating_groups_curves_and_overlays_removed():
    ds = _base()
    ds.add_new(0x50000000 | 0x3000, "OB", SECRET_TEXT.encode() + b" ")
    ds.add_new(0x60024000, "LT", SECRET_TEXT)   # overlay comments, group 6002
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=())
    assert 0x50003000 not in ds and 0x60024000 not in ds


@pytest.mark.parametrize("vr,value", [("LO", SECRET_TEXT), ("PN", "陳大明"), ("OB", SECRET_TEXT.encode() + b" "),
                                      ("UN", "陳大明".encode("big5")), ("DA", SECRET_DATE), ("UT", "ok text")])
@pytest.mark.parametrize("group", [0x0009, 0x0029, 0x7FD1])
def test_private_tags_of_every_type_removed(group, vr, value):
    ds = _base()
    block = ds.private_block(group, "VENDOR X", create=True)
    block.add_new(0x10, vr, value)
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=())
    assert not any(e.tag.is_private for e in ds)


@pytest.mark.parametrize("encoding", ["utf-8", "big5", "utf-16-le"])
def test_binary_value_outside_the_table_holding_the_name_is_removed(encoding):
    ds = _base()
    ds.ICCProfile = ("profile for 陳大明 " ).encode(encoding) + b"\x00" * 2   # OB, not in the table
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=())
    assert "ICCProfile" not in ds


def test_binary_value_without_identity_is_kept():
    ds = _base()
    ds.ICCProfile = bytes(range(256))
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=())
    assert ds.ICCProfile == bytes(range(256))


@pytest.mark.parametrize("written", ["0390304", "39.03.04", "039/03/04", "民國39年3月4日", "39/3/4", "1950-03-04",
                                     "19500304", "1950/3/4"])
def test_birth_date_in_any_calendar_parsed(written):
    import datetime as dt
    assert parse_birth_date(written) == dt.date(1950, 3, 4)


@pytest.mark.parametrize("birth", ["19500304", "0390304", "39.03.04", "民國39年3月4日"])
@pytest.mark.parametrize("leak", ["出生 039/03/04", "DOB 1950-03-04", "民國39年3月4日生", "born 39.03.04",
                                  "b. 03/04/1950"])
def test_birth_date_leaked_in_kept_text_removed_whatever_the_calendar(birth, leak):
    # a Taiwanese HIS may write the birth date in the ROC calendar even in a DA element
    ds = _base()
    ds.PatientBirthDate = birth
    ds.add_new(0x00080070, "LO", f"Vendor {leak}")  # Manufacturer: kept by the profile
    ds.add_new(0x00081090, "LO", "SYNTH-CT")         # ManufacturerModelName: kept, no leak
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=())
    assert "Manufacturer" not in ds
    assert ds.ManufacturerModelName == "SYNTH-CT"


def test_roc_birth_date_forms_cover_the_written_ones():
    import datetime as dt
    forms = birth_date_forms(dt.date(1950, 3, 4))
    for f in ("039/03/04", "39.03.04", "民國39年3月4日", "0390304", "1950-03-04", "1950/3/4"):
        assert f in forms


def test_person_name_anywhere_goes_without_a_score():
    ds = _base()
    item = Dataset()
    item.add_new(0x0040A123, "PN", "Lin")   # PersonName in a kept context: one bare word
    ds.add_new(0x00081250, "SQ", Sequence([item]))  # RelatedSeriesSequence (not in the table: K)
    ds.add_new(0x00081060, "PN", "Wu")      # NameOfPhysiciansReadingStudy
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=())
    for elem in ds.iterall():
        if elem.VR == "PN":
            assert not str(elem.value or "").strip(), elem


def test_retain_dates_option_keeps_study_dates_but_never_the_birth_date():
    ds = _base()
    ds.StudyDate = "20240105"
    deidentify_dataset(ds, pseudonymise=pseudonymise, profile_options=("retain_longitudinal_full_dates",))
    assert ds.StudyDate == "20240105"
    assert not ds.get("PatientBirthDate")
    assert action_for(0x00080020, "StudyDate", "DA", ()) in ("Z", "X")


def test_unknown_option_refused():
    with pytest.raises(ValueError, match="unknown DICOM profile option"):
        deidentify_dataset(_base(), pseudonymise=pseudonymise, profile_options=("retain_everything",))
