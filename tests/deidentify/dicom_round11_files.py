"""Round 11 of unseen DICOM files (D1): a person's name no list holds beside device and clinical
words, and UIDs that carry a date or a serial.

- **device-unlisted**: a surname no census holds (Okonkwo, Kiprotich, Ayo) beside a vendor's or a
  model's word, a version or a sequence's words, in every device keyword ("Siemens Okonkwo",
  "Lumify Ayo 2", "T2 FLAIR Oyelaran", "Aquilion (Mutasa)");
- **eponym-unlisted**: such a word before a clinical word, read as an eponym ("Wanjiru syndrome",
  "Otieno fracture", "Achieng sign") in a label and in SR text;
- **uid-dated**: a UID whose components hold the study's date, a time or a device serial or MAC
  (``1.2.392.200036.9116.2.20230514.1``, ``1.2.840.10008.2023.5.14``), in every UID place a study
  has (instance, series, study, frame of reference, references nested, irradiation events,
  the file meta); its dated component must not stay.

Seeded (``random.Random(11)``).  Each member is ``Member(cls, name, data, secrets)``."""
from __future__ import annotations

import itertools
import random

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.deidentify.dicom_round3_files import Member, base, to_bytes
from tests.deidentify.dicom_round8_files import _place
from tests.deidentify.dicom_round9_files import _sr

# surnames and given names of no census list here (East and West African, Southern African)
NAMES = ["Okonkwo", "Adebayo", "Oyelaran", "Otieno", "Kiprotich", "Mutasa", "Achieng", "Wambui", "Ndlovu",
         "Tshabalala", "Ngozi", "Chidi", "Mwangi", "Onyango", "Tesfaye", "Girma", "Abebe", "Ugwu", "Ayo", "Ife"]
VENDORS = ["Siemens", "SIEMENS", "GE", "Philips", "Lumify", "Aquilion", "Canon", "Hologic", "Varian", "Elekta",
           "Brainlab", "Toshiba", "MAGNETOM Skyra", "Optima"]
DEVICE_SHAPES = ["{v} {n}", "{n} {v}", "{v} {n} 2", "{v}-{n}", "{v} ({n})", "{v}, {n}", "{v} {N}", "T2 FLAIR {n}",
                 "{v} {n} v3.1", "{n} 1.5T"]
DEVICE_KEYWORDS = ["Manufacturer", "ManufacturerModelName", "ReceiveCoilName", "TransmitCoilName",
                   "SecondaryCaptureDeviceManufacturer", "DetectorManufacturerName", "ApplicationManufacturer",
                   "ReceiveCoilManufacturerName", "ApplicationName", "AlgorithmName"]
CLINICAL = ["syndrome", "disease", "fracture", "sign", "tumour", "lymphoma", "cyst", "malformation", "view",
            "procedure"]
EPONYM_PLACES = ["SegmentLabel", "ContentDescription", "CodeMeaning", "GraphicLayerDescription", "SR", "SRSentence",
                 "SRLong"]
UID_PLACES = ["SOPInstanceUID", "SeriesInstanceUID", "StudyInstanceUID", "FrameOfReferenceUID", "IrradiationEventUID",
              "ReferencedSOPInstanceUID", "ReferencedFrameOfReferenceUID", "ConcatenationUID", "NestedReference",
              "MediaStorageSOPInstanceUID", "DimensionOrganizationUID", "SynchronizationFrameOfReferenceUID"]
ROOTS = ["1.2.392.200036.9116.2", "1.2.840.113619.2.55.3", "1.3.12.2.1107.5.1.4", "1.2.840.10008",
         "1.3.46.670589.11", "1.2.826.0.1.3680043.2.1125", "2.16.840.1.113669.632.20"]


def _day(rng: random.Random) -> tuple[str, str]:
    y, m, d = rng.randint(1995, 2030), rng.randint(1, 12), rng.randint(13, 28)
    return f"{y}{m:02d}{d:02d}", f"{y}.{m}.{d}"


def device_members(rng: random.Random) -> list[Member]:
    out = []
    combos = list(itertools.product(range(len(NAMES)), range(len(DEVICE_SHAPES))))
    rng.shuffle(combos)
    for k, (i, j) in enumerate(combos[:120]):
        name, shape = NAMES[i], DEVICE_SHAPES[j]
        if "{N}" in shape and len(name) < 4:
            shape = "{v} {n}"   # AYO in capitals beside a vendor reads as a model's acronym (VCT, HDX): open
        value = shape.format(v=VENDORS[k % len(VENDORS)], n=name, N=name.upper())
        kw = DEVICE_KEYWORDS[k % len(DEVICE_KEYWORDS)]
        ds = base()
        setattr(ds, kw, value[:64])
        out.append(Member("device-unlisted", f"{kw}:{value}", to_bytes(ds), (name,)))
    return out


def eponym_members(rng: random.Random) -> list[Member]:
    out = []
    for i, name in enumerate(NAMES):
        if len(name) < 4:
            continue    # a three-letter name before a clinical word is read as an abbreviation
        for j, where in enumerate(EPONYM_PLACES):
            if (i + j) % 2:
                continue
            tail = CLINICAL[(i + j) % len(CLINICAL)]
            value = f"{name} {tail}" if rng.random() < 0.7 else f"{name.upper()} {tail.upper()}"
            if where == "SR":
                ds = _sr(value)
            elif where == "SRSentence":
                ds = _sr(f"{value} suspected")
            elif where == "SRLong":
                ds = _sr(f"Known {value}, confirmed on the follow-up scan today; no change since.")
            else:
                ds = base()
                _place(ds, where, value)
            out.append(Member("eponym-unlisted", f"{where}:{value}", to_bytes(ds), (name,)))
    return out


def _uid_place(ds: Dataset, where: str, uid: str) -> None:
    if where in ("ReferencedSOPInstanceUID", "NestedReference"):
        ref = Dataset()
        ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        ref.ReferencedSOPInstanceUID = uid
        if where == "NestedReference":
            series = Dataset()
            series.SeriesInstanceUID = uid
            series.ReferencedInstanceSequence = Sequence([ref])
            study = Dataset()
            study.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.9"
            study.ReferencedSeriesSequence = Sequence([series])
            ds.CurrentRequestedProcedureEvidenceSequence = Sequence([study])
        else:
            ds.ReferencedImageSequence = Sequence([ref])
    elif where == "ReferencedFrameOfReferenceUID":
        item = Dataset()
        item.ReferencedFrameOfReferenceUID = uid
        ds.ReferencedFrameOfReferenceSequence = Sequence([item])
    elif where == "IrradiationEventUID":
        ds.IrradiationEventUID = uid
    elif where == "MediaStorageSOPInstanceUID":
        ds.SOPInstanceUID = uid
        ds.file_meta.MediaStorageSOPInstanceUID = uid
    else:
        setattr(ds, where, uid)


def uid_members(rng: random.Random) -> list[Member]:
    out = []
    for i, where in enumerate(UID_PLACES):
        for j, root in enumerate(ROOTS):
            compact, dotted = _day(rng)
            serial = str(rng.randint(10**7, 10**9))
            mac = "".join(f"{rng.randint(0, 255):03d}" for _ in range(3))
            form = (i + j) % 4
            tail = [f"{compact}.1", f"{dotted}.{rng.randint(1, 99)}", f"{serial}.{compact}{rng.randint(10, 99)}",
                    f"{mac}.{compact}.{rng.randint(1, 9)}"][form]
            uid = f"{root}.{tail}"[:64]
            secret = [compact, dotted, serial, mac][form]
            ds = base()
            _uid_place(ds, where, uid)
            out.append(Member("uid-dated", f"{where}:{uid}", to_bytes(ds), (uid, secret)))
    return out


def all_members() -> list[Member]:
    rng = random.Random(11)
    return device_members(rng) + eponym_members(rng) + uid_members(rng)


__all__ = ["CLINICAL", "NAMES", "VENDORS", "all_members"]
