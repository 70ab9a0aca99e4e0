"""De-identify one DICOM object: headers per PS3.15 Annex E basic profile, pixels cleaned."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from deidentify.dicom import pixels
from deidentify.dicom.profile import BASIC_PROFILE, default_action
from deidentify.text import find_identifiers

_TEXT_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT"}
_FREE_TEXT_VRS = {"LO", "LT", "SH", "ST", "UC", "UT"}
_REGISTERED_ROOT = "1.2.840.10008."


@dataclass
class DicomReport:
    """What ``deidentify_dicom_report`` did (for the loader's reconciliation report)."""
    removed: list[str] = field(default_factory=list)
    emptied: list[str] = field(default_factory=list)
    uids_remapped: int = 0
    residual_removed: list[str] = field(default_factory=list)
    ocr_boxes: int = 0
    stroke_boxes: int = 0
    band_fallback: bool = False
    frames: int = 0


def _new_uid(uid: str, pseudonymise: Callable[[str], str]) -> str:
    """A consistent replacement UID under 2.25 (UUID-derived root), keyed via pseudonymise."""
    digest = hashlib.sha256(("dicom-uid:" + pseudonymise("dicom-uid:" + uid)).encode()).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big") >> 1)


def _identity_strings(ds: Dataset) -> list[str]:
    """The patient's own identifying strings, to sweep the cleaned header for leftovers."""
    out: set[str] = set()
    for kw in ("PatientName", "PatientID", "OtherPatientIDs", "PatientBirthDate", "PatientBirthName",
               "PatientMotherBirthName", "OtherPatientNames", "PatientAddress", "PatientTelephoneNumbers"):
        value = ds.get(kw)
        if value in (None, ""):
            continue
        values = value if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
        for v in values:
            s = str(v).strip()
            if not s:
                continue
            out.add(s)
            if kw.endswith("Name") or kw.endswith("Names"):
                joined = s.replace("^", "").replace(" ", "")
                out.add(joined)
                out.update(p for p in s.replace("=", "^").split("^") if len(p.strip()) >= 2)
            if kw == "PatientBirthDate" and len(s) == 8 and s.isdigit():
                out.update({f"{s[:4]}-{s[4:6]}-{s[6:]}", f"{s[:4]}/{s[4:6]}/{s[6:]}", f"{s[:4]}.{s[4:6]}.{s[6:]}"})
    return sorted((s for s in out if len(s) >= 2), key=len, reverse=True)


class _Cleaner:
    def __init__(self, pseudonymise: Callable[[str], str], report: DicomReport):
        self.pseudonymise = pseudonymise
        self.report = report
        self.uid_map: dict[str, str] = {}

    def uid(self, value: str) -> str:
        value = str(value).strip()
        if not value or value.startswith(_REGISTERED_ROOT):
            return value  # SOP classes, transfer syntaxes, coding schemes: not identifying
        if value not in self.uid_map:
            self.uid_map[value] = _new_uid(value, self.pseudonymise)
            self.report.uids_remapped += 1
        return self.uid_map[value]

    def clean(self, ds: Dataset, path: str = "") -> None:
        for elem in list(ds):
            tag = elem.tag
            name = f"{path}{elem.keyword or str(tag)}"
            if tag.is_private or 0x5000 <= tag.group <= 0x50FF or 0x6000 <= tag.group <= 0x60FF:
                del ds[tag]  # private tags, curves, overlay planes (may hold burned-in text)
                self.report.removed.append(name)
                continue
            if elem.keyword == "PixelData" or tag.group == 0x7FE0:
                continue
            action = BASIC_PROFILE.get(elem.keyword) or default_action(elem.keyword, elem.VR, elem.value)
            if elem.VR == "SQ":
                if action == "X":
                    del ds[tag]
                    self.report.removed.append(name)
                elif action == "Z":
                    elem.value = Sequence([])
                    self.report.emptied.append(name)
                else:
                    for i, item in enumerate(elem.value):
                        self.clean(item, f"{name}[{i}].")
                continue
            if action == "X":
                del ds[tag]
                self.report.removed.append(name)
            elif action in ("Z", "D"):
                elem.value = None
                self.report.emptied.append(name)
            elif action == "U":
                if elem.VM > 1:
                    elem.value = [self.uid(v) for v in elem.value]
                elif elem.value:
                    elem.value = self.uid(elem.value)

    def sweep(self, ds: Dataset, identity: list[str], path: str = "") -> None:
        """Remove any remaining text element that still names the patient or holds an identifier."""
        # Short ASCII strings (an ID like "123") would match unrelated numbers as substrings:
        # those must equal the whole value; longer or non-ASCII ones may appear anywhere.
        anywhere = [s.lower() for s in identity if len(s) >= 6 or not s.isascii()]
        whole = {s.lower() for s in identity if len(s) < 6 and s.isascii()}
        for elem in list(ds):
            name = f"{path}{elem.keyword or str(elem.tag)}"
            if elem.VR == "SQ":
                for i, item in enumerate(elem.value):
                    self.sweep(item, identity, f"{name}[{i}].")
                continue
            if elem.VR not in _TEXT_VRS or elem.value in (None, "") or elem.keyword in _SWEEP_EXEMPT:
                continue
            text = str(elem.value)
            low = text.lower()
            leaked = low.strip() in whole or any(s in low for s in anywhere)
            if not leaked and elem.VR in _FREE_TEXT_VRS:
                leaked = any(h.kind != "NAME" or h.score >= 0.85 for h in find_identifiers(text))
            if leaked:
                del ds[elem.tag]
                self.report.residual_removed.append(name)


_SWEEP_EXEMPT = {"PatientID", "DeidentificationMethod", "PatientIdentityRemoved", "SpecificCharacterSet"}


def _clean_pixels(ds: Dataset, opts: pixels.PixelOptions, report: DicomReport) -> bool:
    if "PixelData" not in ds:
        return False
    ts = ds.file_meta.get("TransferSyntaxUID")
    if ts is not None and ts.is_compressed:
        try:
            ds.decompress()
        except Exception as exc:  # noqa: BLE001 - report which syntax could not be decoded
            raise ValueError(f"cannot decode pixel data in transfer syntax {ts} ({ts.name}): {exc}") from exc
    arr = ds.pixel_array.copy()
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    spp = int(ds.get("SamplesPerPixel", 1))
    stack = arr if frames > 1 else arr[np.newaxis, ...]
    mono1 = str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1"
    bits = int(ds.get("BitsStored", ds.get("BitsAllocated", 8)))
    signed = int(ds.get("PixelRepresentation", 0)) == 1
    max_value = (2 ** (bits - 1) - 1) if signed else (2 ** bits - 1)
    burned_flag = str(ds.get("BurnedInAnnotation", "")).upper() == "YES"
    changed = False
    for frame in stack:
        report.frames += 1
        fill = (frame.max() if mono1 else frame.min()) if spp == 1 else 0
        ocr = pixels.ocr_boxes(pixels.to_display8(frame, mono1), opts) if opts.use_ocr else []
        # MONOCHROME1 shows low values as white: look for strokes in the inverted values.
        stroke_view = (max_value - frame.astype(np.int64)) if mono1 else frame
        strokes = pixels.stroke_boxes(stroke_view, max_value, opts) if opts.use_strokes else []
        boxes = ocr + strokes
        report.ocr_boxes += len(ocr)
        report.stroke_boxes += len(strokes)
        if not boxes and burned_flag:
            boxes = pixels.band_boxes(frame.shape, opts)
            report.band_fallback = True
        if boxes:
            pixels.blackout(frame, boxes, fill, opts.box_margin)
            changed = True
    if changed:
        out = stack if frames > 1 else stack[0]
        ds.PixelData = out.astype(out.dtype.newbyteorder("<")).tobytes()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return changed


def deidentify_dataset(ds: Dataset, *, pseudonymise: Callable[[str], str],
                       options: pixels.PixelOptions | None = None) -> DicomReport:
    """Clean ``ds`` in place; see ``deidentify_dicom``."""
    report = DicomReport()
    opts = options or pixels.PixelOptions()
    identity = _identity_strings(ds)
    original_id = str(ds.get("PatientID", "") or "")
    cleaner = _Cleaner(pseudonymise, report)
    pixels_cleaned = _clean_pixels(ds, opts, report)
    cleaner.clean(ds)
    pseudo = pseudonymise(original_id) if original_id else ""
    ds.PatientID = pseudo
    if identity:
        cleaner.sweep(ds, identity)
    meta = ds.file_meta
    if "SOPInstanceUID" in ds:
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    for elem in list(meta):
        if elem.keyword not in ("MediaStorageSOPInstanceUID", "MediaStorageSOPClassUID", "TransferSyntaxUID",
                                "ImplementationClassUID", "FileMetaInformationVersion",
                                "FileMetaInformationGroupLength", "ImplementationVersionName"):
            del meta[elem.tag]  # source AE titles, private creators etc.
    ds.PatientIdentityRemoved = "YES"
    ds.LongitudinalTemporalInformationModified = "REMOVED"
    methods = ["PS3.15 E.1 Basic Application Level Confidentiality Profile",
               "PatientID replaced by keyed pseudonym", "UIDs re-mapped (2.25, keyed)"]
    codes = [("113100", "Basic Application Confidentiality Profile")]
    if pixels_cleaned:
        methods.append("burned-in text masked: OCR, strokes" + (", bands" if report.band_fallback else ""))
        codes.append(("113101", "Clean Pixel Data Option"))
        ds.BurnedInAnnotation = "NO"
    ds.DeidentificationMethod = methods
    items = []
    for value, meaning in codes:
        item = Dataset()
        item.CodeValue = value
        item.CodingSchemeDesignator = "DCM"
        item.CodeMeaning = meaning
        items.append(item)
    ds.DeidentificationMethodCodeSequence = Sequence(items)
    return report


def deidentify_dicom(data: bytes, *, pseudonymise: Callable[[str], str],
                     options: pixels.PixelOptions | None = None) -> bytes:
    """De-identified copy of a DICOM Part 10 file.

    Headers: PS3.15 Annex E basic profile (names, IDs, birth date, addresses, institution,
    physicians removed or emptied; UIDs re-mapped consistently through ``pseudonymise``; private
    tags, curves and overlays removed), PatientID = ``pseudonymise(original PatientID)``,
    PatientIdentityRemoved = YES, DeidentificationMethod(+CodeSequence) set, and a final sweep
    removing any text element still holding the patient's name, ID, birth date or an identifier.
    Pixels: burned-in text blacked out (OCR boxes + saturated-stroke clusters; annotation bands
    when BurnedInAnnotation=YES and nothing was found).

    ``pseudonymise`` must be deterministic and keyed (e.g. HMAC with the release key): it is
    called with the original PatientID and with ``"dicom-uid:<uid>"`` for each UID, so the same
    key gives the same replacement UIDs across files (series stay together) and another key
    gives unlinkable ones.  Raises ValueError for bytes that are not DICOM Part 10 or pixel data
    in a transfer syntax that cannot be decoded here, OcrUnavailable when tesseract is missing
    (pass ``options=PixelOptions(use_ocr=False)`` to rely on strokes and bands only).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"deidentify_dicom expects bytes, got {type(data).__name__}")
    try:
        ds = pydicom.dcmread(io.BytesIO(bytes(data)))
    except InvalidDicomError as exc:
        raise ValueError(f"not a DICOM Part 10 file: {exc}") from exc
    deidentify_dataset(ds, pseudonymise=pseudonymise, options=options)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


__all__ = ["DicomReport", "deidentify_dataset", "deidentify_dicom"]
