"""Burned-in text, default deny (D1): which images must be assumed to carry text, how every
frame is rendered for OCR, and when a file is held for a person instead of released.

An image with no BurnedInAnnotation attribute (or NO) whose OCR reads nothing used to pass
untouched.  Vendors burn names, IDs and dates into ultrasound headers, secondary captures,
screenshots, photographs and endoscopy frames whatever the header says, so for those classes
(policy ``data.dicom_burned_in_modalities`` / ``dicom_burned_in_sop_classes``, or a
ConversionType, i.e. a secondary capture):

- OCR must run on every frame (``use_ocr=False`` holds the file; a missing tesseract raises
  ``OcrUnavailable`` for every image, so nothing passes unread);
- the known text regions (top/bottom ``dicom_fallback_band`` of the rows, left/right
  ``dicom_burned_in_band_cols`` of the columns) are blanked whatever OCR found;
- every OCR and stroke box is blanked too.

Held for a person (``HeldForReview``, the loader quarantines the file with the class name):
a modality in ``dicom_hold_modalities`` (scanned documents), or OCR text covering more than
``dicom_hold_text_area`` of a frame (a page of text, not annotations).

OCR reads, besides the min-max rendering (and its contrast-normalised turns, pixels.py), a
percentile stretch (an outlier pixel squeezes 16-bit text into two grey levels), the header's
VOI window, and for colour images a chroma map (red text on grey has the grey's luminance).
Palette colour images are read through their lookup table.
"""
from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from deidentify.dicom import local_contrast, pixels, sharp_steps


class HeldForReview(RuntimeError):
    """The file cannot be released by masking: a person must look at it (reason in args[0])."""


def _class_match(uid: str, classes) -> bool:
    return any(uid == c or uid.startswith(c.rstrip(".") + ".") for c in classes if c)


def risk_reason(ds: Dataset, opts: pixels.PixelOptions) -> str | None:
    """Why ``ds`` must be assumed to carry burned-in text (OCR required, known regions
    blanked), or None for an ordinary image (OCR and strokes only)."""
    modality = str(ds.get("Modality", "") or "").strip().upper()
    if modality and modality in {m.upper() for m in opts.burned_in_modalities}:
        return f"modality {modality}"
    meta = getattr(ds, "file_meta", None)
    sop = str(ds.get("SOPClassUID", "") or (meta.get("MediaStorageSOPClassUID", "") if meta else "") or "")
    if sop and _class_match(sop, opts.burned_in_sop_classes):
        return f"SOP class {sop}"
    if ds.get("ConversionType"):
        return "secondary capture (ConversionType)"
    image_type = ds.get("ImageType") or []
    values = [image_type] if isinstance(image_type, str) else list(image_type)
    if any(w in str(v).upper() for v in values for w in _CAPTURE_WORDS):   # dose screens, "SCREEN SAVE"
        return "ImageType screen capture"
    return _capture_signs(ds) or colour_marks(ds, opts)


# ImageType values a capture writes (SCREEN SAVE, SCREENSHOT, CAPTURE, SNAPSHOT, VIDEO GRAB)
_CAPTURE_WORDS = ("SCREEN", "CAPTURE", "SNAPSHOT", "GRAB")
# Attributes only a secondary capture or a camera writes (PS3.3 C.8.6.1, C.8.6.2)
_CAPTURE_ATTRIBUTES = ("SecondaryCaptureDeviceManufacturer", "SecondaryCaptureDeviceManufacturerModelName",
                       "SecondaryCaptureDeviceSoftwareVersions", "SecondaryCaptureDeviceID", "DateOfSecondaryCapture",
                       "TimeOfSecondaryCapture", "VideoImageFormatAcquired", "DigitalImageFormatAcquired")


def _capture_signs(ds: Dataset) -> str | None:
    """A capture labelled as an ordinary image (round 6): ultrasound regions, the attributes a
    capture writes, a face or a person the image shows."""
    if ds.get("SequenceOfUltrasoundRegions"):
        return "ultrasound regions (SequenceOfUltrasoundRegions)"
    present = [k for k in _CAPTURE_ATTRIBUTES if ds.get(k) not in (None, "")]
    if present:
        return f"secondary capture ({present[0]})"
    if str(ds.get("RecognizableVisualFeatures", "")).strip().upper() == "YES":
        return "recognizable visual features"
    return None


# Modalities whose images are grey: colour there is a fusion, a map, a rendering or a screen
_GREY_MODALITIES = {"CT", "MR", "CR", "DX", "MG", "RF", "XA", "IO", "PX", "RG", "DR", "DF"}


def colour_marks(ds: Dataset, opts: pixels.PixelOptions | None = None) -> str | None:
    """Coloured pixels in the annotation bands of a grey modality's image (round 7): a screen or
    a capture labelled CT/MR writes its text there in colour (yellow, green), while a fusion, a
    dose map or a perfusion map colours the anatomy in the middle.  Such a file is a class that
    burns text in (OCR required, known regions blanked, held with OCR off); colour only in the
    middle, and grey stored as RGB or through a grey palette, is left as it was."""
    modality = str(ds.get("Modality", "") or "").strip().upper()
    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()
    if modality not in _GREY_MODALITIES or "PixelData" not in ds or not photometric \
            or photometric.startswith("MONOCHROME"):
        return None
    try:
        arr = np.asarray(ds.pixel_array)
        if photometric == "PALETTE COLOR":
            from pydicom.pixels import apply_color_lut

            arr = np.asarray(apply_color_lut(arr, ds))
    except Exception:  # noqa: BLE001 - undecodable pixels are refused where they are read (deid._decoded)
        return None
    if arr.ndim < 3 or arr.shape[-1] != 3:
        return None
    frames = arr if arr.ndim == 4 else arr[np.newaxis]
    top = float(frames.max()) or 1.0
    opts = opts or pixels.PixelOptions()
    band = np.zeros(frames.shape[1:3], bool)
    for x0, y0, x1, y1 in known_regions(frames.shape[1:3], opts):
        band[max(0, y0):y1, max(0, x0):x1] = True
    for frame in frames:
        chroma = frame.max(axis=-1).astype(np.int64) - frame.min(axis=-1)
        if int((chroma[band] > 0.2 * top).sum()) >= _COLOUR_MARK_PIXELS:
            return f"{photometric} colour in the annotation bands of a {modality} image (a screen or a capture)"
    return None


_COLOUR_MARK_PIXELS = 8   # a letter's strokes; single coloured pixels are compression noise


def hold_reason(ds: Dataset, opts: pixels.PixelOptions, risk: str | None) -> str | None:
    """Why the pixels of ``ds`` are held before any masking, or None."""
    modality = str(ds.get("Modality", "") or "").strip().upper()
    if modality and modality in {m.upper() for m in opts.hold_modalities}:
        return f"modality {modality}: pixel data held for review"
    if risk and not opts.use_ocr:
        return f"{risk}: burned-in text likely and OCR is off"
    return None


def check_hold(ds: Dataset, opts: pixels.PixelOptions) -> str | None:
    """Raise HeldForReview when ``ds`` is held before any masking; else its risk reason."""
    risk = risk_reason(ds, opts)
    held = hold_reason(ds, opts, risk)
    if held:
        raise HeldForReview(held)
    return risk


def known_regions(shape: tuple[int, ...], opts: pixels.PixelOptions) -> list[pixels.Box]:
    """Where modalities of the risky classes write their text: the four borders."""
    rows, cols = shape[0], shape[1]
    boxes = pixels.band_boxes(shape, opts)
    side = int(round(cols * opts.band_cols))
    if side > 0:
        boxes += [(0, 0, side, rows), (cols - side, 0, cols, rows)]
    return boxes


def text_area(boxes: list[pixels.Box], shape: tuple[int, ...]) -> float:
    """Fraction of a frame the union of ``boxes`` covers."""
    if not boxes:
        return 0.0
    cover = np.zeros(shape[:2], bool)
    for x0, y0, x1, y1 in boxes:
        cover[max(0, y0):y1, max(0, x0):x1] = True
    return float(cover.mean())


def _stretch(f: np.ndarray, lo: float, hi: float) -> np.ndarray:
    if hi <= lo:
        return np.zeros(f.shape, np.uint8)
    return (np.clip((f - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8)


def colour_view(ds: Dataset, frame: np.ndarray) -> np.ndarray:
    """The frame as shown: palette indices through the lookup table, else as stored."""
    if str(ds.get("PhotometricInterpretation", "")) == "PALETTE COLOR":
        try:
            from pydicom.pixels import apply_color_lut

            return apply_color_lut(frame, ds)
        except Exception:  # noqa: BLE001 - a broken LUT: read the indices themselves
            return frame
    return frame


def renderings(ds: Dataset, frame: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """(main 8-bit rendering, extra renderings read upright) of one stored frame."""
    mono1 = str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1"
    shown = colour_view(ds, frame)
    main = pixels.to_display8(shown, mono1)
    f = shown.astype(np.float64)
    extras: list[np.ndarray] = []
    if f.ndim == 3:
        chroma = f.max(axis=2) - f.min(axis=2)
        if chroma.max() > 0:
            extras.append(_stretch(chroma, float(chroma.min()), float(chroma.max())))
        f = f.mean(axis=2)
    lo, hi = (float(v) for v in np.percentile(f, (1, 99)))
    if (lo, hi) != (float(f.min()), float(f.max())):
        extras.append(_stretch(f, lo, hi))
    window = _header_window(ds, f)
    if window is not None:
        extras.append(255 - window if mono1 else window)
    return main, extras


def for_ocr(ds: Dataset, frame: np.ndarray, opts: pixels.PixelOptions, steps: bool = True) -> np.ndarray:
    """One stored frame (or cine summary) ready for ``pixels.ocr_boxes_many``: its renderings,
    the local-contrast page of its stored values (faint text of either polarity, read every way
    up) and the text-like lines in it that OCR must read (local_contrast.py)."""
    main, extras = renderings(ds, frame)
    rules = local_contrast.LineRules(high=opts.faint_text_contrast)
    shown = colour_view(ds, frame)
    lines = local_contrast.find_lines(shown, rules, similar=opts.faint_text_similar,
                                      planes=opts.faint_text_colour_planes) if opts.faint_text_hold else []
    if opts.faint_text_hold and opts.faint_text_steps and steps:   # text over folds: sharp paired steps
        lines = lines + sharp_steps.text_bands(shown, opts.faint_text_step_count)
    if lines:   # what _clean_pixels blanks without OCR need not be read: saturated strokes,
        # the borders of a class that burns text in, the bands of a flagged image
        blanked = _saturated(ds, frame, opts) if opts.use_strokes else []
        if risk_reason(ds, opts):
            blanked += known_regions(frame.shape, opts)
        elif str(ds.get("BurnedInAnnotation", "")).upper() == "YES":
            blanked += pixels.band_boxes(frame.shape, opts)
        lines = [b for b in lines if not _covered(b, blanked, opts, 0.9)]
    return pixels.with_extras(main, extras, local_contrast.rendering(shown, rules), lines)


def _saturated(ds: Dataset, frame: np.ndarray, opts: pixels.PixelOptions) -> list[pixels.Box]:
    """The stroke boxes ``deid`` blanks in this frame (as ``_clean_pixels`` finds them)."""
    bits = int(ds.get("BitsStored", ds.get("BitsAllocated", 8)) or 8)
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    top = (2 ** (bits - 1) - 1) if signed else (2 ** bits - 1)
    mono1 = str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1"
    view = (top - frame.astype(np.int64)) if mono1 else frame
    return pixels.stroke_boxes(view, top, opts)


def _covered(line: pixels.Box, boxes, opts: pixels.PixelOptions, share: float) -> bool:
    """Do ``boxes`` (with the blackout margin) cover at least ``share`` of ``line``?"""
    x0, y0, x1, y1 = line
    cover = np.zeros((y1 - y0, x1 - x0), bool)
    for b in boxes:
        pad = int(np.ceil((b[3] - b[1]) * opts.box_margin)) + 1
        cover[max(0, b[1] - pad - y0):max(0, b[3] + pad - y0),
              max(0, b[0] - pad - x0):max(0, b[2] + pad - x0)] = True
    return bool(cover.mean() >= share)


def check_read(images: list[np.ndarray], found: list[list[pixels.Box]], opts: pixels.PixelOptions,
               what: str = "frame", shared: list[pixels.Box] = ()) -> list[list[pixels.Box]]:
    """``found`` with each image's text-like lines (``for_ocr``) added, one letter wider at
    either end (the line found may be shorter than the text); HeldForReview when a line is not
    covered by the OCR boxes found in its image or by ``shared`` (boxes blanked in every frame:
    a reduced cine's summary boxes), with the blackout margin: text OCR could not read is
    never passed."""
    out = []
    for k, (img, own) in enumerate(zip(images, found)):
        boxes = list(own) + list(shared)
        lines = getattr(img, "lines", ())
        for x0, y0, x1, y1 in lines:
            if not _covered((x0, y0, x1, y1), boxes, opts, opts.faint_text_read_share):
                raise HeldForReview(f"text-like strokes OCR could not read in {what} {k} at x {x0}-{x1}, "
                                    f"y {y0}-{y1} (faint or unusual text): held for review")
        out.append(list(own) + [_widened(b) for b in lines])
    return out


def _widened(box: pixels.Box) -> pixels.Box:
    x0, y0, x1, y1 = box
    if x1 - x0 >= y1 - y0:
        h = y1 - y0
        return max(0, x0 - h), y0, x1 + h, y1
    w = x1 - x0
    return x0, max(0, y0 - w), x1, y1 + w


def _first(value) -> float:
    return float(value[0] if isinstance(value, (list, tuple, MultiValue)) else value)


def _header_window(ds: Dataset, f: np.ndarray) -> np.ndarray | None:
    try:
        center, width = ds.get("WindowCenter"), ds.get("WindowWidth")
        if center is None or width is None or int(ds.get("SamplesPerPixel", 1)) != 1:
            return None
        center, width = _first(center), _first(width)
        slope = float(ds.get("RescaleSlope", 1) or 1)
        intercept = float(ds.get("RescaleIntercept", 0) or 0)
    except (TypeError, ValueError):
        return None
    if width <= 1:
        return None
    return _stretch(f * slope + intercept, center - width / 2, center + width / 2)


def strip_unused_bits(ds: Dataset) -> bool:
    """Does the stored pixel data need rewriting to drop bits above BitsStored?  (Old overlays
    live in those bits, and a reader can show them.)"""
    return int(ds.get("BitsStored", 0) or 0) < int(ds.get("BitsAllocated", 0) or 0)


__all__ = ["HeldForReview", "check_hold", "check_read", "for_ocr", "hold_reason", "known_regions", "renderings", "risk_reason",
           "strip_unused_bits", "text_area"]
