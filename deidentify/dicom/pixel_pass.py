"""The pixel pass of one DICOM object (D1): decode the frames, OCR them (or the few images that
stand for a long cine), black out what OCR, the stroke finder, the header's flag or the image's
class says is burned-in text, and write the frames back.  Split from deid.py (round 9): the
header passes stay there."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian

from deidentify.dicom import burned_in, cine, pixels

if TYPE_CHECKING:
    from deidentify.dicom.deid import DicomReport


def decoded(ds: Dataset) -> np.ndarray | None:
    """The pixel frames as (frames, rows, cols[, samples]), decompressing if needed."""
    if "PixelData" not in ds:
        return None
    ts = ds.file_meta.get("TransferSyntaxUID")
    if ts is not None and ts.is_compressed:
        try:
            ds.decompress()
        except Exception as exc:  # noqa: BLE001 - report which syntax could not be decoded
            raise ValueError(f"cannot decode pixel data in transfer syntax {ts} ({ts.name}): {exc}") from exc
    arr = ds.pixel_array.copy()
    return arr if int(ds.get("NumberOfFrames", 1) or 1) > 1 else arr[np.newaxis, ...]


def is_mono1(ds: Dataset) -> bool:
    return str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1"


def ocr_inputs(ds: Dataset, opts: pixels.PixelOptions) -> tuple[cine.OcrPlan | None, list[np.ndarray]]:
    """(plan, 8-bit renderings to OCR, each carrying its extra renderings): every frame, or for
    a long cine the few images that stand for its frames (cine.py).  Held files raise first."""
    burned_in.check_hold(ds, opts)
    stack = decoded(ds)
    if stack is None:
        return None, []
    plan, images = cine.plan(stack, opts.ocr_max_frames)
    # the sharp-step test assumes a stored frame's noise: not for a per-pixel max/min/median of
    # many frames (its first and last frames, read too, are stored frames)
    return plan, [burned_in.for_ocr(ds, f, opts, steps=not isinstance(src, str))
                  for f, src in zip(images, plan.sources)]


def ocr_frames(ds: Dataset, opts: pixels.PixelOptions) -> list[list[pixels.Box]]:
    plan, images = ocr_inputs(ds, opts)
    if plan is None:
        return []
    sure: list[list[pixels.Box]] = []
    found = pixels.ocr_boxes_many(images, opts, sure=sure) if plan.reduced else pixels.ocr_boxes_many(images, opts)
    found = burned_in.check_read(images, found, opts, "summary image or frame" if plan.reduced else "frame",
                                 plan.shared(found) if plan.reduced else [])
    return plan.spread(found, sure) if plan.reduced else found


def clean_pixels(ds: Dataset, opts: pixels.PixelOptions, report: "DicomReport",
                  ocr: list[list[pixels.Box]] | None = None) -> bool:
    """Black out burned-in text; ``ocr`` passes boxes found beforehand (batched OCR).
    Default deny (burned_in.py): risky classes need OCR and lose their borders; some are held."""
    for kw in ("FloatPixelData", "DoubleFloatPixelData"):
        if kw in ds:   # pixel_array would read them, OCR here does not: a person looks
            raise burned_in.HeldForReview(f"{kw}: float pixel data is not read for burned-in text here")
    if "PixelData" not in ds:
        return False
    risk = burned_in.check_hold(ds, opts)
    stack = decoded(ds)
    spp = int(ds.get("SamplesPerPixel", 1))
    mono1 = is_mono1(ds)
    bits = int(ds.get("BitsStored", ds.get("BitsAllocated", 8)))
    signed = int(ds.get("PixelRepresentation", 0)) == 1
    max_value = (2 ** (bits - 1) - 1) if signed else (2 ** bits - 1)
    burned_flag = str(ds.get("BurnedInAnnotation", "")).upper() == "YES"
    if ocr is None:
        if opts.use_ocr:
            ocr = ocr_frames(ds, opts)
        else:
            ocr = [[] for _ in stack]
    changed = burned_in.strip_unused_bits(ds)   # rewritten without bits above BitsStored
    report.burned_in_class = risk or ""
    for frame, ocr_found in zip(stack, ocr):
        report.frames += 1
        area = burned_in.text_area(list(ocr_found), frame.shape)
        if area > opts.hold_text_area:
            raise burned_in.HeldForReview(f"OCR text covers {area:.0%} of a frame: a page of text")
        fill = (frame.max() if mono1 else frame.min()) if spp == 1 else 0
        # MONOCHROME1 shows low values as white: look for strokes in the inverted values.
        stroke_view = (max_value - frame.astype(np.int64)) if mono1 else frame
        strokes = pixels.stroke_boxes(stroke_view, max_value, opts) if opts.use_strokes else []
        boxes = list(ocr_found) + strokes
        report.ocr_boxes += len(ocr_found)
        report.stroke_boxes += len(strokes)
        if risk:   # text assumed where these classes write it, whatever OCR read
            boxes += burned_in.known_regions(frame.shape, opts)
            report.known_regions = True
        elif burned_flag:   # the header says there is text: its bands go even if OCR found some
            boxes += pixels.band_boxes(frame.shape, opts)
            report.band_fallback = True
        if boxes:
            pixels.blackout(frame, boxes, fill, opts.box_margin)
            changed = True
    if changed:
        out = stack if len(stack) > 1 or int(ds.get("NumberOfFrames", 1) or 1) > 1 else stack[0]
        ds.PixelData = out.astype(out.dtype.newbyteorder("<")).tobytes()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        if spp > 1:
            ds.PlanarConfiguration = 0  # pixel_array is colour-by-pixel, written back as such
            if str(ds.get("PhotometricInterpretation", "")).startswith("YBR"):
                ds.PhotometricInterpretation = "RGB"   # pixel_array converted YBR to RGB
    return changed


__all__ = ["clean_pixels", "decoded", "is_mono1", "ocr_frames", "ocr_inputs"]
