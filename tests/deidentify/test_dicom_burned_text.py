"""Burned-in text written sideways, upside down, or in low contrast: after cleaning, OCR reading
the frame every way up and contrast-normalised reads none of the planted strings back.

Real tesseract (Debian's tesseract-ocr, installed by scripts/setup.sh).  Frames are 256×256 and
upscaled 2× for OCR here (PixelOptions.ocr_upscale_below=512) to keep the test to seconds; the
planted strings are first shown to be readable by the same OCR, so the test is not vacuous."""
from __future__ import annotations

import hashlib
import hmac
import io
import random

import numpy as np
import pydicom
import pytest
from PIL import Image, ImageDraw

from deidentify.dicom import PixelOptions, deidentify_dicom_many
from deidentify.dicom import pixels
from deidentify.dicom.synthetic import _font, make_dicom

OPTS = dict(ocr_upscale_below=512)
# (quarter turns, stored value of the text, planted string)
CASES = [
    (1, 4095, "A123456789"),    # saturated, written bottom-to-top
    (2, 4095, "F223456786"),    # upside down
    (3, 300, "Q287654328"),     # low contrast over air, top-to-bottom
    (0, 260, "B198765432"),     # low contrast, upright (no saturated strokes to find)
]


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


def _frame(k: int, level: int, text: str) -> np.ndarray:
    ds = pydicom.dcmread(io.BytesIO(make_dicom(random.Random(k), "陳^大明", "X1", "19700312", "20240105", "")))
    img = ds.pixel_array.copy()
    canvas = Image.new("L", (200, 26), 0)
    ImageDraw.Draw(canvas).text((2, 3), text, fill=255, font=_font(False, 16))
    mask = np.rot90(np.asarray(canvas) > 96, k)
    h, w = mask.shape
    y0, x0 = (3, 3) if k % 2 == 0 else (28, 3)
    img[y0:y0 + h, x0:x0 + w][mask] = level
    return img


def _file(k: int, level: int, text: str) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_dicom(random.Random(k), "陳^大明", "X1", "19700312", "20240105", "")))
    ds.PixelData = _frame(k, level, text).tobytes()
    ds.BurnedInAnnotation = "NO"      # the header does not warn: detection has to find it
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _read_all(frames: list[np.ndarray], opts: PixelOptions) -> str:
    images = [pixels._prepare(img, opts)[0] for f in frames for img, _ in pixels._variants(pixels.to_display8(f))]
    return pixels._tesseract(images, opts, tsv=False).replace(" ", "").upper()


@pytest.fixture(scope="module")
def opts():
    return PixelOptions(**OPTS)


def test_rotated_and_low_contrast_text_unreadable_after_cleaning(opts):
    originals = [_file(k, level, text) for k, level, text in CASES]
    before = _read_all([pydicom.dcmread(io.BytesIO(d)).pixel_array for d in originals], opts)
    readable = [text for _, _, text in CASES if text in before]
    assert len(readable) >= 3, before           # the planted strings are there to be read
    cleaned = deidentify_dicom_many(originals, pseudonymise=pseudonymise, options=opts)
    assert all(isinstance(c, bytes) for c in cleaned), cleaned
    frames = [pydicom.dcmread(io.BytesIO(c)).pixel_array for c in cleaned]
    after = _read_all(frames, opts)
    for _, _, text in CASES:
        assert text not in after and text[1:] not in after, (text, after)
    # and the glyph pixels themselves are gone, not just made unreadable to this OCR
    for (k, level, text), frame in zip(CASES, frames):
        planted = _frame(k, level, text) == level
        assert (frame[planted] == level).mean() < 0.05, (k, level)


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_box_found_in_a_rotated_rendering_maps_back_onto_the_frame(k):
    shape = (50, 80)
    img = np.zeros(shape)
    img[10:20, 30:60] = 1
    rot = np.rot90(img, k)
    ys, xs = np.nonzero(rot)
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert tuple(int(v) for v in pixels._unrotate(box, k, shape)) == (30, 10, 60, 20)


def test_contrast_normalisation_lifts_faint_strokes():
    gray = np.full((64, 64), 120, np.uint8)
    gray[20:22, 10:50] = 124           # four grey levels above the background
    out = pixels.contrast_normalised(gray)
    assert out[20:22, 10:50].min() > 200 and out[40:, :].max() < 30
