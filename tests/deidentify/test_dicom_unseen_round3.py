"""D1, third round of unseen DICOM files (tests/deidentify/dicom_round3_files.py builds them):
names, IDs and dates at depth in kept sequences, in vendors' private blocks, as bytes of binary
and numeric values, under character sets that lie, split by invisible characters, in
multi-valued and over-long values, in the file meta and the preamble, in retired attributes,
icons, overlays, documents and waveform labels.  Each member goes through the real entry
(``deidentify_dicom``); nothing planted may be in the written file in any encoding (ASCII,
UTF-8, UTF-16, Big5, GB18030, ISO 2022, Shift-JIS, EUC-KR), also after a deflated output is
inflated and in every zlib/gzip stream inside it.  A file that cannot be read whole is refused with the reason.  The values a study
needs (modality, geometry, device, pixels) stay."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import zlib

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from deidentify.dicom import deidentify_dicom
from deidentify.dicom.pixels import PixelOptions
from tests.deidentify import dicom_round3_files as files

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # pydicom warns on the planted values

NO_PIXELS = PixelOptions(use_ocr=False, use_strokes=False)
_CODECS = ("utf-8", "big5", "gb18030", "utf-16-le", "utf-16-be", "iso2022_jp", "iso2022_jp_2", "euc_kr",
           "shift_jis", "latin-1")
_ESCAPES = (b"\x1b$b", b"\x1b(b", b"\x1b$(c", b"\x1b$a")
REFUSED = {"meta:trailing-text"}     # text after the last element reads as an element running past the end
MEMBERS = files.all_members()


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


def _run(data: bytes) -> bytes:
    return deidentify_dicom(data, pseudonymise=pseudonymise, options=NO_PIXELS)


def _inflated(out: bytes) -> bytes:
    """A deflated output written plain (deflate hides text from a byte search)."""
    read = pydicom.dcmread(io.BytesIO(out))
    if not read.file_meta.TransferSyntaxUID.is_deflated:
        return out
    read.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buf = io.BytesIO()
    read.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _streams(data: bytes) -> list[bytes]:
    """Deflated streams anywhere in the file, inflated (a PDF's FlateDecode, zlib, gzip)."""
    out = []
    for m in re.finditer(rb"\x78[\x01\x5e\x9c\xda]|\x1f\x8b\x08", data):
        try:
            out.append(zlib.decompressobj(31 if data[m.start()] == 0x1F else 15).decompress(data[m.start():]))
        except zlib.error:
            continue
    return out


def leaks(out: bytes, secrets) -> list[tuple[str, str]]:
    found = set()
    for data in [out, _inflated(out)] + _streams(out):
        low = data.lower()
        for secret in secrets:
            for form in {secret, secret.replace("^", " "), secret.replace("^", "")}:
                for codec in _CODECS:
                    try:
                        needle = form.encode(codec).lower()
                    except UnicodeEncodeError:
                        continue
                    for esc in _ESCAPES if codec.startswith("iso2022") else ():
                        needle = needle.replace(esc, b"")   # the escapes differ by context: the JIS bytes
                    if len(needle) >= 3 and needle in low:
                        found.add((form, codec))
    return sorted(found)


@pytest.mark.parametrize("member", MEMBERS, ids=[f"{m.cls}:{m.name}" for m in MEMBERS])
def test_nothing_planted_leaves(member):
    if f"{member.cls}:{member.name}" in REFUSED:
        with pytest.raises(ValueError, match="truncated|after its last element|cannot read"):
            _run(member.data)
        return
    out = _run(member.data)
    assert not leaks(out, member.secrets), f"{member.cls}:{member.name} left {leaks(out, member.secrets)}"


def test_the_classes_are_all_there():
    """The generator stays as wide as it was written (a member list cut short passes vacuously)."""
    counts: dict[str, int] = {}
    for m in MEMBERS:
        counts[m.cls] = counts.get(m.cls, 0) + 1
    assert len(MEMBERS) >= 320
    assert {c for c, n in counts.items() if n >= 2} >= {
        "nested", "private", "binary", "charset", "multi", "long", "uid", "age", "date", "meta", "syntax",
        "raw", "retired", "icon", "overlay", "document", "hidden"}


# --- what a study needs stays ---------------------------------------------------------------

def _vendor_ct(charset: str = "ISO_IR 100") -> Dataset:
    ds = files.base(charset=charset)
    for kw, value in dict(
            Manufacturer="Philips Médical Systems", ManufacturerModelName="Brilliance 64\0",
            SoftwareVersions=["3.2.1", "3.2.0"], ImageType=["ORIGINAL", "PRIMARY", "AXIAL", "CT_SOM5 SPI"],
            ImagePositionPatient=["-125.5", "-130.25", "-200.0"], ImageOrientationPatient=["1", "0", "0", "0", "1", "0"],
            WindowCenter=["40", "400"], WindowWidth=["400", "1500"], RescaleIntercept="-1024", RescaleSlope="1",
            KVP="120", XRayTubeCurrent="200", ConvolutionKernel=["B30f", "HEAD"], BodyPartExamined="CHEST",
            PatientPosition="HFS", AcquisitionMatrix=[0, 512, 512, 0], SpacingBetweenSlices="2.5",
            FilterType="BODY FILTER", WindowCenterWidthExplanation=["WINDOW1", "WINDOW2"],
            SamplesPerPixel=1, PhotometricInterpretation="MONOCHROME2", Rows=8, Columns=8, BitsAllocated=16,
            BitsStored=12, HighBit=11, PixelRepresentation=0).items():
        setattr(ds, kw, value)
    ds.add_new(0x00209165, "AT", 0x00209056)          # DimensionIndexPointer
    ds.PixelData = (np.arange(64, dtype=np.uint16) * 30).tobytes()
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = "T-D3000", "SRT", "Chest"
    code.CodingSchemeURL = "http://snomed.info/sct"
    ds.AnatomicRegionSequence = Sequence([code])
    frame = Dataset()
    plane = Dataset()
    plane.ImagePositionPatient = ["1", "2", "3"]
    frame.PlanePositionSequence = Sequence([plane])
    ds.PerFrameFunctionalGroupsSequence = Sequence([frame])
    return ds


def test_a_vendors_ordinary_values_stay():
    read = pydicom.dcmread(io.BytesIO(_run(files.to_bytes(_vendor_ct()))))
    assert read.Modality == "CT" and read.Manufacturer == "Philips Médical Systems"
    assert read.ManufacturerModelName.rstrip("\0") == "Brilliance 64"     # NUL padding is no control text
    assert list(read.SoftwareVersions) == ["3.2.1", "3.2.0"] and list(read.ConvolutionKernel) == ["B30f", "HEAD"]
    assert list(read.ImageType) == ["ORIGINAL", "PRIMARY", "AXIAL", "CT_SOM5 SPI"]
    assert [float(v) for v in read.ImagePositionPatient] == [-125.5, -130.25, -200.0]
    assert [float(v) for v in read.ImageOrientationPatient] == [1, 0, 0, 0, 1, 0]
    assert [float(v) for v in read.PixelSpacing] == [0.7, 0.7] and float(read.SliceThickness) == 2.5
    assert list(read.AcquisitionMatrix) == [0, 512, 512, 0] and read[0x00209165].value == 0x00209056
    assert list(read.WindowCenterWidthExplanation) == ["WINDOW1", "WINDOW2"]
    assert read.AnatomicRegionSequence[0].CodeMeaning == "Chest"
    assert read.AnatomicRegionSequence[0].CodingSchemeURL == "http://snomed.info/sct"
    assert [float(v) for v in read.PerFrameFunctionalGroupsSequence[0].PlanePositionSequence[0].ImagePositionPatient] == [1, 2, 3]
    assert np.array_equal(read.pixel_array, (np.arange(64, dtype=np.uint16) * 30).reshape(8, 8))


def test_chinese_labels_in_their_declared_set_stay():
    """Genuine GB18030 and UTF-8 text in a kept label is read, not removed for its bytes."""
    for charset in ("GB18030", "ISO_IR 192"):
        ds = files.base(charset=charset)
        ds.AnatomicRegionSequence = Sequence([files._code("T-D3000", "胸部", "SRT")])
        ds.ManufacturerModelName = "uCT 760"
        read = pydicom.dcmread(io.BytesIO(_run(files.to_bytes(ds))))
        assert read.AnatomicRegionSequence[0].CodeMeaning == "胸部" and read.ManufacturerModelName == "uCT 760"


def test_file_meta_is_rewritten():
    ds = files.base()
    ds.file_meta.FileMetaInformationVersion = b"Huang Chih-Hao 0083321457"
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2.0083321457"
    read = pydicom.dcmread(io.BytesIO(_run(files.to_bytes(ds))))
    assert read.file_meta.FileMetaInformationVersion == b"\x00\x01"
    assert read.file_meta.MediaStorageSOPClassUID == read.SOPClassUID == files.CTImageStorage


@pytest.mark.parametrize("age,kept", [("084Y", True), ("085Y", False), ("120Y", False), ("999M", True),
                                      ("030D", True), ("96Y", False), ("1150M", False)])
def test_ages_at_the_open_band_go(age, kept):
    """The dictionary's two AS attributes are the table's (PatientAge X, SelectorASValue D); an
    age written under another kept attribute (a wrong VR: BodyPartExamined as AS) is swept at
    the policy's open band (85+ by default); a value not of the AS form goes too."""
    ds = files.base()
    ds.add_new(0x00180015, "AS", age)
    read = pydicom.dcmread(io.BytesIO(_run(files.to_bytes(ds))))
    assert (0x00180015 in read and read[0x00180015].value == age) is kept


# --- default deny where no name need be found: each rule on its own ---------------------------

def _cleaned(ds: Dataset) -> Dataset:
    return pydicom.dcmread(io.BytesIO(_run(files.to_bytes(ds))))


def test_numbers_beyond_the_attributes_multiplicity_go():
    """AcquisitionMatrix takes four numbers: twelve carry something else, whatever they spell."""
    ds = files.base()
    ds.AcquisitionMatrix = [0, 512, 512, 0, 83, 32, 14, 57, 19, 37, 11, 22]
    ds.Rows = 512
    read = _cleaned(ds)
    assert "AcquisitionMatrix" not in read and read.Rows == 512


@pytest.mark.parametrize("kw,value", [("ConvolutionKernel", "B30f" * 100), ("CodeMeaning", "Chest " * 2000),
                                      ("ManufacturerModelName", "A" * 5000)])
def test_values_far_over_their_vrs_length_go(kw, value):
    """Over twice the standard's maximum: removed unread (a 60 000-letter label took the scrubber a
    minute and cannot be a device's value)."""
    ds = files.base()
    setattr(ds, kw, value)
    assert kw not in _cleaned(ds)


def test_ideographs_in_a_single_byte_set_go_whatever_they_say():
    """GB18030 bytes under ISO_IR 100 are Latin-1 letters to every check: removed, named or not."""
    ds = files.base(charset="ISO_IR 100")
    holder = "Q" * len("胸部電腦斷層".encode("gb18030"))
    ds.ManufacturerModelName = holder
    data = files.to_bytes(ds).replace(holder.encode(), "胸部電腦斷層".encode("gb18030"))
    assert "ManufacturerModelName" not in pydicom.dcmread(io.BytesIO(_run(data)))


def test_trailing_padding_and_variable_pixel_data_go():
    """(FFFC,FFFC) is padding by definition and 7Fxx pixels are never read for burned-in text:
    neither is released, even holding only numbers."""
    ds = files.base()
    ds.add_new(0x7F020010, "OW", (np.arange(64, dtype=np.uint16) * 7).tobytes())
    ds.add_new(0xFFFCFFFC, "OB", b"0099887766" * 4)
    out = _run(files.to_bytes(ds))
    read = pydicom.dcmread(io.BytesIO(out))
    assert 0x7F020010 not in read and 0xFFFCFFFC not in read and b"0099887766" not in out


def test_media_class_of_a_dataset_without_a_class_is_remapped():
    ds = files.base()
    del ds.SOPClassUID
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2.0083321457"
    out = _run(files.to_bytes(ds))
    assert b"0083321457" not in out
    assert pydicom.dcmread(io.BytesIO(out)).file_meta.MediaStorageSOPClassUID.startswith("2.25.")


@pytest.mark.parametrize("kw,value", [("ManufacturerModelName", "X1 田中花子"), ("SoftwareVersions", "VA20 志豪"),
                                      ("ConvolutionKernel", "B30 김민"), ("CodeMeaning", "seen by タナカ ハナコ"),
                                      ("CodeMeaning", "김민수 note")])
def test_names_in_scripts_a_device_does_not_write(kw, value):
    """Names the scrubber need not know (a Japanese or Korean name, a given name alone): a device's,
    kernel's or version's value in ideographs, kana or hangul goes, and a label in kana or hangul."""
    ds = files.base()
    if kw == "CodeMeaning":
        ds.AnatomicRegionSequence = Sequence([files._code("X1", value)])
    else:
        setattr(ds, kw, value)
    assert not leaks(_run(files.to_bytes(ds)), (value.split(" ", 1)[1] if " " in value else value,))


@pytest.mark.parametrize("depth,refused", [(40, False), (65, True), (3000, True)])
def test_sequences_nested_past_the_limit_are_refused(depth, refused):
    """Written by hand (pydicom's writer stops near a thousand levels): deep enough, the reader
    and the cleaning recurse past Python's limit; such a file is refused with the reason."""
    data = files.nested_too_deep(depth)
    if refused:
        with pytest.raises(ValueError, match="nests sequences deeper"):
            _run(data)
    else:
        assert not leaks(_run(data), (files.OTHER,))


_B64 = base64.b64encode(files.OTHER.encode()).decode()
_HEXED = files.THIRD_ZH.encode("utf-8").hex().upper()
_B64_WIDE = base64.b64encode(f"{files.OTHER_ZH} {files.OTHER}".encode("utf-16-le")).decode()


@pytest.mark.parametrize("kw", ["SoftwareVersions", "ManufacturerModelName", "CodeMeaning", "ConvolutionKernel"])
@pytest.mark.parametrize("encoded", [_B64, _HEXED, _B64_WIDE, f"V1 {_B64} X"], ids=["b64", "hex", "b64-utf16", "b64-inside"])
def test_names_in_base64_or_hex_go(kw, encoded):
    """A vendor's tool may store a block base64- or hex-encoded: decoded, it is read like the value."""
    ds = files.base()
    if kw == "CodeMeaning":
        ds.AnatomicRegionSequence = Sequence([files._code("X1", encoded)])
    else:
        setattr(ds, kw, encoded)
    out = _run(files.to_bytes(ds))
    assert encoded.encode() not in out


def test_hex_and_base64_shaped_values_that_are_not_text_stay():
    ds = files.base()
    ds.SoftwareVersions = ["0123456789ABCDEF", "AAECAwQFBgcICQoL"]   # bytes 00..0B: not text
    ds.ImagePositionPatient = ["-125.123456789012", "0", "1"]
    read = _cleaned(ds)
    assert list(read.SoftwareVersions) == ["0123456789ABCDEF", "AAECAwQFBgcICQoL"]
    assert float(read.ImagePositionPatient[0]) == -125.123456789012


def test_pixels_without_their_description_are_refused_as_bad_input():
    """Pixel data without BitsAllocated (pydicom raised AttributeError): a ValueError with the reason."""
    ds = files.base()
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation = 4, 4, 1, "MONOCHROME2"
    ds.add_new(0x7FE00010, "OW", b"\0" * 32)
    with pytest.raises(ValueError, match="cannot be cleaned as read"):
        _run(files.to_bytes(ds))
