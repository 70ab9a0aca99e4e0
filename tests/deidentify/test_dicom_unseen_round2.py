"""D1, second round of unseen DICOM files: each member is built with pydicom, written to bytes and
run through the real entry (``deidentify_dicom``); nothing planted may survive anywhere in the
written file - its raw bytes in ASCII, UTF-8, Big5, GB18030, UTF-16 and ISO 2022 forms, and
every element of the re-read file including nested sequences.  Files that cannot be read or
decoded raise a clear error and yield no bytes.  Pixels are not read by OCR here (that is
tests/deidentify/test_dicom_burned_in.py); the pixel members are classes the header decides
(overlays, icons, transfer syntaxes)."""
from __future__ import annotations

import hashlib
import hmac
import io
import zlib

import numpy as np
import pydicom
import pytest
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (CTImageStorage, DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                         JPEG2000Lossless, RLELossless)

from deidentify.dicom import deidentify_dicom
from deidentify.dicom.burned_in import HeldForReview
from deidentify.dicom.pixels import PixelOptions

NO_PIXELS = PixelOptions(use_ocr=False, use_strokes=False)
PATIENT = "Wang^XiaoMing=王^小明=ワン^シャオミン"
OTHER = "Lin Mei-Yun"           # a third person: a relative, a technician, a physician
OTHER_ZH = "林美雲"
HOSPITAL = "Kaohsiung Veterans General Hospital"
SECRETS = ["XiaoMing", "王小明", "小明", "シャオミン", OTHER, "Mei-Yun", OTHER_ZH, "A123456789", HOSPITAL,
           "19500304"]
_CODECS = ("utf-8", "big5", "gb18030", "utf-16-le", "utf-16-be", "iso2022_jp", "euc_kr", "shift_jis", "latin-1")


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


def _base(syntax=ExplicitVRLittleEndian, charset: str | None = "ISO_IR 192") -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.19500304.1"
    ds.file_meta.TransferSyntaxUID = syntax
    if charset:
        ds.SpecificCharacterSet = charset
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.19500304.1"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.A123456789.2"
    ds.PatientName = PATIENT if charset in ("ISO_IR 192", "GB18030") else "Wang^XiaoMing"
    ds.PatientID = "A123456789"
    ds.PatientBirthDate = "19500304"
    ds.Modality = "CT"
    ds.SliceThickness = "2.5"
    return ds


def _bytes(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _run(ds: Dataset | bytes) -> bytes:
    data = ds if isinstance(ds, bytes) else _bytes(ds)
    return deidentify_dicom(data, pseudonymise=pseudonymise, options=NO_PIXELS)


def _values(ds: Dataset):
    for elem in ds.iterall():
        if elem.VR == "SQ":
            continue
        v = elem.value
        items = v if isinstance(v, (list, tuple, pydicom.multival.MultiValue)) else [v]
        for x in items:
            if isinstance(x, (bytes, bytearray)):
                yield str(elem.tag), bytes(x).decode("latin-1")
            else:
                yield str(elem.tag), str(x)


def _absent(out: bytes, *secrets: str) -> None:
    low = out.lower()
    for secret in secrets:
        for form in {secret, secret.replace("^", " "), secret.replace("^", "")}:
            for codec in _CODECS:
                try:
                    needle = form.encode(codec).lower()
                except UnicodeEncodeError:
                    continue
                if codec == "iso2022_jp":   # the escape sequences differ by context: the JIS bytes only
                    needle = needle.replace(b"\x1b$b", b"").replace(b"\x1b(b", b"")
                assert needle not in low, f"{form!r} ({codec}) left in the cleaned file"
    read = pydicom.dcmread(io.BytesIO(out))
    assert read.preamble in (None, b"\0" * 128)
    for tag, value in list(_values(read)) + list(_values(read.file_meta)):
        for secret in secrets:
            assert secret.lower() not in value.lower(), f"{secret!r} left in {tag}: {value!r}"


# --- the 128-byte preamble, the file meta and group lengths ----------------------------------

def test_preamble_file_meta_and_group_lengths():
    ds = _base()
    ds.preamble = f"II*\0 {OTHER} A123456789 {HOSPITAL}".encode().ljust(128, b"\0")[:128]
    ds.file_meta.SourceApplicationEntityTitle = "KVGH_PACS"
    ds.file_meta.SendingApplicationEntityTitle = "KVGH_CT01"
    ds.file_meta.ReceivingApplicationEntityTitle = "KVGH_RCV"
    ds.file_meta.PrivateInformationCreatorUID = "1.2.826.0.1.3680043.8.498.77"
    ds.file_meta.PrivateInformation = f"{OTHER} {OTHER_ZH}".encode("utf-8")
    ds.file_meta.ImplementationVersionName = "KVGH_19500304"
    ds.add_new(0x00080000, "UL", 1234)            # a group length (retired in the dataset)
    ds.add_new(0x00100000, "UL", 99)
    _absent(_run(ds), *SECRETS, "KVGH")


# --- private tags ------------------------------------------------------------------------------

def test_private_tags_of_every_kind():
    ds = _base()
    block = ds.private_block(0x0009, f"{HOSPITAL} PRIVATE", create=True)
    block.add_new(0x10, "PN", "Lin^Mei-Yun")
    block.add_new(0x11, "LO", OTHER_ZH)
    block.add_new(0x12, "SH", "A123456789")
    block.add_new(0x13, "UT", f"seen by {OTHER}")
    block.add_new(0x14, "UN", OTHER.encode("utf-16-le"))
    block.add_new(0x15, "DA", "19500304")
    inner = Dataset()
    inner.PatientName = "Lin^Mei-Yun"
    inner.OtherPatientNames = ["王^小明"]
    inner.PatientBirthDate = "19500304"
    block.add_new(0x16, "SQ", Sequence([inner]))
    ds.add_new(0x00191000, "LO", OTHER)           # a private element without its creator
    ds.add_new(0x7FE10010, "LO", "SIEMENS CSA NON-IMAGE")
    ds.add_new(0x7FE11010, "OB", f"{OTHER} {HOSPITAL}".encode())
    _absent(_run(ds), *SECRETS)


def test_un_elements_that_are_really_person_names():
    ds = _base()
    for tag, value in [(0x00101001, "Lin^Mei-Yun"), (0x00081050, "王^小明"), (0x00F21010, OTHER),
                       (0x00321032, "Lin^Mei-Yun")]:
        ds.add(DataElement(tag, "UN", value.encode("utf-8")))
    _absent(_run(ds), *SECRETS)


@pytest.mark.parametrize("syntax", [ImplicitVRLittleEndian, ExplicitVRBigEndian], ids=["implicit", "big-endian"])
def test_implicit_and_big_endian_files(syntax):
    ds = _base(syntax)
    ds.OtherPatientNames = "Lin^Mei-Yun"
    ds.ReferringPhysicianName = "王^小明"
    ds.add_new(0x00F21010, "LO", OTHER)
    block = ds.private_block(0x0011, "ACME 1.0", create=True)
    block.add_new(0x01, "LO", OTHER_ZH)
    _absent(_run(ds), *SECRETS)


# --- names in every person-name attribute, character sets, deep sequences ---------------------

PN_ATTRS = ["OtherPatientNames", "PatientBirthName", "PatientMotherBirthName", "ResponsiblePerson",
            "ReferringPhysicianName", "PerformingPhysicianName", "OperatorsName", "RequestingPhysician",
            "NameOfPhysiciansReadingStudy", "PhysiciansOfRecord", "ConsultingPhysicianName"]
CHARSETS = [("ISO_IR 192", "Lin^MeiYun=林^美雲=リン^メイユン"), ("GB18030", "Lin^MeiYun=林^美雲"),
            ("\\ISO 2022 IR 87", "Lin^MeiYun=林^美雲=リン^メイユン"), ("\\ISO 2022 IR 149", "Lin^MeiYun=林^美雲"),
            ("ISO_IR 100", "Lin^MeiYun")]


@pytest.mark.parametrize("charset,name", CHARSETS, ids=[c[0].strip("\\") for c in CHARSETS])
def test_person_names_in_character_sets_at_depth(charset, name):
    ds = _base(charset=charset)
    ds.PatientName = name
    for kw in PN_ATTRS:
        setattr(ds, kw, name)
    step = Dataset()
    step.ScheduledPerformingPhysicianName = name
    step.ScheduledProcedureStepDescription = "CT Lin MeiYun"
    req = Dataset()
    req.ScheduledProcedureStepSequence = Sequence([step])
    req.RequestingPhysician = name
    ds.RequestAttributesSequence = Sequence([req])
    deep = Dataset()
    deep.PerformingPhysicianName = name
    for _ in range(6):
        outer = Dataset()
        outer.ReferencedImageSequence = Sequence([deep])
        deep = outer
    ds.ReferencedStudySequence = Sequence([deep])
    _absent(_run(ds), "MeiYun", "美雲", "メイユン")


def test_big5_bytes_in_lo_without_a_character_set():
    ds = _base(charset=None)
    ds.add(DataElement(0x00081030, "LO", "林美雲 CT".encode("big5")))   # StudyDescription
    ds.add(DataElement(0x00700081, "LO", "林美雲".encode("big5")))      # ContentDescription (kept)
    ds.add(DataElement(0x00080104, "LO", "王小明".encode("big5")))      # CodeMeaning (kept)
    _absent(_run(ds), "林美雲", "王小明")


@pytest.mark.parametrize("codec", ["big5", "utf-8"])
def test_cjk_bytes_under_a_single_byte_character_set(codec):
    """A Taiwanese system writing Big5 (or UTF-8) under ISO_IR 100: pydicom shows Latin-1 letters."""
    ds = _base(charset="ISO_IR 100")
    ds.add(DataElement(0x00080104, "LO", "王小明 CT".encode(codec)))    # CodeMeaning (kept label)
    ds.add(DataElement(0x00081090, "LO", "林美雲".encode(codec)))       # ManufacturerModelName (kept)
    out = _run(ds)
    _absent(out, "王小明", "林美雲")


def _patched(ds: Dataset, placeholder: bytes, raw: bytes) -> bytes:
    """The written file with one value's bytes replaced (pydicom will not store a bad number)."""
    data = _bytes(ds)
    assert data.count(placeholder) == 1 and len(placeholder) == len(raw)
    return data.replace(placeholder, raw)


def test_numbers_and_code_strings_holding_names():
    ds = _base()
    ds.SeriesNumber = "1234567890"
    ds.SliceLocation = "123456.78901"
    ds.BodyPartExamined = "LIN MEI YUN"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "WANG XIAO MING"]
    data = _patched(ds, b"1234567890", b"LinMeiYun ")
    data = data.replace(b"123456.78901", b"Wang Xiao-Mg")
    _absent(_run(data), "LinMeiYun", "LIN MEI YUN", "WANG XIAO MING", "Wang Xiao-Mg")


def test_float_pixel_data_is_held_and_other_7fe0_values_go():
    ds = _base()
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.BitsAllocated = 4, 4, 1, 32
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.FloatPixelData = OTHER.encode().ljust(64, b"\0")
    with pytest.raises(HeldForReview, match="float pixel data"):
        _run(ds)
    ds = _image(_base())
    ds.add_new(0x7FE00020, "OW", OTHER.encode().ljust(16, b"\0"))   # CoefficientsSDVN (retired)
    _absent(_run(ds), OTHER)


def test_words_in_attributes_the_module_itself_sets():
    """SpecificCharacterSet keeps defined terms only; an item's DeidentificationMethod,
    PatientIdentityRemoved or PatientID is swept like any value (only the top level is set here)."""
    ds = _base()
    ds.SpecificCharacterSet = ["ISO_IR 192", "LIN MEI YUN"]
    item = Dataset()
    item.DeidentificationMethod = f"by {OTHER}"
    item.PatientIdentityRemoved = "LIN MEI YUN"
    item.PatientID = "F223344556"
    ds.ReferencedStudySequence = Sequence([item])
    out = _run(ds)
    _absent(out, OTHER, "LIN MEI YUN", "F223344556")
    assert pydicom.dcmread(io.BytesIO(out)).SpecificCharacterSet == "ISO_IR 192"


# --- free text --------------------------------------------------------------------------------

FREE_TEXT = [("ImageComments", f"{OTHER} consented"), ("StudyDescription", f"CT for {OTHER}"),
             ("AdditionalPatientHistory", f"daughter {OTHER_ZH}"),
             ("RequestedProcedureDescription", f"CT {OTHER}"), ("ReasonForStudy", f"{OTHER} fell"),
             ("Impressions", f"{OTHER}: normal"), ("ImagingServiceRequestComments", f"call {OTHER}"),
             ("SeriesDescription", f"{OTHER_ZH} 胸部"), ("PerformedProcedureStepDescription", OTHER),
             ("InterpretationText", f"read by {OTHER}"), ("ResultsComments", OTHER)]


def test_free_text_attributes():
    ds = _base()
    for kw, value in FREE_TEXT:
        setattr(ds, kw, value)
    _absent(_run(ds), OTHER, OTHER_ZH)


def _sr(depth: int, leaf: Dataset) -> Dataset:
    item = leaf
    for _ in range(depth):
        outer = Dataset()
        outer.RelationshipType = "CONTAINS"
        outer.ValueType = "CONTAINER"
        outer.ContentSequence = Sequence([item])
        item = outer
    return item


@pytest.mark.parametrize("depth", [5, 9])
def test_sr_text_and_person_names_deep(depth):
    ds = _base()
    text = Dataset()
    text.ValueType = "TEXT"
    text.TextValue = f"Findings: discussed with {OTHER} and 林美雲女士; chart A123456789."
    name = Dataset()
    name.ValueType = "PNAME"
    name.PersonName = "Lin^Mei-Yun=林^美雲"
    code = Dataset()
    code.ValueType = "CODE"
    concept = Dataset()
    concept.CodeValue = "121071"
    concept.CodingSchemeDesignator = "DCM"
    concept.CodeMeaning = f"Finding told to {OTHER}"
    code.ConceptCodeSequence = Sequence([concept])
    date = Dataset()
    date.ValueType = "DATETIME"
    date.DateTime = "20230415101010"
    date.Date = "20230415"
    ds.ContentSequence = Sequence([_sr(depth, text), _sr(depth, name), _sr(depth, code), _sr(depth, date)])
    _absent(_run(ds), OTHER, OTHER_ZH, "Mei-Yun", "美雲", "A123456789", "20230415")


# --- kept attributes the table does not name that still hold people, places and dates ----------

KEPT_UNLISTED = [("ContactDisplayName", "LO", OTHER), ("HangingProtocolCreator", "LO", OTHER),
                 ("CodeMeaning", "LO", f"told to {OTHER}"), ("ContentDescription", "LO", OTHER_ZH),
                 ("GraphicLayerDescription", "LO", f"{OTHER} notes"),
                 ("PatientBirthDateInAlternativeCalendar", "LO", "民國39年3月4日"),
                 ("PatientDeathDateInAlternativeCalendar", "LO", "民國112年4月15日"),
                 ("OwnerID", "SH", "LINMY"), ("PrinterName", "LO", "KVGH 7B printer"),
                 ("ContactURI", "UR", "mailto:lin.meiyun@vghks.gov.tw"),
                 ("RetrieveURL", "UR", "https://pacs.vghks.gov.tw/wado?pid=A123456789"),
                 ("ReferencedFileID", "CS", "LINMEIYUN")]


@pytest.mark.parametrize("kw,vr,value", KEPT_UNLISTED, ids=[c[0] for c in KEPT_UNLISTED])
def test_kept_unlisted_attributes(kw, vr, value):
    ds = _base()
    ds.PatientBirthDate = ""            # the sweep cannot look for a birth date it was not given
    setattr(ds, kw, value)
    _absent(_run(ds), value)


def _raw_element(group: int, elem: int, vr: str, value: bytes) -> bytes:
    value += b" " * (len(value) % 2)
    return (group.to_bytes(2, "little") + elem.to_bytes(2, "little") + vr.encode()
            + len(value).to_bytes(2, "little") + value)


def test_command_and_file_meta_elements_inside_the_dataset():
    """pydicom will not write these, a foreign tool may: spliced in after the file meta."""
    data = _bytes(_base())
    meta_end = 132 + 12 + int.from_bytes(data[140:144], "little")
    spliced = (data[:meta_end] + _raw_element(0x0000, 0x0902, "LO", OTHER.encode())
               + _raw_element(0x0002, 0x0016, "AE", b"KVGH_PACS") + data[meta_end:])
    read = pydicom.dcmread(io.BytesIO(spliced))
    assert str(read[0x00000902].value).strip() == OTHER      # the splice is read as data
    _absent(_run(spliced), OTHER, "KVGH_PACS")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "big5", "gb18030"])
def test_names_in_kept_binary_values(codec):
    """A kept blob (an ICC profile, waveform samples) carrying a name in a Windows or Chinese encoding."""
    ds = _base()
    ds.ICCProfile = ("desc " + OTHER_ZH).encode(codec).ljust(32, b"\0")
    wf = Dataset()
    wf.WaveformBitsAllocated = 16
    wf.WaveformData = f"lead II {OTHER}".encode(codec).ljust(32, b"\0")
    ds.WaveformSequence = Sequence([wf])
    _absent(_run(ds), OTHER_ZH, OTHER)


def test_technical_values_with_a_name_added():
    ds = _base()
    ds.Manufacturer = f"Siemens {OTHER}"
    ds.ManufacturerModelName = OTHER_ZH
    ds.ConvolutionKernel = f"B30f {OTHER}"
    ds.SoftwareVersions = "VA20 王小明"
    _absent(_run(ds), OTHER, OTHER_ZH, "王小明")


def test_ordinary_technical_values_and_samples_stay():
    """False positives: device names, kernels, an ECG's samples and a LUT's ramp are kept."""
    ds = _base()
    ds.Manufacturer = "Philips Medical Systems"
    ds.ManufacturerModelName = "Ingenia"
    ds.SoftwareVersions = "5.7.1"
    ds.ConvolutionKernel = "B30f"
    ds.BodyPartExamined = "CHEST"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "39607008", "SCT", "Lung structure"
    ds.AnatomicRegionSequence = Sequence([code])
    wf = Dataset()
    wf.WaveformBitsAllocated = 16
    t = np.arange(5000)
    wf.WaveformData = (300 * np.sin(t / 9) + (t % 17) * 5).astype(np.int16).tobytes()
    ds.WaveformSequence = Sequence([wf])
    ds.RedPaletteColorLookupTableData = (np.arange(256, dtype=np.uint16) * 148).tobytes()
    read = pydicom.dcmread(io.BytesIO(_run(ds)))
    assert read.Manufacturer == "Philips Medical Systems" and read.ManufacturerModelName == "Ingenia"
    assert read.ConvolutionKernel == "B30f" and read.BodyPartExamined == "CHEST" and read.SoftwareVersions == "5.7.1"
    assert list(read.ImageType) == ["ORIGINAL", "PRIMARY", "AXIAL"]
    assert read.AnatomicRegionSequence[0].CodeMeaning == "Lung structure"
    assert "WaveformData" in read.WaveformSequence[0] and "RedPaletteColorLookupTableData" in read


# --- encapsulated documents, overlays, curves, icons, waveforms, presentation text ------------

def _pdf(text: str) -> bytes:
    stream = zlib.compress(f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode())
    return (b"%PDF-1.4\n1 0 obj << /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + stream + b"\nendstream endobj\n%%EOF\n")


@pytest.mark.parametrize("mime,doc", [
    ("application/pdf", _pdf(f"{OTHER} A123456789")),
    ("text/xml", f"<ClinicalDocument><patient><name><given>{OTHER}</given></name></patient>"
                 f"</ClinicalDocument>".encode("utf-16")),
], ids=["pdf-flate", "cda-utf16"])
def test_encapsulated_documents(mime, doc):
    ds = _base()
    ds.MIMETypeOfEncapsulatedDocument = mime
    ds.EncapsulatedDocument = doc
    ds.DocumentTitle = f"Report {OTHER}"
    out = _run(ds)
    _absent(out, OTHER, "A123456789")
    assert zlib.compress(f"BT /F1 12 Tf 72 712 Td ({OTHER} A123456789) Tj ET".encode()) not in out


def test_overlays_curves_icons_waveforms_and_presentation_text():
    ds = _base()
    ds.add_new(0x60000010, "US", 8)
    ds.add_new(0x60000011, "US", 8)
    ds.add_new(0x60000022, "LO", OTHER)
    ds.add_new(0x60001500, "LO", OTHER_ZH)
    ds.add_new(0x60003000, "OW", OTHER.encode().ljust(8, b"\0"))
    ds.add_new(0x50000022, "LO", f"curve {OTHER}")
    ds.add_new(0x50003000, "OB", OTHER.encode())
    icon = Dataset()
    icon.Rows, icon.Columns, icon.BitsAllocated = 2, 8, 8
    icon.PixelData = OTHER.encode().ljust(16, b"\0")
    ds.IconImageSequence = Sequence([icon])
    ann = Dataset()
    ann.UnformattedTextValue = f"tech {OTHER}"
    ann.AnnotationGroupNumber = 1
    wf = Dataset()
    wf.ChannelLabel = OTHER
    wf.WaveformBitsAllocated = 16
    wf.WaveformData = OTHER.encode().ljust(16, b"\0")
    ds.WaveformSequence = Sequence([wf])
    ds.WaveformAnnotationSequence = Sequence([ann])
    text = Dataset()
    text.UnformattedTextValue = f"{OTHER_ZH} arrow"
    text.AnchorPointAnnotationUnits = "PIXEL"
    graphic = Dataset()
    graphic.GraphicLayer = "LIN MEI-YUN"
    graphic.TextObjectSequence = Sequence([text])
    ds.GraphicAnnotationSequence = Sequence([graphic])
    _absent(_run(ds), OTHER, OTHER_ZH, "MEI-YUN")


# --- dates, times, ages, UIDs ----------------------------------------------------------------

def test_every_date_and_time_anywhere():
    ds = _base()
    for kw, v in [("StudyDate", "20230415"), ("SeriesDate", "20230415"), ("AcquisitionDateTime", "20230415101010"),
                  ("StudyTime", "101010"), ("ContentTime", "101011"), ("InstanceCreationDate", "20230415"),
                  ("LastMenstrualDate", "20230415"), ("DateOfLastCalibration", "20230415"),
                  ("PatientAge", "095Y"), ("PatientSize", "1.61"), ("PatientWeight", "55")]:
        setattr(ds, kw, v)
    frame = Dataset()
    fc = Dataset()
    fc.FrameAcquisitionDateTime = "20230415101012"
    fc.FrameReferenceDateTime = "20230415101012"
    frame.FrameContentSequence = Sequence([fc])
    ds.PerFrameFunctionalGroupsSequence = Sequence([frame])
    block = ds.private_block(0x0029, "ACME DATES", create=True)
    block.add_new(0x01, "DA", "20230415")
    block.add_new(0x02, "DT", "20230415101010")
    ds.add_new(0x00F21030, "DA", "20230415")
    ds.add_new(0x00F21031, "TM", "101013")
    out = _run(ds)
    _absent(out, "20230415", "101010", "101011", "101012", "101013", "095Y")
    read = pydicom.dcmread(io.BytesIO(out))
    assert "PatientAge" not in read or not read.PatientAge


def test_uids_embedding_dates_and_ids_are_remapped_consistently():
    outs = []
    for _ in range(2):
        ds = _base()
        ref = Dataset()
        ref.ReferencedSOPInstanceUID = ds.StudyInstanceUID
        ref.ReferencedSOPClassUID = CTImageStorage
        ds.ReferencedImageSequence = Sequence([ref])
        ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.20230415101010"
        out = _run(ds)
        _absent(out, "19500304", "A123456789", "20230415101010")
        read = pydicom.dcmread(io.BytesIO(out))
        outs.append((read.StudyInstanceUID, read.ReferencedImageSequence[0].ReferencedSOPInstanceUID,
                     read.ReferencedImageSequence[0].ReferencedSOPClassUID, read.file_meta.MediaStorageSOPInstanceUID,
                     read.SOPInstanceUID))
    assert outs[0] == outs[1]
    assert outs[0][0] == outs[0][1] and outs[0][2] == CTImageStorage and outs[0][3] == outs[0][4]


def test_instance_uid_under_the_standards_root_is_remapped():
    """Only UIDs the standard defines are kept as they are; one made to look like them is not."""
    ds = _base()
    ds.StudyInstanceUID = "1.2.840.10008.19500304.123456789"
    out = _run(ds)
    _absent(out, "19500304", "123456789")
    read = pydicom.dcmread(io.BytesIO(out))
    assert read.StudyInstanceUID.startswith("2.25.") and read.SOPClassUID == CTImageStorage


def test_deflated_file():
    """Deflated bytes hide their text from a byte search: the output is read and written plain."""
    ds = _base(DeflatedExplicitVRLittleEndian)
    ds.ImageComments = OTHER
    ds.add_new(0x00F21010, "LO", OTHER_ZH)
    read = pydicom.dcmread(io.BytesIO(_run(ds)))
    _absent(_bytes(_plain(read)), OTHER, OTHER_ZH, *SECRETS)


def _plain(read: Dataset) -> Dataset:
    read.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return read


# --- pixels: multi-frame, compressed, undecodable, truncated ---------------------------------

def _image(ds: Dataset, frames: int = 1) -> Dataset:
    ds.Rows, ds.Columns = 32, 32
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    arr = (np.arange(frames * 32 * 32, dtype=np.uint16).reshape(frames, 32, 32) % 4000)
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = arr.tobytes()
    return ds


def test_multi_frame_and_rle_compressed_images_are_cleaned():
    for frames in (1, 3):
        ds = _image(_base(), frames)
        ds.ImageComments = OTHER
        ds.compress(RLELossless, encoding_plugin="pydicom")
        out = _run(ds)
        _absent(out, *SECRETS)
        read = pydicom.dcmread(io.BytesIO(out))
        assert read.pixel_array.reshape(frames, 32, 32)[-1, 5, 5] == ((frames - 1) * 1024 + 5 * 32 + 5) % 4000


def test_transfer_syntax_that_cannot_be_decoded_raises_and_writes_nothing():
    ds = _image(_base())
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless    # no JPEG 2000 decoder here
    ds.PixelData = pydicom.encaps.encapsulate([b"\xff\x4f\xff\x51" + OTHER.encode() + b"\0" * 32])
    with pytest.raises((ValueError, HeldForReview), match="transfer syntax|decode"):
        _run(ds)
    ds = _image(_base())
    ds.file_meta.TransferSyntaxUID = "1.2.826.0.1.3680043.8.498.999"   # a private syntax
    with pytest.raises((ValueError, HeldForReview)):
        _run(ds)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_file_raises_and_writes_nothing(cut):
    ds = _image(_base())
    ds.ImageComments = OTHER
    data = _bytes(ds)
    with pytest.raises(ValueError):
        _run(data[:int(len(data) * cut)])


@pytest.mark.parametrize("data", [b"\0" * 128 + b"DICM", b"hello" * 40, b""], ids=["preamble-only", "text", "empty"])
def test_not_a_dicom_file_raises(data):
    with pytest.raises(ValueError):
        _run(data)


def test_header_cut_short_raises():
    ds = _base()
    ds.add_new(0x00F21010, "LO", "ab")
    data = _bytes(ds)
    with pytest.raises(ValueError, match="after its last element"):
        _run(data[:-3])


def test_element_length_running_past_the_end_raises():
    ds = _base()
    ds.ImageComments = OTHER
    data = bytearray(_bytes(ds))
    pos = data.index(OTHER.encode()) - 2                # ImageComments is LT: a 2-byte length before the value
    data[pos:pos + 2] = (0xFFF0).to_bytes(2, "little")
    with pytest.raises(ValueError):
        _run(bytes(data))
