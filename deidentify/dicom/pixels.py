"""Finding and blacking out text burned into DICOM pixel data.

Two detectors, and a last resort:
1. OCR: tesseract (Debian's ``tesseract-ocr`` with ``eng`` and ``chi_tra``) run as a
   subprocess on an 8-bit, inverted, upscaled rendering of each frame; every word box is
   blacked out with a margin, and each OCR line is blacked out as a whole.
2. Saturated strokes: modalities draw annotations at (or near) the maximum pixel value.
   Thin, sparse clusters of such pixels (text-like geometry) are blacked out even when OCR
   misreads them, e.g. for fonts or scripts tesseract does not know.
3. When the header says BurnedInAnnotation = YES and neither detector found anything, the
   top and bottom bands of the image (where modalities put their annotation overlays) are
   blacked out.

The masking decisions (OCR confidence cut-off, margin around boxes, fallback band height) are
policy settings (``data.dicom_*``, RULES.md D1): ``PixelOptions`` takes them from the policy
unless given.  The stroke detector's geometry is calibration and stays here.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

from deidentify import ocr

OcrUnavailable = ocr.OcrUnavailable   # what callers of the pixel scrub catch

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive), in pixel coordinates


def _policy_default(key: str):
    def read() -> float:
        from policies import current_policy

        return getattr(current_policy().data, key)
    return field(default_factory=read)


@dataclass(frozen=True)
class PixelOptions:
    use_ocr: bool = True
    use_strokes: bool = True
    ocr_languages: str = "eng+chi_tra"
    # policy (D1): a word read with at least this tesseract confidence (0–100) is blacked out
    ocr_min_confidence: float = _policy_default("dicom_ocr_min_confidence")
    ocr_upscale_below: int = 1024        # upscale frames smaller than this (pixels) before OCR
    # policy (D1): margin around a box, as a fraction of its height
    box_margin: float = _policy_default("dicom_mask_margin")
    saturation_fraction: float = 0.98    # stroke pixels are ≥ this fraction of the value range
    max_bright_fraction: float = 0.25    # more near-maximum pixels than this: an image, not strokes
    max_text_height: float = 0.12        # a text cluster is at most this fraction of the rows
    max_fill_ratio: float = 0.6          # strokes are sparse; solid bright areas are not text
    # policy (D1): band height (fraction of rows) for the last resort
    fallback_band: float = _policy_default("dicom_fallback_band")
    tesseract_timeout: float = 60.0      # seconds per frame; a timeout fails the file (closed)
    # read every frame also contrast-normalised in all four orientations (4 more OCR pages per
    # frame); off only to measure what it costs (bench/deidentify_dicom.py)
    ocr_all_orientations: bool = True
    # policy (D1): classes of image that carry burned-in text (see burned_in.py)
    burned_in_modalities: tuple[str, ...] = _policy_default("dicom_burned_in_modalities")
    burned_in_sop_classes: tuple[str, ...] = _policy_default("dicom_burned_in_sop_classes")
    band_cols: float = _policy_default("dicom_burned_in_band_cols")
    hold_modalities: tuple[str, ...] = _policy_default("dicom_hold_modalities")
    hold_text_area: float = _policy_default("dicom_hold_text_area")
    ocr_max_frames: int = _policy_default("dicom_ocr_max_frames")
    ocr_sure_confidence: float = _policy_default("dicom_ocr_sure_confidence")
    faint_text_hold: bool = _policy_default("dicom_faint_text_hold")
    faint_text_contrast: float = _policy_default("dicom_faint_text_contrast")
    faint_text_read_share: float = _policy_default("dicom_faint_text_read_share")
    faint_text_similar: bool = _policy_default("dicom_faint_text_similar")
    faint_text_colour_planes: bool = _policy_default("dicom_faint_text_colour_planes")
    faint_text_steps: bool = _policy_default("dicom_faint_text_steps")
    faint_text_step_count: int = _policy_default("dicom_faint_text_step_count")

    @classmethod
    def from_policy(cls, policy=None, **overrides) -> "PixelOptions":
        """Options with the masking decisions of ``policy`` (a loaded ``policies.Policy``; None:
        the current policy); ``overrides`` set any other field (``use_ocr=False`` …)."""
        if policy is None:
            from policies import current_policy

            policy = current_policy()
        d = policy.data
        return cls(**{"ocr_min_confidence": d.dicom_ocr_min_confidence, "box_margin": d.dicom_mask_margin,
                      "fallback_band": d.dicom_fallback_band,
                      "burned_in_modalities": tuple(d.dicom_burned_in_modalities),
                      "burned_in_sop_classes": tuple(d.dicom_burned_in_sop_classes),
                      "band_cols": d.dicom_burned_in_band_cols,
                      "hold_modalities": tuple(d.dicom_hold_modalities),
                      "hold_text_area": d.dicom_hold_text_area,
                      "ocr_max_frames": d.dicom_ocr_max_frames,
                      "ocr_sure_confidence": d.dicom_ocr_sure_confidence,
                      "faint_text_hold": d.dicom_faint_text_hold,
                      "faint_text_contrast": d.dicom_faint_text_contrast,
                      "faint_text_read_share": d.dicom_faint_text_read_share,
                      "faint_text_similar": d.dicom_faint_text_similar,
                      "faint_text_colour_planes": d.dicom_faint_text_colour_planes,
                      "faint_text_steps": d.dicom_faint_text_steps,
                      "faint_text_step_count": d.dicom_faint_text_step_count, **overrides})




def to_display8(frame: np.ndarray, monochrome1: bool = False) -> np.ndarray:
    f = frame.astype(np.float64)
    if f.ndim == 3:
        f = f.mean(axis=2)
    lo, hi = float(f.min()), float(f.max())
    out = np.zeros(f.shape, np.uint8) if hi <= lo else ((f - lo) / (hi - lo) * 255).astype(np.uint8)
    return 255 - out if monochrome1 else out


def _prepare(gray8: np.ndarray, opts: PixelOptions) -> tuple[Image.Image, int]:
    """Inverted (dark text on light suits tesseract best) and upscaled; returns the scale."""
    h, w = gray8.shape
    scale = max(1, opts.ocr_upscale_below // max(h, w)) if max(h, w) < opts.ocr_upscale_below else 1
    img = Image.fromarray(255 - gray8)
    if scale > 1:
        img = img.resize((w * scale, h * scale), Image.Resampling.LANCZOS)
    return img, scale


def _tesseract(images: list[Image.Image], opts: PixelOptions, tsv: bool) -> str:
    """One tesseract run over all ``images`` (sparse text: labels scattered over an image)."""
    return ocr.run_tesseract(images, languages=opts.ocr_languages, psm=11,
                         timeout_s=opts.tesseract_timeout, tsv=tsv)


ROTATIONS = (0, 1, 2, 3)   # quarter turns (np.rot90): text written sideways or upside down


def contrast_normalised(gray8: np.ndarray) -> np.ndarray:
    """Thin light strokes lifted to full contrast, whatever their level: the white top-hat
    (the image minus its grey opening) keeps structures narrower than the 7-pixel element
    (glyph strokes) and drops smooth anatomy; it is then stretched so that its 99.7th
    percentile is white.  Grey text on grey tissue that a min-max rendering shows as two
    neighbouring grey levels comes out white on black."""
    f = gray8.astype(np.float32)
    tophat = f - ndimage.grey_opening(f, size=(7, 7))
    hi = float(np.percentile(tophat, 99.7))
    if hi <= 0:
        return np.zeros_like(gray8)
    return (np.clip(tophat / hi, 0, 1) * 255).astype(np.uint8)


def _unrotate(box: Box, k: int, shape: tuple[int, int]) -> Box:
    """A box found in ``np.rot90(image, k)`` in the coordinates of ``image`` (rows, cols = shape)."""
    x0, y0, x1, y1 = box
    rows, cols = shape
    if k == 1:
        return cols - y1, x0, cols - y0, x1
    if k == 2:
        return cols - x1, rows - y1, cols - x0, rows - y0
    if k == 3:
        return y0, rows - x1, y1, rows - x0
    return box


def _variants(gray8: np.ndarray, all_ways: bool = True,
              enhanced: tuple | None = None) -> list[tuple[np.ndarray, int]]:
    """(image, quarter turns) tesseract reads for one frame: the plain rendering upright, and
    the contrast-normalised ones (``enhanced``: bright and dark strokes of the stored values,
    local_contrast.py; else the white top-hat of ``gray8``) in all four orientations."""
    if not all_ways:   # upright only; stored-value renderings are read upright too
        return [(gray8, 0)] + [(e, 0) for e in enhanced or ()]
    pages = enhanced or (contrast_normalised(gray8),)
    return [(gray8, 0)] + [(np.ascontiguousarray(np.rot90(e, k)), k) for e in pages for k in ROTATIONS]


class Rendering(np.ndarray):
    """An 8-bit frame carrying other renderings of itself (``extras``, read upright only;
    ``enhanced``, read every way up) and the text-like lines found in its stored values
    (``lines``, local_contrast.py: OCR must read them or the file is held)."""
    extras: tuple = ()
    enhanced = None
    lines: tuple = ()


def with_extras(gray8: np.ndarray, extras, enhanced: tuple | None = None, lines=()) -> np.ndarray:
    out = np.asarray(gray8).view(Rendering)
    out.extras = tuple(extras)
    out.enhanced = enhanced
    out.lines = tuple(lines)
    return out


def _on_line(box: Box, lines) -> bool:
    """Is at least half of ``box`` on one of ``lines``?"""
    x0, y0, x1, y1 = box
    area = max(1, (x1 - x0) * (y1 - y0))
    return any((min(x1, b[2]) - max(x0, b[0])) * (min(y1, b[3]) - max(y0, b[1])) * 2 >= area
               and x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in lines)


def ocr_boxes_many(frames: list[np.ndarray], opts: PixelOptions,
                   sure: list[list[Box]] | None = None) -> list[list[Box]]:
    """Word and line boxes tesseract finds in each 8-bit image (every orientation, plain and
    contrast-normalised, and upright each of its ``extras``, see ``with_extras``), in one
    tesseract run; boxes in each frame's own coordinates.  ``sure`` (a list) receives per
    image the boxes of words read with ``ocr_sure_confidence`` and 3+ letters or digits
    (text beyond doubt, not the shapes OCR reads into noise: cine.py decides holds on them)."""
    if not frames:
        return []
    pages: list[tuple[int, int, int, bool]] = []   # (frame, quarter turns, scale, strict)
    images = []
    for f_idx, gray in enumerate(frames):
        more = [(np.asarray(e), 0) for e in getattr(gray, "extras", ())]
        enhanced = getattr(gray, "enhanced", None)
        gray = np.asarray(gray)
        variants = _variants(gray, opts.ocr_all_orientations, enhanced)
        for n, (img8, k) in enumerate(variants + more):
            img, scale = _prepare(img8, opts)
            images.append(img)
            # local-contrast pages of the stored values show anatomy's every fleck, which OCR
            # reads as short words: there a word counts only on a text-like line or when sure
            pages.append((f_idx, k, scale, bool(enhanced) and 0 < n < len(variants)))
    out = _tesseract(images, opts, tsv=True)
    words: dict[tuple[int, int], list[tuple[tuple[int, int, int], Box]]] = {}
    sure_found: dict[int, list[Box]] = {}
    aside: dict[tuple[int, int, tuple[int, int, int]], list[Box]] = {}
    for row in csv.DictReader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text or not any(c.isalnum() for c in text):
            continue
        if float(row["conf"]) < opts.ocr_min_confidence:
            continue
        page = int(row["page_num"]) - 1
        f_idx, k, scale, strict = pages[page]
        x, y, bw, bh = (int(row[c]) // scale for c in ("left", "top", "width", "height"))
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        box = _unrotate((x, y, x + max(bw, 1), y + max(bh, 1)), k, frames[f_idx].shape[:2])
        loose = strict and not _on_line(box, getattr(frames[f_idx], "lines", ()))
        if loose and not (float(row["conf"]) >= opts.ocr_sure_confidence and sum(c.isalnum() for c in text) >= 3
                          and min(bw, bh) <= opts.max_text_height * frames[f_idx].shape[0]):
            # kept aside: a short word ("Ng" of "Ng A-hok") on the line of a word that counts is text too
            aside.setdefault((f_idx, page, key), []).append(box)
            continue
        words.setdefault((f_idx, page), []).append((key, box))
        if sure is not None and not loose and float(row["conf"]) >= opts.ocr_sure_confidence \
                and sum(c.isalnum() for c in text) >= 3:   # a loose read is blanked, not held on
            sure_found.setdefault(f_idx, []).append(box)
    for (f_idx, page, key), boxes in aside.items():
        if any(k == key for k, _ in words.get((f_idx, page), [])):
            words[(f_idx, page)] += [(key, b) for b in boxes if min(b[2] - b[0], b[3] - b[1]) > 0]
    result: list[list[Box]] = [[] for _ in frames]
    for (f_idx, _page), found in words.items():
        result[f_idx].extend(b for _, b in found)
        lines: dict[tuple[int, int, int], list[Box]] = {}
        for key, b in found:
            lines.setdefault(key, []).append(b)
        for bs in lines.values():  # each OCR line blacked out as a whole, gaps included
            result[f_idx].append((min(b[0] for b in bs), min(b[1] for b in bs),
                                  max(b[2] for b in bs), max(b[3] for b in bs)))
    if sure is not None:
        sure.extend(sure_found.get(k, []) for k in range(len(frames)))
    return result


def ocr_boxes(gray8: np.ndarray, opts: PixelOptions) -> list[Box]:
    """Word and line boxes tesseract finds in one 8-bit image."""
    return ocr_boxes_many([gray8], opts)[0]


def stroke_boxes(frame: np.ndarray, max_value: float, opts: PixelOptions) -> list[Box]:
    """Boxes around sparse clusters of near-maximum pixels with text-like geometry.

    "Maximum" is the largest stored value, or the frame's own maximum when that is an
    all-ones value (255, 1023, 4095 …) below it: 12-bit images kept in 16-bit words draw
    their annotations at 4095.
    """
    f = frame.mean(axis=2) if frame.ndim == 3 else frame
    rows = f.shape[0]
    top = float(f.max())
    if top < max_value and top >= 255 and (int(top) + 1) & int(top) == 0:
        max_value = top
    bright = f >= max_value * opts.saturation_fraction
    if not bright.any() or bright.mean() > opts.max_bright_fraction:
        return []
    # Join the letters of a word/line, not separate lines.
    joined = ndimage.binary_dilation(bright, structure=np.ones((3, 7), bool))
    labels, _ = ndimage.label(joined)
    boxes = []
    for i, sl in enumerate(ndimage.find_objects(labels)):
        if sl is None:
            continue
        y0, y1, x0, x1 = sl[0].start, sl[0].stop, sl[1].start, sl[1].stop
        height, width = y1 - y0, x1 - x0
        # a line of text is long and thin, written across or (rotated) down the frame
        thin, long_ = min(height, width), max(height, width)
        if thin > rows * opts.max_text_height:   # a line written at a slant (round 10): its letters
            boxes += [(x0 + a, y0 + b, x0 + c, y0 + d) for a, b, c, d in
                      _slanted_letters(bright[sl] & (labels[sl] == i + 1), rows * opts.max_text_height)]
            continue
        if thin < 4 or thin > rows * opts.max_text_height or long_ < thin:
            continue
        if bright[y0:y1, x0:x1].mean() > opts.max_fill_ratio:
            continue
        boxes.append((x0, y0, x1, y1))
    return boxes


def _slanted_letters(strokes: np.ndarray, max_thickness: float) -> list[Box]:
    """The boxes of the marks of one saturated cluster when they are a line of text at a slant:
    three or more separate marks (letters; a wire, a needle or a bone edge is one) whose extent
    across their principal axis is a line's height while along it they run twice as long (a word
    of three letters: a slanted line breaks into clusters at its spaces).
    A box a mark (the blackout margin grows with a box's height: the cluster's square box would
    take the frame)."""
    marks, n = ndimage.label(strokes, structure=np.ones((3, 3), bool))
    if n < 3:
        return []
    ys, xs = np.nonzero(strokes)
    pts = np.stack([xs - xs.mean(), ys - ys.mean()])
    _, vecs = np.linalg.eigh(np.cov(pts))
    thick, length = np.ptp(vecs[:, 0] @ pts) + 1, np.ptp(vecs[:, 1] @ pts) + 1
    if not (4 <= thick <= max_thickness and length >= 2 * thick):
        return []
    return [(max(0, sl[1].start - 1), max(0, sl[0].start - 1), sl[1].stop + 1, sl[0].stop + 1)
            for sl in ndimage.find_objects(marks) if sl is not None]


def band_boxes(shape: tuple[int, ...], opts: PixelOptions) -> list[Box]:
    rows, cols = shape[0], shape[1]
    band = max(1, int(round(rows * opts.fallback_band)))
    return [(0, 0, cols, band), (0, rows - band, cols, rows)]


def blackout(frame: np.ndarray, boxes: list[Box], fill, margin: float) -> None:
    rows, cols = frame.shape[0], frame.shape[1]
    for x0, y0, x1, y1 in boxes:
        pad = int(np.ceil((y1 - y0) * margin)) + 1
        frame[max(0, y0 - pad):min(rows, y1 + pad), max(0, x0 - pad):min(cols, x1 + pad), ...] = fill


def read_text(gray8: np.ndarray, opts: PixelOptions | None = None) -> str:
    """All text tesseract reads in an 8-bit image (light-on-dark handled), for checks."""
    opts = opts or PixelOptions()
    return _tesseract([_prepare(gray8, opts)[0]], opts, tsv=False)


def read_text_all_ways(gray8: np.ndarray, opts: PixelOptions | None = None) -> str:
    """What tesseract reads in every orientation, plain and contrast-normalised (for checks:
    an attacker may read a frame any way up and with any window)."""
    opts = opts or PixelOptions()
    return _tesseract([_prepare(img, opts)[0] for img, _ in _variants(gray8)], opts, tsv=False)
