"""D1 faint burned-in text where the median-background map breaks it into specks: over lung
vessels and other busy anatomy (the similar-value background, local_contrast.zmap_similar), and
in colour of another hue but the same brightness (each sample plane, local_contrast.find_lines).
Every member is blanked (OCR read it) or held for a person; never released readable.  The bench
grid (bench/deidentify_dicom.py --faint: CT/MR, +-10/+-15 stored values, corner/mid, upright/
turned) is here member by member, with its known residuals as strict xfails.  Ordinary clean
images of every kind still find no line and pass.  Real tesseract, upright reading only."""
from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import random

import numpy as np
import pydicom
import pytest

from deidentify.dicom import PixelOptions, deidentify_dicom, local_contrast, phantoms
from deidentify.dicom.burned_in import HeldForReview
from deidentify.dicom.synthetic import make_cine


def pseudonymise(value: str) -> str:
    return hmac.new(b"k", value.encode(), hashlib.sha256).hexdigest()[:32]


@pytest.fixture(scope="module")
def opts():
    return PixelOptions.from_policy(ocr_all_orientations=False)


def _put(frame: np.ndarray, text: str, at, delta, font="sans-bold", size=14, turns=0):
    mask = phantoms.text_mask(text, font, size, turns)
    if at == "mid":
        at = (frame.shape[0] // 2 - mask.shape[0] // 2, frame.shape[1] // 2 - mask.shape[1] // 2)
    glyphs = np.zeros(frame.shape[:2], bool)
    h, w = mask.shape
    glyphs[at[0]:at[0] + h, at[1]:at[1] + w] = mask[:frame.shape[0] - at[0], :frame.shape[1] - at[1]]
    if frame.ndim == 3:      # colour: delta is one value per sample
        out = frame.astype(np.float64)
        out[glyphs] += np.asarray(delta, np.float64)
        return np.clip(out, 0, 255).astype(np.uint8), glyphs
    return phantoms.put_text(frame, mask, at, delta), glyphs


def _rgb_dicom(frame: np.ndarray, seed: int) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_cine(random.Random(seed), frame[np.newaxis, ..., 0], "ES")))
    ds.SamplesPerPixel, ds.PlanarConfiguration, ds.PhotometricInterpretation = 3, 0, "RGB"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    ds.PixelData = np.ascontiguousarray(frame[np.newaxis]).tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def _blanked_or_held(frame: np.ndarray, glyphs: np.ndarray, data: bytes, opts) -> str:
    try:
        out = deidentify_dicom(data, pseudonymise=pseudonymise, options=opts)
    except HeldForReview as exc:
        assert "text" in str(exc)
        return "held"
    cleaned = pydicom.dcmread(io.BytesIO(out)).pixel_array
    ys, xs = np.nonzero(glyphs)
    region = cleaned[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    flat = np.unique(region.reshape(-1, region.shape[-1]) if region.ndim == 3 else region.ravel(),
                     axis=0, return_counts=True)[1].max() / (region.size // (region.shape[-1] if region.ndim == 3 else 1))
    kept = (cleaned[glyphs] == frame[glyphs]).all(axis=-1).mean() if frame.ndim == 3 \
        else (cleaned[glyphs] == frame[glyphs]).mean()
    assert flat >= 0.97 or kept < 0.05, f"released readable: {kept:.0%} of the glyph pixels unchanged"
    return "blanked"


# --- the bench grid, member by member -------------------------------------------------------
GRID = list(itertools.product(("ct", "mr"), (10, -10, 15, -15), ("corner", "mid"), (0, 1)))
# MR cortex folds (600/850, blurred) under text 10-15 values: neither local-contrast map finds
# the letters; the bands of sharp paired steps do (sharp_steps.py) and the file is held
RESIDUAL: set[int] = set()


def _grid_case(k: int):
    kind, delta, where, turns = GRID[k]
    frame = phantoms.phantom(kind, 500 + k, noise=2.0)
    mask = phantoms.text_mask("CHEN TA-MING", "sans-bold", 14, turns)
    at = (8, 8) if where == "corner" else (120 - mask.shape[0] // 2, 128 - mask.shape[1] // 2)
    if kind == "mr" and where == "corner" and delta < 0:
        delta = -delta    # air: nothing darker than 0
    return kind, _put(frame, "CHEN TA-MING", at, delta, turns=turns)


def _grid_param(k: int):
    kind, delta, where, turns = GRID[k]
    marks = [pytest.mark.xfail(strict=True, reason="residual: faint text over MR cortex folds")] \
        if k in RESIDUAL else []
    return pytest.param(k, marks=marks, id=f"{k:02d}-{kind}-{delta:+d}-{where}-{'turned' if turns else 'upright'}")


@pytest.mark.parametrize("k", [_grid_param(k) for k in range(len(GRID))])
def test_bench_grid_member_is_blanked_or_held(k, opts):
    kind, (frame, glyphs) = _grid_case(k)
    _blanked_or_held(frame, glyphs, make_cine(random.Random(k), frame[np.newaxis], kind.upper()), opts)


# --- text over dense anatomy: lung vessels, ribs ----------------------------------------------
# (id, kind, seed, text, font, size, turns, at, delta)
DENSE = [
    ("lung-bright10", "ct", 601, "CHEN TA-MING", "sans-bold", 14, 0, "mid", 10),
    ("lung-dark10", "ct", 602, "WANG HSIAO-MING", "sans-bold", 14, 0, "mid", -10),
    ("lung-bright12-id", "ct", 603, "A123456789", "sans-bold", 15, 0, "mid", 12),
    ("lung-dark15-turned", "ct", 604, "LIN MEI-LING", "sans-bold", 14, 1, "mid", -15),
    ("lung-bright15-mono", "ct", 605, "F223456786", "mono", 16, 0, "mid", 15),
    ("lung-left-bright12", "ct", 606, "HUANG SHU-FEN", "sans-bold", 14, 0, (118, 50), 12),
    ("lung-right-dark12", "ct", 607, "LEE CHUN-CHIEH", "sans-bold", 14, 0, (130, 130), -12),
    ("lung-sans-bright15", "ct", 608, "CHANG YA-TING", "sans", 15, 0, "mid", 15),
    ("lung-date-dark12", "ct", 609, "1965-07-04", "sans-bold", 15, 0, "mid", -12),
    ("lung-turned3-bright12", "ct", 610, "CHEN TA-MING", "sans-bold", 14, 3, "mid", 12),
    ("xr-corner-dark15-serif", "xr", 10, "HUANG SHU-FEN", "serif", 15, 0, (6, 6), -15),
    ("xr-mid-bright15", "xr", 611, "WANG HSIAO-MING", "sans-bold", 14, 0, "mid", 15),
]


# digits broken by vessels into pieces of one or two, thin serif strokes 15 values under a
# bright sloped X-ray field, text across rib edges: lost in both maps, found as bands of sharp
# paired steps (sharp_steps.py; they were strict xfails before)
DENSE_RESIDUAL: set[str] = set()
# sigma-6 noise: text 15-25 values on noisy air/body edges is found; inside the body each
# stroke pixel is within 2-4 sigma of its background: found as a band of sharp steps
NOISY = [
    ("noise6-ct-corner-bright15", "ct", 701, "CHEN TA-MING", "sans-bold", 14, 0, (8, 8), 15),
    ("noise6-ct-corner-dark25", "ct", 702, "A123456789", "sans-bold", 14, 0, (8, 8), 25),
    ("noise6-ct-air-bright15-turned", "ct", 703, "LIN MEI-LING", "sans-bold", 14, 1, (40, 6), 15),
    ("noise6-mr-corner-bright25", "mr", 704, "WANG HSIAO-MING", "sans-bold", 14, 0, (8, 8), 25),
    ("noise6-ct-mid-bright25", "ct", 705, "CHEN TA-MING", "sans-bold", 14, 0, "mid", 25),
    ("noise6-ct-mid-dark15", "ct", 706, "CHEN TA-MING", "sans-bold", 14, 0, "mid", -15),
]
NOISY_RESIDUAL: set[str] = set()


def _marked(cases, residual, why):
    return [pytest.param(c, id=c[0], marks=[pytest.mark.xfail(strict=True, reason=why)] if c[0] in residual else [])
            for c in cases]


@pytest.mark.parametrize("case", _marked(DENSE, DENSE_RESIDUAL, "residual: letters break into specks or pieces"))
def test_faint_text_over_dense_anatomy_is_blanked_or_held(case, opts):
    _, kind, seed, text, font, size, turns, at, delta = case
    frame, glyphs = _put(phantoms.phantom(kind, seed, noise=2.0), text, at, delta, font, size, turns)
    _blanked_or_held(frame, glyphs, make_cine(random.Random(seed), frame[np.newaxis],
                                              "DX" if kind == "xr" else kind.upper()), opts)


@pytest.mark.parametrize("case", _marked(NOISY, NOISY_RESIDUAL, "residual: text within 2-4 sigma of busy anatomy"))
def test_faint_text_in_sigma6_noise_is_blanked_or_held(case, opts):
    _, kind, seed, text, font, size, turns, at, delta = case
    frame, glyphs = _put(phantoms.phantom(kind, seed, noise=6.0), text, at, delta, font, size, turns)
    _blanked_or_held(frame, glyphs, make_cine(random.Random(seed), frame[np.newaxis], kind.upper()), opts)


# --- colour: another hue, the same brightness -------------------------------------------------
# (id, seed, per-sample delta (R, G, B), at): the first ones keep the mean of the samples, the
# others keep the luminance (0.299 R + 0.587 G + 0.114 B) - no contrast in a grey rendering
COLOUR = [
    ("mean-red-minus", 40, (-20, 10, 10), (120, 60)),
    ("mean-red-plus", 41, (20, -10, -10), (120, 60)),
    ("mean-green-plus", 42, (-10, 20, -10), (90, 40)),
    ("mean-blue-plus", 43, (-12, -12, 24), (150, 50)),
    ("luma-red-green", 44, (24, -12, 0), (120, 60)),
    ("luma-blue", 45, (-6, -6, 47), (100, 50)),
    ("luma-green-minus", 46, (16, -10, 9), (140, 45)),
    ("mean-turned", 47, (-20, 10, 10), (40, 120)),
]


@pytest.mark.parametrize("case", COLOUR, ids=[c[0] for c in COLOUR])
def test_colour_text_of_equal_brightness_is_blanked_or_held(case, opts):
    _, seed, delta, at = case
    frame = phantoms.phantom("rgb", seed)
    turns = 1 if "turned" in case[0] else 0
    frame, glyphs = _put(frame, "CHEN TA-MING", at, delta, turns=turns)
    grey = frame.astype(np.float64).mean(axis=2)
    base = phantoms.phantom("rgb", seed).astype(np.float64)
    assert abs((grey - base.mean(axis=2))[glyphs].mean()) < 3 or "luma" in case[0]
    _blanked_or_held(frame, glyphs, _rgb_dicom(frame, seed), opts)


# --- ordinary images ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", phantoms.KINDS)
def test_clean_phantoms_find_no_line_in_any_map(kind):
    """False holds: 40 more clean frames a kind (random noise level, every 4th with a ruler),
    every map and colour plane."""
    held, added = [], []
    for seed in range(2000, 2040):
        frame = phantoms.phantom(kind, seed, ruler=seed % 4 == 0)
        if local_contrast.find_lines(frame):
            held.append(seed)
            if not local_contrast.find_lines(frame, similar=False, planes=False):
                added.append(seed)
    # ultrasound speckle lines up now and then in the median map (2 of these 40, as before; a third,
    # 2031, at a 30° turn since round 12's turned-map search for thin slanted text: held for a person)
    assert len(held) <= (3 if kind == "us" else 1), f"{kind}: text-like lines in clean seeds {held}"
    assert len(added) <= 1, f"{kind}: the similar-value map or a colour plane holds clean seeds {added}"


@pytest.mark.parametrize("kind,seed", [("ct", 2101), ("ct", 2102), ("mr", 2103), ("xr", 2104),
                                       ("rgb", 2105), ("rgb", 2106)])
def test_clean_image_is_released_with_its_anatomy(kind, seed, opts):
    frame = phantoms.phantom(kind, seed)
    data = _rgb_dicom(frame, seed) if kind == "rgb" else \
        make_cine(random.Random(seed), frame[np.newaxis], {"xr": "DX"}.get(kind, kind.upper()))
    out = deidentify_dicom(data, pseudonymise=pseudonymise, options=opts)
    cleaned = pydicom.dcmread(io.BytesIO(out)).pixel_array
    mid = (slice(64, 192), slice(64, 192))
    if kind in ("ct", "xr"):    # an ordinary image keeps its pixels where no text is (MR:
        # OCR of the plain rendering reads cortex folds as words now and then, as before)
        assert (cleaned[mid] == frame[mid]).mean() > 0.95
