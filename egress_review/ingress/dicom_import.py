"""Whether an imported DICOM file is already de-identified (D4).

The import checks used to look at ten header elements (PatientName, PatientID, ...) and never
at the pixels: a file with the patient's name in a private tag, an SR text, a sequence item,
the file meta's source AE title or the preamble, or burned into the image, was taken.  Now the
file is put through the steward's own de-identifier (``deidentify.dicom``, the PS3.15 Annex E
profile with the enclave's options) on a copy, and compared with what was brought: every
element that the profile would remove, empty or rewrite, and that holds something, means the
file is not de-identified, and it is refused with the elements named.  UIDs are left out of the
comparison (the profile always re-maps them); the patient ID is refused whenever filled (the
profile would replace it by the enclave's pseudonym, which the comparison cannot tell).

Pixels are read as the steward's load reads them (OCR and stroke finding): text found, a header
saying text is burned in, or an image the de-identifier would hold for a person, goes to a
reviewer with the reason; pixels that cannot be decoded or are over the import's reading budget
go to a reviewer too - never taken as "no text".
"""
from __future__ import annotations

import copy
import hashlib
import io
from dataclasses import dataclass, field

_PIXEL_MODULE = {"PixelData", "FloatPixelData", "DoubleFloatPixelData", "PhotometricInterpretation",
                 "PlanarConfiguration"}
# what the de-identifier itself writes: its own marks, not the brought file's content
_OWN_MARKS = {"PatientIdentityRemoved", "DeidentificationMethod", "DeidentificationMethodCodeSequence",
              "LongitudinalTemporalInformationModified", "BurnedInAnnotation"}
_META_REWRITTEN = {"MediaStorageSOPClassUID", "MediaStorageSOPInstanceUID", "TransferSyntaxUID",
                   "ImplementationClassUID", "ImplementationVersionName", "FileMetaInformationVersion",
                   "FileMetaInformationGroupLength"}
MAX_NAMED = 12


@dataclass
class DicomImportFindings:
    not_deidentified: list[str] = field(default_factory=list)   # element paths that hold data
    pixel_reasons: list[tuple[str, str]] = field(default_factory=list)   # (en, zh) for a reviewer


def _value(elem) -> str:
    v = elem.value
    if isinstance(v, (bytes, bytearray)):
        return "bytes:" + hashlib.sha256(bytes(v)).hexdigest()
    if v is None:
        return ""
    text = str(v)
    return "" if text.strip(" \0") in ("", "[]", "None") else text


def _flatten(ds, prefix: str = "") -> dict[str, tuple[str, str]]:
    """path -> (VR, value) for every element, into every sequence item."""
    out: dict[str, tuple[str, str]] = {}
    for elem in ds:
        name = elem.keyword or f"({elem.tag.group:04X},{elem.tag.element:04X})"
        path = prefix + name
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value or []):
                out.update(_flatten(item, f"{path}[{i}]."))
            out.setdefault(path, ("SQ", "items" if elem.value else ""))
            continue
        out[path] = (str(elem.VR), _value(elem))
    return out


def _held_elements(before: dict, after: dict) -> list[str]:
    flagged = []
    for path, (vr, value) in before.items():
        top = path.split("[", 1)[0].split(".", 1)[0]
        if not value or vr == "UI" or top in _OWN_MARKS or top in _PIXEL_MODULE:
            continue
        if after.get(path, ("", ""))[1] != value:
            flagged.append(path)
    return flagged


def check_dicom(data: bytes, *, read_pixels: bool) -> DicomImportFindings:
    """Raises ``ValueError`` with the reason when the file cannot be read as DICOM at all."""
    import pydicom

    from deidentify.dicom import PixelOptions
    from deidentify.dicom.burned_in import HeldForReview
    from deidentify.dicom.deid import deidentify_dataset

    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
        before = _flatten(ds)
    except Exception as e:  # noqa: BLE001 - pydicom raises many types for broken files
        raise ValueError(f"not readable as DICOM ({type(e).__name__}: {e})") from e
    meta_before = {f"meta.{k}": v for k, v in _flatten(ds.file_meta).items()
                   if k not in _META_REWRITTEN}
    out = DicomImportFindings()
    preamble = bytes(ds.preamble or b"")
    if preamble.strip(b"\0 "):
        out.not_deidentified.append("preamble (128 bytes before DICM)")
    if _value(ds["PatientID"]) if "PatientID" in ds else "":
        out.not_deidentified.append("PatientID")
    work = copy.deepcopy(ds)
    has_pixels = any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData"))
    if has_pixels and not read_pixels:
        out.pixel_reasons.append(("the import's picture budget is spent: the pixels were not read",
                                  "本次帶入的圖片讀取額度已用盡，未讀取影像像素"))
    options = PixelOptions.from_policy() if read_pixels else PixelOptions.from_policy(use_ocr=False)
    report = None
    if has_pixels and read_pixels:
        try:
            report = deidentify_dataset(work, pseudonymise=str, options=options)
        except HeldForReview as e:
            out.pixel_reasons.append((f"the image is one a person must look at ({e})",
                                      f"此影像須由人工檢視（{e}）"))
        except ValueError as e:
            out.pixel_reasons.append((f"the pixels could not be decoded ({e})", f"影像像素無法解碼（{e}）"))
    if report is None:   # the header alone, on a copy without pixels
        work = copy.deepcopy(ds)
        for kw in ("PixelData", "FloatPixelData", "DoubleFloatPixelData"):
            if kw in work:
                del work[kw]
        deidentify_dataset(work, pseudonymise=str, options=options)
    else:
        if report.ocr_boxes or report.stroke_boxes:
            n = report.ocr_boxes + report.stroke_boxes
            out.pixel_reasons.append((f"text found in the pixels ({n} area(s))",
                                      f"影像像素中發現文字（{n} 處）"))
    if str(ds.get("BurnedInAnnotation", "")).strip().upper() == "YES":
        out.pixel_reasons.append(("the header says text is burned into the image (BurnedInAnnotation YES)",
                                  "標頭註明影像含燒入文字（BurnedInAnnotation YES）"))
    after = _flatten(work)
    meta_after = {f"meta.{k}": v for k, v in _flatten(work.file_meta).items()}
    out.not_deidentified += [p for p in _held_elements(before, after) if p != "PatientID"]
    out.not_deidentified += _held_elements(meta_before, meta_after)
    return out
