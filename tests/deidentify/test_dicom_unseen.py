"""D1: identifiers in places of a DICOM file no earlier test planted them: unknown public tags,
SR text at depth, names in non-PN value representations, lying VRs, implicit-VR files whose
unknown tags arrive as UN, character sets and padding.  After cleaning, none of the planted
strings may be anywhere in the written file; ordinary acquisition values stay."""
from __future__ import annotations

import hashlib
import hmac
import io

import pydicom
import pytest
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, SecondaryCaptureImageStorage

from deidentify.dicom import deidentify_dataset
from deidentify.dicom.pixels import PixelOptions

NAME = "CHEN^TA-MING"
OTHER = "Wang Xiao-Hua"          # a third person (not the patient): a relative, a technician
HOSPITAL = "Kaohsiung Veterans General Hospital"
NO_PIXELS = PixelOptions(use_ocr=False, use_strokes=False)


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


def _base(syntax=ExplicitVRLittleEndian) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = "2.25.1"
    ds.file_meta.TransferSyntaxUID = syntax
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.PatientName = NAME
    ds.PatientID = "A123456789"
    ds.PatientBirthDate = "19500304"
    ds.Modality = "CT"
    ds.SliceThickness = "2.5"
    return ds


def _cleaned_bytes(ds: Dataset) -> bytes:
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=NO_PIXELS, profile_options=())
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _absent(data: bytes, *secrets: str) -> None:
    low = data.lower()
    for secret in secrets:
        for form in {secret, secret.replace("^", " ")}:
            for codec in ("utf-8", "big5", "utf-16-le"):
                try:
                    needle = form.encode(codec).lower()
                except UnicodeEncodeError:
                    continue
                assert needle not in low, f"{form!r} ({codec}) left in the cleaned file"


# An unknown public (even-group) tag, a retired or unlisted text attribute, SR text: what the
# table does not name is either removed or read; a third person's name must not pass.
UNLISTED_TEXT = [
    ("unknown even tag LO", 0x00F21010, "LO", f"{OTHER}"),
    ("unknown even tag UT", 0x00F80020, "UT", f"Referred by {OTHER} of {HOSPITAL}"),
    ("unknown even tag SH", 0x00F40100, "SH", "Chen Ta-Ming"),
    ("unknown even tag LT", 0x00F61000, "LT", f"tech {OTHER}"),
    ("unknown even tag ST", 0x00FA0001, "ST", f"{HOSPITAL}"),
    ("unknown even tag UC", 0x00FC0002, "UC", f"{OTHER}"),
    ("document title", 0x00420010, "ST", "Report for Chen Ta-Ming"),
    ("unknown even tag CS", 0x00FE0010, "CS", "CHEN TA MING"),
    ("unknown even tag LO hospital", 0x00F21020, "LO", HOSPITAL),
    ("unknown even tag SH station", 0x00F21021, "SH", "KVGH-CT01"),
    ("unknown even tag LO address", 0x00F21022, "LO", "386 Dazhong 1st Rd Zuoying"),
    ("unknown even tag LO serial", 0x00F21023, "LO", "SN-99881"),
    ("unknown even tag LT history", 0x00F21024, "LT", "transferred from KVGH ward 7B"),
    ("image presentation comments LT", 0x00284000, "LT", "annotated at KVGH ward 7B"),
    ("SR text value UT", 0x0040A160, "UT", "seen at KVGH ward 7B"),
]


@pytest.mark.parametrize("label,tag,vr,value", UNLISTED_TEXT, ids=[c[0] for c in UNLISTED_TEXT])
def test_text_in_tags_the_table_does_not_name(label, tag, vr, value):
    ds = _base()
    ds.add_new(tag, vr, value)
    _absent(_cleaned_bytes(ds), value, "Chen Ta-Ming", OTHER)


def _sr_item(depth: int, text: str) -> Dataset:
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = "TEXT"
    item.TextValue = text
    if depth > 0:
        item.ContentSequence = Sequence([_sr_item(depth - 1, text)])
    return item


SR_TEXTS = [
    f"Discussed with daughter {OTHER}",
    "Patient Chen Ta-Ming, 72 y, seen in clinic",
    f"Transferred from {HOSPITAL}",
    "Call 0912-345-678 for results",
    "Chart A123456789 reviewed",
    "陳大明先生由其女兒王小華陪同",
]


@pytest.mark.parametrize("depth", [0, 3, 6])
@pytest.mark.parametrize("text", SR_TEXTS)
def test_structured_report_text_at_depth(depth, text):
    ds = _base()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.ContentSequence = Sequence([_sr_item(depth, text)])
    _absent(_cleaned_bytes(ds), text)


def test_sr_person_name_and_observer_at_depth():
    ds = _base()
    item = _sr_item(4, "no finding")
    leaf = item
    while "ContentSequence" in leaf:
        leaf = leaf.ContentSequence[0]
    leaf.ValueType = "PNAME"
    leaf.PersonName = "WANG^XIAO-HUA"
    ds.ContentSequence = Sequence([item])
    ds.VerifyingObserverSequence = Sequence([Dataset()])
    ds.VerifyingObserverSequence[0].VerifyingObserverName = "LIN^MEI-YUN"
    _absent(_cleaned_bytes(ds), "WANG^XIAO-HUA", "LIN^MEI-YUN", "XIAO-HUA")


# Attributes the table names, planted with identifiers (a sample of the classes of the brief).
LISTED = [
    ("InstitutionName", "LO", HOSPITAL), ("InstitutionAddress", "ST", "No. 386, Dazhong 1st Rd, Zuoying"),
    ("InstitutionalDepartmentName", "LO", "Chen Ta-Ming ward"), ("StationName", "SH", "KVGH-CT01"),
    ("DeviceSerialNumber", "LO", "SN-99881"), ("OperatorsName", "PN", "LIN^MEI-YUN"),
    ("PerformingPhysicianName", "PN", "WU^CHIEN"), ("ImageComments", "LT", f"{OTHER} consented"),
    ("StudyDescription", "LO", "CT for Chen Ta-Ming"), ("AdditionalPatientHistory", "LT", "son Wang Xiao-Hua"),
    ("RequestedProcedureDescription", "LO", "CT Chen Ta-Ming"), ("AccessionNumber", "SH", "ACC20230451"),
    ("IssuerOfPatientID", "LO", "KVGH-MRN"), ("AcquisitionDateTime", "DT", "20230415101010"),
    ("ContentDate", "DA", "20230415"), ("SeriesTime", "TM", "101112"), ("ProtocolName", "LO", "Chen Ta-Ming head"),
]


@pytest.mark.parametrize("keyword,vr,value", LISTED, ids=[c[0] for c in LISTED])
def test_listed_attributes(keyword, vr, value):
    ds = _base()
    setattr(ds, keyword, value)
    _absent(_cleaned_bytes(ds), value)


def test_request_attributes_other_ids_and_references_at_depth():
    ds = _base()
    req = Dataset()
    req.RequestedProcedureID = "RP-77123"
    req.ScheduledProcedureStepDescription = f"CT for {OTHER}"
    ds.RequestAttributesSequence = Sequence([req])
    other = Dataset()
    other.PatientID = "F223344556"
    other.IssuerOfPatientID = "TPEVGH"
    ds.OtherPatientIDsSequence = Sequence([other])
    ref = Dataset()
    ref.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.20230415.77"
    inner = Dataset()
    inner.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.20230415.78"
    inner.PatientName = "CHEN^TA-MING"
    ref.ReferencedSeriesSequence = Sequence([inner])
    ds.ReferencedStudySequence = Sequence([ref])
    data = _cleaned_bytes(ds)
    _absent(data, "RP-77123", OTHER, "F223344556", "TPEVGH", "20230415", "CHEN^TA-MING")


def test_uids_with_dates_are_remapped_consistently_across_files():
    uid = "1.2.826.0.1.3680043.20230415.101010.1"
    outs = []
    for _ in range(2):
        ds = _base()
        ds.StudyInstanceUID = uid
        ref = Dataset()
        ref.ReferencedSOPInstanceUID = uid
        ds.ReferencedImageSequence = Sequence([ref])
        _absent(_cleaned_bytes(ds), "20230415")
        outs.append((ds.StudyInstanceUID, ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID))
    assert outs[0][0] == outs[0][1] == outs[1][0] == outs[1][1] != uid


def test_file_meta_source_titles_are_removed():
    ds = _base()
    ds.file_meta.SourceApplicationEntityTitle = "KVGH_PACS"
    ds.file_meta.SendingApplicationEntityTitle = "KVGH_CT01"
    ds.file_meta.PrivateInformationCreatorUID = "1.2.3.4"
    ds.file_meta.PrivateInformation = b"CHEN TA-MING"
    _absent(_cleaned_bytes(ds), "KVGH_PACS", "KVGH_CT01", "CHEN TA-MING")


# A value representation that lies: a name or a date in a tag whose VR says something else.
LYING = [
    ("PatientName as LO", 0x00100010, "LO", "CHEN TA-MING"),
    ("OperatorsName as UT", 0x00081070, "UT", "LIN MEI-YUN"),
    ("StudyDate as LO", 0x00080020, "LO", "2023-04-15"),
    ("StudyInstanceUID as LO", 0x0020000D, "LO", "1.2.826.0.1.3680043.99.20230415"),
    ("InstitutionName as UN", 0x00080080, "UN", HOSPITAL.encode()),
    ("unknown even tag UN", 0x00F21011, "UN", OTHER.encode() + b"\x00"),
    ("unknown even tag OB", 0x00F21012, "OB", OTHER.encode()),
    ("unknown even tag DA", 0x00F21013, "DA", "20230415"),
    ("unknown even tag PN", 0x00F21014, "PN", "WANG^XIAO-HUA"),
]


@pytest.mark.parametrize("label,tag,vr,value", LYING, ids=[c[0] for c in LYING])
def test_lying_and_unknown_value_representations(label, tag, vr, value):
    ds = _base()
    ds.add(DataElement(tag, vr, value))
    secret = value.decode().strip("\x00") if isinstance(value, bytes) else value
    _absent(_cleaned_bytes(ds), secret)


def test_implicit_vr_file_with_unknown_tags_arrives_as_un():
    ds = _base(ImplicitVRLittleEndian)
    ds.add_new(0x00F21010, "LO", OTHER)
    ds.add_new(0x00F40010, "LO", "KVGH")           # a would-be creator in an even group
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    read = pydicom.dcmread(io.BytesIO(buf.getvalue()))
    assert read[0x00F21010].VR == "UN"
    _absent(_cleaned_bytes(read), OTHER, "KVGH")


CHARSETS = [
    ("ISO_IR 100", "Müller^Jürgen", "Müller"),
    ("ISO_IR 192", "陳^大明=チン^ダイメイ", "大明"),
    ("ISO_IR 192", "王小華", "小華"),
]


@pytest.mark.parametrize("charset,name,part", CHARSETS)
def test_names_in_other_character_sets_and_vrs(charset, name, part):
    ds = _base()
    ds.SpecificCharacterSet = charset
    ds.PatientName = name
    ds.add_new(0x00F21010, "LO", name.replace("^", " "))       # unknown tag
    ds.ImageComments = f"pt {name.replace('^', '')}"
    ds.DerivationDescription = name.replace("^", "")           # listed X in the table
    _absent(_cleaned_bytes(ds), part)


def test_multi_valued_and_padded_values():
    ds = _base()
    ds.OtherPatientIDs = ["F223344556", "MRN 0451\x00"]
    ds.add_new(0x00F21010, "LO", ["CT", f"{OTHER}\x00\x00 "])
    ds.OperatorsName = ["LIN^MEI-YUN", "WU^CHIEN"]
    _absent(_cleaned_bytes(ds), "F223344556", "MRN 0451", OTHER, "LIN^MEI-YUN", "WU^CHIEN")


def test_overlay_curve_and_waveform_text_are_gone():
    ds = _base()
    ds.add_new(0x60000022, "LO", f"{OTHER}")          # OverlayDescription
    ds.add_new(0x60003000, "OW", b"\xff" * 64)
    ds.add_new(0x60020022, "LO", "Chen Ta-Ming")
    ds.add_new(0x50000022, "LO", "curve of Chen Ta-Ming")
    wf = Dataset()
    wf.ChannelLabel = "Chen Ta-Ming lead II"
    wf.WaveformBitsAllocated = 16
    wf.WaveformData = b"\x00\x01" * 16
    ds.WaveformSequence = Sequence([wf])
    ds.EncapsulatedDocument = b"%PDF-1.4 (Chen Ta-Ming) Tj " + b"\x00" * 4
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    data = _cleaned_bytes(ds)
    _absent(data, OTHER, "Chen Ta-Ming")
    assert (0x6000, 0x3000) not in [(e.tag.group, e.tag.element) for e in ds]


def test_ordinary_acquisition_values_stay():
    """False positives: a technical header must keep what a researcher needs."""
    ds = _base()
    ds.Manufacturer = "SIEMENS"
    ds.KVP = "120"
    ds.ConvolutionKernel = "B30f"
    ds.BodyPartExamined = "CHEST"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.PixelSpacing = ["0.7", "0.7"]
    ds.WindowCenter = "40"
    ds.SeriesNumber = "3"
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=NO_PIXELS, profile_options=())
    assert ds.Modality == "CT" and ds.SliceThickness == "2.5" and ds.KVP == "120"
    assert ds.ConvolutionKernel == "B30f" and ds.BodyPartExamined == "CHEST"
    assert list(ds.ImageType) == ["ORIGINAL", "PRIMARY", "AXIAL"] and ds.SeriesNumber == 3
    assert ds.Manufacturer == "SIEMENS"
