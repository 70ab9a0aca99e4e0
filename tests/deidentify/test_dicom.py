"""DICOM de-identification on generated files: headers, UIDs, pixels, validity."""
from __future__ import annotations

import hashlib
import hmac
import io
import random

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import RLELossless

from deidentify.dicom import PixelOptions, deidentify_dataset, deidentify_dicom, deidentify_dicom_many
from deidentify.dicom.pixels import read_text, to_display8
from deidentify.dicom.synthetic import make_dicom
from deidentify.identifiers import taiwan_id

NAME = "陳^大明"
PID = "A123456789"
BIRTH = "19700312"
STUDY = "20240105"
BURNED = f"CHEN TA-MING\nID {PID}\nDOB 1970-03-12"
TEXT_BOX = (slice(0, 56), slice(0, 200))  # rows, cols where make_dicom draws the text


def pseudonymise(value: str, key: bytes = b"test-key") -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


@pytest.fixture(scope="module")
def original() -> bytes:
    return make_dicom(random.Random(1), NAME, PID, BIRTH, STUDY, BURNED)


@pytest.fixture(scope="module")
def cleaned(original) -> bytes:
    return deidentify_dicom(original, pseudonymise=pseudonymise)


def read(data: bytes) -> Dataset:
    return pydicom.dcmread(io.BytesIO(data))


def all_elements(ds: Dataset):
    """Every element, including file meta, nested sequence items and private tags."""
    if getattr(ds, "file_meta", None) is not None:
        yield from ds.file_meta
    stack = [ds]
    while stack:
        item = stack.pop()
        for elem in item:
            yield elem
            if elem.VR == "SQ":
                stack.extend(elem.value)


def test_generated_file_is_valid_and_really_identifying(original):
    ds = read(original)
    assert ds.PatientID == PID and str(ds.PatientName) == NAME and ds.PatientBirthDate == BIRTH
    assert ds.pixel_array.shape == (256, 256) and ds.PhotometricInterpretation == "MONOCHROME2"
    assert any(e.tag.is_private for e in all_elements(ds))
    assert ds.OtherPatientIDsSequence[0].PatientID == PID
    # The burned-in text is readable before cleaning: the pixel test below is meaningful.
    text = read_text(to_display8(ds.pixel_array))
    assert PID in text.replace(" ", "")


def test_headers_hold_no_identity_anywhere(original, cleaned):
    ds = read(cleaned)
    needles = [PID, "陳", "大明", BIRTH, "1970-03-12", "CHEN"]
    for elem in all_elements(ds):
        assert not elem.tag.is_private, elem
        value = "" if elem.VR in ("OB", "OW", "SQ", "UN") else str(elem.value)
        for needle in needles:
            assert needle not in value, (elem, needle)
    # Byte-level: not even in padding or an odd encoding.
    for needle in (PID.encode(), "陳".encode("utf-8"), "大明".encode("utf-8"), BIRTH.encode(), b"CHEN TA"):
        assert needle not in cleaned, needle
    for kw in ("InstitutionName", "InstitutionAddress", "ReferringPhysicianName", "PerformingPhysicianName",
               "OperatorsName", "PatientAddress", "PatientTelephoneNumbers", "OtherPatientIDsSequence",
               "RequestAttributesSequence", "ImageComments", "IssuerOfPatientID"):
        assert not ds.get(kw), kw


def test_profile_markers_and_pseudonym(cleaned):
    ds = read(cleaned)
    assert ds.PatientID == pseudonymise(PID)
    assert ds.PatientIdentityRemoved == "YES"
    assert "Basic Application Level Confidentiality Profile" in " ".join(ds.DeidentificationMethod)
    codes = {item.CodeValue for item in ds.DeidentificationMethodCodeSequence}
    assert {"113100", "113101"} <= codes
    assert ds.PatientBirthDate in (None, "") and ds.PatientName in (None, "")
    assert ds.BurnedInAnnotation == "NO"


def test_uids_remapped_consistently_and_keyed(original):
    src = read(original)
    # A second image of the same study and series.
    other = read(make_dicom(random.Random(2), NAME, PID, BIRTH, STUDY, BURNED))
    other.StudyInstanceUID = src.StudyInstanceUID
    other.SeriesInstanceUID = src.SeriesInstanceUID
    other.FrameOfReferenceUID = src.FrameOfReferenceUID
    buf = io.BytesIO()
    other.save_as(buf, enforce_file_format=True)
    a = read(deidentify_dicom(original, pseudonymise=pseudonymise))
    b = read(deidentify_dicom(buf.getvalue(), pseudonymise=pseudonymise))
    again = read(deidentify_dicom(original, pseudonymise=pseudonymise))
    other_key = read(deidentify_dicom(original, pseudonymise=lambda v: pseudonymise(v, b"other")))
    for kw in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
        assert a.get(kw) == b.get(kw) == again.get(kw), kw
        assert a.get(kw) != src.get(kw) and a.get(kw) != other_key.get(kw), kw
    assert a.SOPInstanceUID != b.SOPInstanceUID
    assert a.SOPInstanceUID == again.SOPInstanceUID
    assert a.file_meta.MediaStorageSOPInstanceUID == a.SOPInstanceUID
    assert a.SOPClassUID == src.SOPClassUID  # class UIDs are not identifying
    for uid in (a.StudyInstanceUID, a.SeriesInstanceUID, a.SOPInstanceUID):
        assert uid.startswith("2.25.") and len(uid) <= 64 and uid.is_valid


def test_burned_in_text_masked(original, cleaned):
    before, after = read(original).pixel_array, read(cleaned).pixel_array
    box = (*TEXT_BOX,)
    assert before[box].max() == 4095
    assert after[box].max() < 4000  # no white strokes left where the text was
    text = read_text(to_display8(after)).replace(" ", "")
    assert PID not in text and "CHEN" not in text and "1970" not in text
    # The anatomy in the middle of the image is untouched.
    assert np.array_equal(before[96:200, 40:216], after[96:200, 40:216])


def test_result_is_valid_dicom(cleaned):
    ds = pydicom.dcmread(io.BytesIO(cleaned), force=False)
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert ds.pixel_array.shape == (256, 256)
    assert ds.Rows == 256 and ds.Modality == "CT"
    for elem in all_elements(ds):  # every value decodes
        _ = elem.value


def test_chinese_burned_text_masked_without_ocr():
    # Stroke detection alone (OCR off): Chinese name and a resident number in the pixels.
    rng = random.Random(4)
    rid = taiwan_id.generate(rng, "resident_new")
    data = make_dicom(rng, "林^美玲", rid, "19851120", "20230301", f"林美玲\n{rid}")
    out = read(deidentify_dicom(data, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False)))
    assert out.pixel_array[0:40, 0:200].max() < 4000
    assert rid.encode() not in deidentify_dicom(data, pseudonymise=pseudonymise,
                                                options=PixelOptions(use_ocr=False))


def test_band_fallback_when_flagged_but_nothing_detected():
    # Text drawn at tissue brightness (not saturated) and OCR off: only the flag is left.
    rng = random.Random(6)
    ds = read(make_dicom(rng, "王^小明", "B223456780", "19600101", "20200202", "SECRET"))
    arr = ds.pixel_array.copy()
    arr[arr == 4095] = 1064
    arr[4:14, 5:60] = 1500  # a dim text-like block in the top band
    ds.PixelData = arr.tobytes()
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    assert report.band_fallback
    assert ds.pixel_array[4:14, 5:60].max() == ds.pixel_array.min()


def test_no_burned_in_flag_no_text_leaves_pixels(original):
    ds = read(make_dicom(random.Random(8), "李^四", "C123456780", "19900101", "20210101", ""))
    ds.BurnedInAnnotation = "NO"
    before = ds.pixel_array.copy()
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    assert not report.band_fallback and report.stroke_boxes == 0
    assert np.array_equal(before, ds.pixel_array)


def test_rle_compressed_input_is_decoded_and_cleaned(original):
    ds = read(original)
    ds.compress(RLELossless)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    out = read(deidentify_dicom(buf.getvalue(), pseudonymise=pseudonymise,
                                options=PixelOptions(use_ocr=False)))
    assert out.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert out.pixel_array[TEXT_BOX].max() < 4000


def test_residual_sweep_catches_identity_in_unlisted_elements(original):
    # Elements Table E.1-1 does not list (kept by the profile) that still carry identity:
    # only the final sweep can catch them, including inside a nested sequence.
    ds = read(original)
    ds.SoftwareVersions = f"v1 {PID}"
    ds.Manufacturer = "Vendor 陳大明"
    ds.ManufacturerModelName = "call 0912-345-678"
    ds.ContentQualification = "RESEARCH"
    code = Dataset()
    code.CodeValue = "CT123"
    code.CodingSchemeDesignator = "L"
    code.CodeMeaning = f"CT for patient {PID}"
    ds.ProcedureCodeSequence = [code]
    ds.add_new(0x0018100B, "UI", "1.2.3.4.5")  # ManufacturerDeviceClassUID: an instance-like UID
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    for elem in all_elements(ds):
        if elem.VR not in ("OB", "OW", "SQ", "UN"):
            assert PID not in str(elem.value) and "陳" not in str(elem.value), elem
            assert "0912-345-678" not in str(elem.value), elem
    assert {"SoftwareVersions", "Manufacturer", "ManufacturerModelName",
            "ProcedureCodeSequence[0].CodeMeaning"} <= set(report.residual_removed)
    assert ds.ContentQualification == "RESEARCH"
    assert ds.ProcedureCodeSequence[0].CodeValue == "CT123"
    assert ds.ManufacturerDeviceClassUID.startswith("2.25.")


def test_bad_input_named():
    with pytest.raises(ValueError, match="not a DICOM"):
        deidentify_dicom(b"this is not dicom", pseudonymise=pseudonymise)
    with pytest.raises(TypeError, match="expects bytes"):
        deidentify_dicom("x", pseudonymise=pseudonymise)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="birth_date"):
        make_dicom(random.Random(1), NAME, PID, "1970-03-12", STUDY, "x")


def test_multi_frame_every_frame_cleaned(original):
    ds = read(original)
    frame = ds.pixel_array
    ds.PixelData = np.stack([frame, frame, frame]).tobytes()
    ds.NumberOfFrames = 3
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    assert report.frames == 3
    out = ds.pixel_array
    assert out.shape == (3, 256, 256)
    for f in out:
        assert f[TEXT_BOX].max() < 4000


def test_strokes_found_in_16_bit_storage_and_monochrome1(original):
    # 12-bit text value (4095) in a file declaring 16 stored bits.
    ds = read(original)
    ds.BitsStored, ds.HighBit = 16, 15
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    assert ds.pixel_array[TEXT_BOX].max() < 4000
    # MONOCHROME1: text drawn at 0 (white on display) over a dark (high) background.
    ds = read(original)
    arr = 4095 - ds.pixel_array
    ds.PixelData = arr.astype(np.uint16).tobytes()
    ds.PhotometricInterpretation = "MONOCHROME1"
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    assert ds.pixel_array[TEXT_BOX].min() > 95


def test_short_patient_id_does_not_wipe_unrelated_numbers():
    ds = read(make_dicom(random.Random(12), "李^四", "123", "19900101", "20210101", ""))
    ds.BurnedInAnnotation = "NO"
    ds.InstanceNumber = 1234
    ds.SoftwareVersions = "123"
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    assert ds.InstanceNumber == 1234          # contains "123" but is not the ID
    assert "SoftwareVersions" not in ds       # equals the ID
    assert ds.PatientID == pseudonymise("123")


def test_many_matches_one_by_one_and_isolates_bad_files(original):
    rng = random.Random(31)
    files = [original] + [make_dicom(rng, "林^美玲", taiwan_id.generate(rng), "19851120", "20230301",
                                     "LIN MEI-LING") for _ in range(2)]
    items = files[:1] + [b"garbage"] + files[1:]
    out = deidentify_dicom_many(items, pseudonymise=pseudonymise, batch=2)
    assert len(out) == 4 and isinstance(out[1], ValueError)
    for data, cleaned in zip(files, [out[0], out[2], out[3]]):
        single = read(deidentify_dicom(data, pseudonymise=pseudonymise))
        many = read(cleaned)
        assert many.SOPInstanceUID == single.SOPInstanceUID
        assert np.array_equal(many.pixel_array, single.pixel_array)
        assert read(data).PatientID.encode() not in cleaned


@pytest.mark.parametrize("planar", [0, 1])
def test_rgb_ultrasound_style_frame(original, planar):
    ds = read(original)
    grey = (ds.pixel_array >> 4).astype(np.uint8)       # 12-bit → 8-bit, text at 255
    rgb = np.stack([grey, grey, grey], axis=-1)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 3, "RGB"
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PlanarConfiguration = planar
    ds.PixelData = (rgb.transpose(2, 0, 1) if planar else rgb).tobytes()
    for kw in ("RescaleIntercept", "RescaleSlope", "WindowCenter", "WindowWidth"):
        delattr(ds, kw)
    assert np.array_equal(ds.pixel_array, rgb)
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_ocr=False))
    out = read(_roundtrip(ds)).pixel_array
    assert out.shape == (256, 256, 3)
    assert out[TEXT_BOX].max() < 200
    assert np.array_equal(out[96:200, 40:216], rgb[96:200, 40:216])


def _roundtrip(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def test_ocr_alone_masks_grey_text(original):
    # Text drawn in mid-grey over air: no saturated strokes, no BurnedInAnnotation flag, so
    # only OCR can find it.
    ds = read(original)
    arr = ds.pixel_array.copy()
    text_pixels = arr == 4095
    arr[text_pixels] = 2600
    ds.PixelData = arr.tobytes()
    ds.BurnedInAnnotation = "NO"
    assert PID in read_text(to_display8(arr)).replace(" ", "")
    report = deidentify_dataset(ds, pseudonymise=pseudonymise, options=PixelOptions(use_strokes=False))
    assert report.ocr_boxes > 0 and not report.band_fallback
    after = ds.pixel_array
    assert (after[text_pixels] == 2600).mean() < 0.05  # the glyphs are gone
    assert PID not in read_text(to_display8(after)).replace(" ", "")
