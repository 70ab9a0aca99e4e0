"""D1: free text of a structured report (TextValue at any depth) is kept after the free-text
scrubber instead of being removed, and nothing identifying survives: names, 身分證字號, 病歷號,
phones, addresses, e-mails, dates (removed from the header, so from the report too) and
institutions.  A scrubber that cannot run removes the text (default deny).

Switching the scrubber off (``deidentify.dicom.text_values:scrub_values`` handing its texts
back, policies/rules_index.yaml) makes test_report_texts_scrubbed_at_every_depth fail."""
from __future__ import annotations

import hashlib
import hmac
import io

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from deidentify.dicom import deidentify_dataset, text_values
from deidentify.dicom.pixels import PixelOptions

NO_PIXELS = PixelOptions(use_ocr=False, use_strokes=False)
BASIC_SR = "1.2.840.10008.5.1.4.1.1.88.11"


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


# (report text, identifying strings that must go, clinical words that must stay)
REPORTS = [
    ("陳大明先生由其女兒王小華陪同就診，胸部CT顯示右上肺葉2.3公分結節。",
     ["陳大明", "王小華"], ["右上肺葉", "結節"]),
    ("病患身分證字號A123456789，病歷號 0012345678，肝臟多發性囊腫。",
     ["A123456789", "0012345678"], ["肝臟", "囊腫"]),
    ("聯絡電話 0912-345-678，住臺北市中正區中山南路7號，建議三個月後追蹤。",
     ["0912-345-678", "中山南路7號"], ["建議", "追蹤"]),
    ("Discussed with daughter Wang Xiao-Hua; 2.3 cm nodule in RUL, recommend follow-up CT.",
     ["Wang Xiao-Hua"], ["nodule", "RUL"]),
    ("Patient Chen Ta-Ming, chart no. 0012345678, ID F223456786. No pneumothorax.",
     ["Chen Ta-Ming", "0012345678", "F223456786"], ["pneumothorax"]),
    ("Compared with CT of 2023/04/15 and 民國112年4月15日: interval growth of the mass.",
     ["2023/04/15", "112年4月15日"], ["interval growth"]),
    ("Transferred from Kaohsiung Veterans General Hospital; mild cardiomegaly.",
     ["Kaohsiung Veterans General Hospital"], ["cardiomegaly"]),
    ("病人自林口長庚紀念醫院轉入，於 2024年1月5日 接受檢查，膽結石。",
     ["林口長庚紀念醫院", "2024年1月5日"], ["膽結石"]),
    ("Results sent to lin.meiyun@ntuh.gov.tw, call 02-2312-3456 ext 5566. Fatty liver.",
     ["lin.meiyun@ntuh.gov.tw", "02-2312-3456"], ["Fatty liver"]),
    ("Born 1950-03-04 (DOB), seen at NTUH ward 7B: old granulomatous change.",
     ["1950-03-04", "NTUH"], ["granulomatous"]),
    ("林美玲小姐（病歷號：A0451223）左側乳房 BI-RADS 4，建議切片。",
     ["林美玲", "A0451223"], ["BI-RADS 4", "切片"]),
    ("Mr. Huang Kuo-Hua, NHI card 000012345678, lives at 12 Baker Street. No acute finding.",
     ["Huang Kuo-Hua", "000012345678", "12 Baker Street"], ["acute finding"]),
]
DEPTHS = [0, 1, 4, 8]


def _base() -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = BASIC_SR
    ds.file_meta.MediaStorageSOPInstanceUID = "2.25.7"
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = BASIC_SR
    ds.SOPInstanceUID = "2.25.7"
    ds.Modality = "SR"
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = "CHEN^TA-MING"
    ds.PatientID = "A123456789"
    ds.PatientBirthDate = "19500304"
    ds.ValueType = "CONTAINER"
    return ds


def _item(text: str, depth: int, vr: str = "UT") -> Dataset:
    """A TEXT content item ``depth`` CONTAINER levels down."""
    leaf = Dataset()
    leaf.RelationshipType = "CONTAINS"
    leaf.ValueType = "TEXT"
    leaf.add_new(0x0040A160, vr, text)
    item = leaf
    for _ in range(depth):
        outer = Dataset()
        outer.RelationshipType = "CONTAINS"
        outer.ValueType = "CONTAINER"
        outer.ContentSequence = Sequence([item])
        item = outer
    return item


def _leaf(ds: Dataset) -> Dataset:
    item = ds.ContentSequence[0]
    while "ContentSequence" in item:
        item = item.ContentSequence[0]
    return item


def _written(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _clean(ds: Dataset, **kw):
    return deidentify_dataset(ds, pseudonymise=pseudonymise, options=NO_PIXELS, profile_options=(), **kw)


def test_report_texts_scrubbed_at_every_depth():
    """12 reports × 4 depths (48 cases) in one object each: identifiers gone, findings kept."""
    failures = []
    for text, secrets, keep in REPORTS:
        for depth in DEPTHS:
            ds = _base()
            ds.ContentSequence = Sequence([_item(text, depth)])
            report = _clean(ds)
            data = _written(ds)
            leaf = _leaf(pydicom.dcmread(io.BytesIO(data)))
            value = str(leaf.get("TextValue", ""))
            for s in secrets:
                if s.encode() in data or s in value:
                    failures.append((depth, text, s, value))
            for word in keep:
                if word not in value:
                    failures.append((depth, text, f"lost {word}", value))
            assert report.scrubbed, report
    assert not failures, failures


@pytest.mark.parametrize("vr", ["UT", "LT", "ST"])
def test_text_value_in_any_free_text_vr(vr):
    ds = _base()
    ds.ContentSequence = Sequence([_item("王小華陪同，電話0912-345-678，肺氣腫。", 2, vr)])
    _clean(ds)
    value = str(_leaf(ds).TextValue)
    assert "王小華" not in value and "0912-345-678" not in value and "肺氣腫" in value


def test_many_items_and_siblings_each_scrubbed():
    ds = _base()
    items = [_item(text, k % 3) for k, (text, _, _) in enumerate(REPORTS)]
    ds.ContentSequence = Sequence(items)
    _clean(ds)
    data = _written(ds)
    for _, secrets, _ in REPORTS:
        for s in secrets:
            assert s.encode() not in data, s


def test_scrubber_failure_removes_the_text(monkeypatch):
    def broken(texts):
        raise RuntimeError("scrubber down")

    monkeypatch.setattr(text_values, "scrub_values", broken)
    ds = _base()
    ds.ContentSequence = Sequence([_item("陳大明 A123456789 肺結節", 3)])
    report = _clean(ds)
    assert "TextValue" not in _leaf(ds) and not report.scrubbed and report.removed
    assert "陳大明".encode() not in _written(ds)


def test_patients_own_strings_left_by_the_scrubber_still_remove_the_element():
    # "Ta-Ming" alone is not a name to the scrubber; the sweep knows it is the patient's.
    ds = _base()
    ds.ContentSequence = Sequence([_item("Ta-Ming reports cough", 1)])
    _clean(ds)
    assert b"TA-MING" not in _written(ds).upper()


def test_profile_x_comments_stay_removed_unless_the_policy_lists_them():
    ds = _base()
    ds.ImageComments = "Wang Xiao-Hua consented; motion artefact"
    ds.AcquisitionComments = "tech 林美玲 0912-345-678"
    _clean(ds)
    assert "ImageComments" not in ds and "AcquisitionComments" not in ds
    ds = _base()
    ds.ImageComments = "Wang Xiao-Hua consented; motion artefact"
    ds.AcquisitionComments = "tech 林美玲小姐 0912-345-678"
    _clean(ds, scrub_attributes=("TextValue", "ImageComments", "AcquisitionComments"))
    assert "motion artefact" in ds.ImageComments and "Wang" not in ds.ImageComments
    assert "0912-345-678" not in ds.AcquisitionComments and "林美玲" not in ds.AcquisitionComments


def test_retained_dates_option_keeps_report_dates():
    ds = _base()
    ds.ContentSequence = Sequence([_item("Compared with CT of 2023/04/15.", 1)])
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=NO_PIXELS,
                       profile_options=("retain_longitudinal_full_dates",))
    assert "2023/04/15" in _leaf(ds).TextValue


def test_text_value_arriving_as_binary_is_removed():
    ds = _base()
    item = _item("x", 1)
    leaf = item.ContentSequence[0]
    del leaf[0x0040A160]
    leaf.add_new(0x0040A160, "UN", "陳大明 A123456789".encode())
    ds.ContentSequence = Sequence([item])
    _clean(ds)
    assert "陳大明".encode() not in _written(ds)


def test_ordinary_findings_unchanged():
    text = "No focal consolidation. Heart size normal. 肝臟大小正常，無腹水。"
    ds = _base()
    ds.ContentSequence = Sequence([_item(text, 2)])
    _clean(ds)
    assert _leaf(ds).TextValue == text
