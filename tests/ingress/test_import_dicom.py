"""Import review (D4): DICOM files brought in must already be de-identified.

Before, only ten header elements were looked at (PatientName, PatientID, ...) and never the
pixels: a patient's name in a private tag, an SR's text, a nested sequence item, the file meta,
the preamble, or burned into the image, was taken.  Now the file goes through the steward's own
de-identifier on a copy (egress_review/ingress/dicom_import.py): whatever the PS3.15 profile
would remove, empty or rewrite and that holds data blocks the file with the element named;
text in the pixels, or pixels not read, go to a person.  Each member below is a file that is
de-identified except for one place; the counterpart, the same file with nothing added, passes.
"""
from __future__ import annotations

import io
import random

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from deidentify.dicom import deidentify_dicom
from deidentify.dicom.synthetic import make_dicom
from egress_review.ingress.checks import ImportItem, check_import
from tests.ingress.conftest import zip_of


def _pseudonym(value: str) -> str:
    return "P" + str(sum(map(ord, value)))


def _base(seed: int = 3, burned: str = "") -> Dataset:
    """A synthetic CT put through the enclave's de-identifier, patient ID then emptied."""
    raw = make_dicom(random.Random(seed), "Chen^Mei", "A123456789", "19600101", "20200101", burned)
    ds = pydicom.dcmread(io.BytesIO(deidentify_dicom(raw, pseudonymise=_pseudonym)))
    ds.PatientID = ""
    return ds


def _bytes(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _item(**values) -> Dataset:
    item = Dataset()
    for k, v in values.items():
        setattr(item, k, v)
    return item


def _sr_text(ds):
    ds.ContentSequence = Sequence([_item(ValueType="CONTAINER", ContentSequence=Sequence([
        _item(ValueType="TEXT", TextValue="Patient 陳美玲 seen by Dr Lin, chart 00123456")]))])


def _private(ds):
    ds.add_new(0x00110010, "LO", "ACME HOSPITAL")
    ds.add_new(0x00111001, "LO", "Chen Mei 1960-01-01")


def _meta_ae(ds):
    ds.file_meta.SourceApplicationEntityTitle = "NTUH_CT3"


def _preamble(ds):
    ds.preamble = b"Chen Mei A123456789".ljust(128, b"\0")


def _nested_person(ds):
    ds.RequestAttributesSequence = Sequence([_item(RequestedProcedureDescription="CT chest",
                                                   ReferencedPatientSequence=Sequence([_item(
                                                       PatientName="Chen^Mei")]))])


def _unknown_public(ds):
    ds.add_new(0x00091099, "UN", b"Chen Mei")   # private-group UN value
    ds.add_new(0x0021FFF0, "UN", b"A123456789")


ONE_PLACE = {
    "name in PatientName": lambda ds: setattr(ds, "PatientName", "Chen^Mei"),
    "patient id": lambda ds: setattr(ds, "PatientID", "A123456789"),
    "pseudonym as patient id": lambda ds: setattr(ds, "PatientID", "P2468"),
    "birth date": lambda ds: setattr(ds, "PatientBirthDate", "19600101"),
    "study date": lambda ds: setattr(ds, "StudyDate", "20200101"),
    "institution": lambda ds: setattr(ds, "InstitutionName", "National Taiwan University Hospital"),
    "operator": lambda ds: setattr(ds, "OperatorsName", "Lin^Wei"),
    "image comments": lambda ds: setattr(ds, "ImageComments", "for Mrs Chen, bed 12"),
    "study description": lambda ds: setattr(ds, "StudyDescription", "CT chest 陳美玲"),
    "accession": lambda ds: setattr(ds, "AccessionNumber", "A2020010112"),
    "other patient ids": lambda ds: setattr(ds, "OtherPatientIDs", "A123456789"),
    "address": lambda ds: setattr(ds, "PatientAddress", "台北市中正區重慶南路一段122號"),
    "phone": lambda ds: setattr(ds, "PatientTelephoneNumbers", "0912345678"),
    "station": lambda ds: setattr(ds, "StationName", "NTUHCT3"),
    "sr text": _sr_text,
    "private tag": _private,
    "file meta source AE": _meta_ae,
    "preamble": _preamble,
    "person in a nested sequence": _nested_person,
    "unknown elements": _unknown_public,
}


@pytest.fixture(scope="module")
def base_bytes():
    return _bytes(_base())


@pytest.fixture(scope="module")
def one_place_results(base_bytes, policy):
    header_only = pydicom.dcmread(io.BytesIO(base_bytes))
    del header_only.PixelData   # the header's members: no OCR run per file (pixels tested below)
    header_bytes = _bytes(header_only)
    items = [ImportItem("clean.dcm", "training_set", base_bytes),
             ImportItem("clean header.dcm", "training_set", header_bytes)]
    for what, change in ONE_PLACE.items():
        ds = pydicom.dcmread(io.BytesIO(header_bytes))
        change(ds)
        items.append(ImportItem(f"{what}.dcm", "training_set", _bytes(ds)))
    r = check_import(items, imaging=True, policy=policy.egress)
    return {f.path: f for f in r.files}


def _dicom_findings(f):
    return [(x.severity, x.message_en) for x in f.findings if x.check == "dicom"]


@pytest.mark.parametrize("path", ["clean.dcm", "clean header.dcm"])
def test_a_deidentified_file_is_taken(one_place_results, path):
    """Nothing of the DICOM check; an imaging training set still goes to the committee."""
    f = one_place_results[path]
    assert _dicom_findings(f) == []
    assert f.verdict == "review" and all(x.committee for x in f.findings), f.findings


@pytest.mark.parametrize("what", sorted(ONE_PLACE))
def test_identity_in_any_one_place_blocks(one_place_results, what):
    f = one_place_results[f"{what}.dcm"]
    assert f.verdict == "block", [(x.severity, x.message_en) for x in f.findings]
    assert any(x.check == "dicom" and "not de-identified" in x.message_en for x in f.findings)


def test_the_finding_names_the_element(one_place_results):
    by = {p: [e for x in f.findings for e in x.location.get("elements", [])]
          for p, f in one_place_results.items()}
    assert "PatientName" in by["name in PatientName.dcm"]
    assert any(e.startswith("ContentSequence[0].ContentSequence[0].TextValue") for e in by["sr text.dcm"])
    assert "(0011,1001)" in by["private tag.dcm"]
    assert "meta.SourceApplicationEntityTitle" in by["file meta source AE.dcm"]
    assert any("ReferencedPatientSequence[0].PatientName" in e for e in by["person in a nested sequence.dcm"])


def test_text_burned_into_the_pixels_goes_to_a_person(policy):
    burned = _base(seed=5, burned="Chen Mei\nA123456789")
    # the de-identifier blacked the text; write it back in as if brought from elsewhere
    raw = pydicom.dcmread(io.BytesIO(make_dicom(random.Random(5), "Chen^Mei", "A123456789", "19600101",
                                                "20200101", "Chen Mei\nA123456789")))
    burned.PixelData = raw.PixelData
    burned.BurnedInAnnotation = "NO"   # a header that says there is none
    r = check_import([ImportItem("burned.dcm", "training_set", _bytes(burned))], imaging=True,
                     policy=policy.egress)
    assert r.verdict == "review", [(x.severity, x.message_en) for x in r.findings]
    assert any(x.location.get("part") == "pixels" and "text found" in x.message_en for x in r.findings)


def test_a_header_saying_text_is_burned_in_goes_to_a_person(policy, base_bytes):
    ds = pydicom.dcmread(io.BytesIO(base_bytes))
    ds.BurnedInAnnotation = "YES"
    r = check_import([ImportItem("flag.dcm", "training_set", _bytes(ds))], imaging=True, policy=policy.egress)
    assert r.verdict == "review" and any("BurnedInAnnotation" in x.message_en for x in r.findings)


def test_pixels_over_the_reading_budget_go_to_a_person(policy, base_bytes):
    pol = policy.egress.model_copy(update={"import_ocr_max_images": 1})
    items = [ImportItem(f"s{k}.dcm", "training_set", base_bytes) for k in range(3)]
    r = check_import(items, imaging=True, policy=pol)
    assert [_dicom_findings(f) != [] for f in r.files] == [False, True, True]
    assert all("budget" in _dicom_findings(f)[0][1] for f in r.files[1:])


def test_pixels_that_cannot_be_decoded_go_to_a_person(policy, base_bytes):
    ds = pydicom.dcmread(io.BytesIO(base_bytes))
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50"   # JPEG baseline, bytes that are not
    ds.PixelData = pydicom.encaps.encapsulate([b"\xff\xd8not a jpeg\xff\xd9"])
    r = check_import([ImportItem("bad.dcm", "training_set", _bytes(ds))], imaging=True, policy=policy.egress)
    assert r.verdict in ("review", "block")
    assert any(x.check == "dicom" and x.severity in ("review", "block") for x in r.findings)


@pytest.mark.parametrize("data", [b"\0" * 128 + b"DICM" + b"\xff" * 40, b"\0" * 128 + b"DICM"],
                         ids=["garbage after DICM", "nothing after DICM"])
def test_a_file_that_does_not_read_as_dicom_is_not_taken_unchecked(policy, data):
    r = check_import([ImportItem("x.dcm", "training_set", data)], imaging=True, policy=policy.egress)
    assert r.verdict in ("block", "review"), [(x.severity, x.message_en) for x in r.findings]


def test_a_file_among_many_in_a_zip_blocks_the_zip(policy, base_bytes):
    ds = pydicom.dcmread(io.BytesIO(base_bytes))
    _private(ds)
    z = zip_of({"a/1.dcm": base_bytes, "a/2.dcm": base_bytes, "a/3.dcm": _bytes(ds)})
    r = check_import([ImportItem("set.zip", "training_set", z)], imaging=True, policy=policy.egress)
    assert r.verdict == "block"
    assert any(x.location.get("member", "").endswith("3.dcm") for x in r.findings if x.check == "dicom")
