"""Small synthetic DICOM files with realistic identifying headers and burned-in text.

Used by the synthetic data generator and by the de-identification tests: every place where a
real scanner leaks identity is filled in (names, IDs, birth date, institution, physicians,
nested sequences, a private block, comments) and ``burned_text`` is drawn into the pixels in
white, as a modality's annotation overlay would be.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID

SIZE = 256
_LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
_CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

_HOSPITALS = (
    ("國立臺灣大學醫學院附設醫院", "臺北市中正區中山南路7號"),
    ("臺北榮民總醫院", "臺北市北投區石牌路二段201號"),
    ("林口長庚紀念醫院", "桃園市龜山區復興街5號"),
    ("臺中榮民總醫院", "臺中市西屯區臺灣大道四段1650號"),
    ("國立成功大學醫學院附設醫院", "臺南市北區勝利路138號"),
    ("高雄醫學大學附設中和紀念醫院", "高雄市三民區自由一路100號"),
)
_PHYSICIANS = ("王^志明", "林^怡君", "陳^建宏", "張^雅婷", "李^俊傑", "黃^淑芬")
_PARTS = (("CHEST", "CT CHEST W/O CONTRAST"), ("HEAD", "CT BRAIN"), ("ABDOMEN", "CT ABDOMEN"))


def _uid(rng: random.Random) -> str:
    return f"2.25.{rng.getrandbits(120)}"


@functools.cache
def _font(cjk: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_CJK_FONT if cjk else _LATIN_FONT, size)


def _check_date(value: str, what: str) -> str:
    try:
        dt.datetime.strptime(value, "%Y%m%d")
    except ValueError:
        raise ValueError(f"make_dicom: {what} {value!r} is not a DICOM date YYYYMMDD") from None
    return value


def _pixels(rng: random.Random, burned_text: str) -> np.ndarray:
    """A body-like ellipse in CT numbers (stored 0..4095, intercept -1024) with white text."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    nprng = np.random.default_rng(rng.getrandbits(32))
    cy, cx = SIZE / 2 + rng.uniform(-6, 6), SIZE / 2 + rng.uniform(-6, 6)
    body = ((yy - cy) / (SIZE * 0.30)) ** 2 + ((xx - cx) / (SIZE * 0.40)) ** 2 <= 1
    lungs = (((yy - cy) / (SIZE * 0.17)) ** 2 + ((np.abs(xx - cx) - SIZE * 0.17) / (SIZE * 0.11)) ** 2) <= 1
    img = np.full((SIZE, SIZE), 24.0)                       # air ≈ -1000 HU
    img[body] = 1064 + nprng.normal(0, 18, body.sum())      # soft tissue ≈ +40 HU
    img[lungs & body] = 200 + nprng.normal(0, 25, (lungs & body).sum())
    spine = ((yy - (cy + SIZE * 0.2)) ** 2 + (xx - cx) ** 2) <= (SIZE * 0.04) ** 2
    img[spine] = 1800
    canvas = Image.new("L", (SIZE, SIZE), 0)
    draw = ImageDraw.Draw(canvas)
    y = 4
    for line in burned_text.splitlines():
        if not line.strip():
            continue
        font = _font(any(ord(c) > 0x2E7F for c in line), 13)
        draw.text((5, y), line, fill=255, font=font)
        y += 16
    text = np.asarray(canvas) > 96
    img[text] = 4095
    return np.clip(img, 0, 4095).astype(np.uint16)


def make_dicom(rng: random.Random, patient_name: str, patient_id: str, birth_date: str,
               study_date: str, burned_text: str) -> bytes:
    """A valid 256×256 MONOCHROME2 CT image (DICOM Part 10 bytes).

    ``birth_date``/``study_date`` are ``YYYYMMDD``; ``burned_text`` (lines separated by
    newlines, ASCII or Chinese) is drawn into the top-left corner of the pixels.
    """
    _check_date(birth_date, "birth_date")
    _check_date(study_date, "study_date")
    hospital, address = rng.choice(_HOSPITALS)
    part, description = rng.choice(_PARTS)
    study_uid, series_uid, sop_uid, frame_uid = (_uid(rng) for _ in range(4))
    study_time = f"{rng.randint(7, 20):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
    age = int(study_date[:4]) - int(birth_date[:4]) - (study_date[4:] < birth_date[4:])

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID

    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = study_date
    ds.StudyTime = ds.SeriesTime = ds.AcquisitionTime = ds.ContentTime = study_time
    ds.InstanceCreationDate = study_date
    ds.AccessionNumber = f"A{rng.randint(10**8, 10**9 - 1)}"
    ds.Modality = "CT"
    ds.Manufacturer = rng.choice(("SIEMENS", "GE MEDICAL SYSTEMS", "TOSHIBA", "Philips"))
    ds.ManufacturerModelName = "SYNTH-CT"
    ds.InstitutionName = hospital
    ds.InstitutionAddress = address
    ds.ReferringPhysicianName = rng.choice(_PHYSICIANS)
    ds.PerformingPhysicianName = rng.choice(_PHYSICIANS)
    ds.OperatorsName = rng.choice(_PHYSICIANS)
    ds.NameOfPhysiciansReadingStudy = rng.choice(_PHYSICIANS)
    ds.StationName = f"CT{rng.randint(1, 9)}-{hospital[:2]}"
    ds.StudyDescription = description
    ds.SeriesDescription = f"{part} 5mm"
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.IssuerOfPatientID = hospital
    ds.PatientBirthDate = birth_date
    ds.PatientSex = rng.choice("MF")
    ds.PatientAge = f"{max(age, 0):03d}Y"
    ds.PatientAddress = address
    ds.PatientTelephoneNumbers = f"09{rng.randint(10**7, 10**8 - 1)}"
    ds.OtherPatientIDs = patient_id
    other = Dataset()
    other.PatientID = patient_id
    other.IssuerOfPatientID = "NHI"
    other.TypeOfPatientID = "TEXT"
    ds.OtherPatientIDsSequence = Sequence([other])
    request = Dataset()
    request.RequestedProcedureID = f"RP{rng.randint(10**5, 10**6 - 1)}"
    request.ScheduledProcedureStepID = f"SPS{rng.randint(10**5, 10**6 - 1)}"
    request.RequestedProcedureDescription = f"{description} for {patient_name}"
    ds.RequestAttributesSequence = Sequence([request])
    ref_study = Dataset()
    ref_study.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    ref_study.ReferencedSOPInstanceUID = study_uid
    ds.ReferencedStudySequence = Sequence([ref_study])
    ds.BodyPartExamined = part
    ds.SliceThickness = "5"
    ds.KVP = "120"
    ds.DeviceSerialNumber = str(rng.randint(10**5, 10**6 - 1))
    ds.ProtocolName = f"{part} ROUTINE"
    ds.PatientPosition = "HFS"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = str(rng.randint(1000, 9999))
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.FrameOfReferenceUID = frame_uid
    ds.ImagePositionPatient = [-160, -160, rng.randint(-200, 200)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImageComments = f"Patient {patient_name} ID {patient_id}"
    ds.BurnedInAnnotation = "YES"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = ds.Columns = SIZE
    ds.PixelSpacing = [1.25, 1.25]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.WindowCenter = "40"
    ds.WindowWidth = "400"
    # A vendor's private block repeating the identity, as real scanners do.
    block = ds.private_block(0x0009, "SYNTH NHI", create=True)
    block.add_new(0x10, "LO", patient_id)
    block.add_new(0x11, "PN", patient_name)
    block.add_new(0x12, "DA", birth_date)
    ds.PixelData = _pixels(rng, burned_text).tobytes()

    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def make_cine(rng: random.Random, frames: np.ndarray, modality: str = "US",
              photometric: str = "MONOCHROME2", burned_in: str = "NO") -> bytes:
    """A multi-frame image (cine) with ``make_dicom``'s identifying header and ``frames``
    (frames, rows, cols) uint8 or uint16 as its pixel data, for the long-cine tests (D1)."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom(rng, "王^小明", "A123456789", "19650704", "20220315", "")))
    frames = np.ascontiguousarray(frames)
    bits = 8 if frames.dtype == np.uint8 else 16
    ds.Modality = modality
    ds.NumberOfFrames = len(frames)
    ds.Rows, ds.Columns = frames.shape[1], frames.shape[2]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits, bits if bits == 8 else 12, (7 if bits == 8 else 11)
    ds.PhotometricInterpretation = photometric
    ds.BurnedInAnnotation = burned_in
    if bits == 8:   # the CT window and rescale of make_dicom mean nothing here
        for keyword in ("RescaleIntercept", "RescaleSlope", "WindowCenter", "WindowWidth"):
            delattr(ds, keyword)
    ds.FrameIncrementPointer = 0x00181063
    ds.FrameTime = "33.3"
    ds.PixelData = frames.astype(frames.dtype.newbyteorder("<")).tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()
