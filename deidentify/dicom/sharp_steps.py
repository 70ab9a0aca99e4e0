"""Faint burned-in text over busy anatomy (D1): bands of small, sharp, paired steps.

Text 10-15 stored values above cortex folds 250 values high, at the scale of the letters,
is lost in both local-contrast maps (local_contrast.py): no background window is free of the
folds, and their rims inflate any noise estimate made near them.  What tells the text apart is
not its contrast but its edges: burned-in text is drawn on the pixel grid after the image was
made, so each edge of a stroke is a step of one pixel, small (a few noise spreads) and alone;
anatomy is band-limited by the scanner (its edges ramp over several pixels, each step next to
steps nearly as large) or, where it is sharp (vessels, bone, air), its steps are large.  And a
stroke has two edges of opposite sign a stroke-width apart.  So:

- ``s`` = the frame lightly smoothed; ``d`` = the difference of neighbouring pixels of ``s``,
  along the rows and along the columns;
- a *step* is a difference of at least ``t`` noise spreads (and ``least`` stored values) and
  below ``cap`` of the frame's 1-99th percentile range, whose two neighbours along the same axis are at most ``iso`` of it
  (alone: not part of a ramp), with a step of opposite sign within ``pair`` pixels (a stroke);
- the noise is estimated per 32×32 tile from its *flattest* 4×4 blocks (the second smallest
  RMS of the mixed second difference, calibrated on white noise; constant blocks left out),
  then the largest of the 3×3 tiles around: one patch of plateau among the folds gives the
  true noise, and a tile half in noise-free air takes its neighbours';
- a *text band* is a box ``h`` × 4``h`` (along the rows, or turned 90°) with at least
  ``min_steps`` more steps than the boxes directly above and below it: anatomy continues
  across a band, a line of text does not.

The boxes returned are the steps' extent in each band (text-like lines: OCR must read them or
the file is held, burned_in.check_read).  Clean phantoms of every kind (CT lungs and vessels,
MR folds, ribs, ultrasound speckle, colour) show at most a few such steps in any box.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

TILE = 32      # noise per TILE×TILE tile ...
BLOCK = 4      # ... from its flattest BLOCK×BLOCK blocks
BLUR = 0.6     # as local_contrast.BLUR: noise, not strokes


@dataclass(frozen=True)
class StepRules:
    """Calibration (the count that decides a hold is ``data.dicom_faint_text_step_count``)."""
    t: float = 3.0            # a step is at least this many noise spreads of a difference
    iso: float = 0.5          # its neighbours along the axis at most this share of it
    cap: float = 0.05         # and below this share of the 1-99th percentile range (faint)
    least: float = 2.0        # and at least this many stored values: an integer ramp in a
    #                           noise-free frame rounds into isolated steps of one value
    pair: int = 5             # an opposite step within this many pixels: a stroke
    heights: tuple[int, ...] = (10, 14)   # band heights tried (letters 11-20 pixels tall)
    ratio: int = 4            # band length in heights
    min_steps: int = 8        # excess of steps over the boxes above and below


def _calibration() -> tuple[float, float]:
    """(block estimate → noise σ, σ of a difference of the smoothed frame per unit σ), from
    white noise with a fixed seed (deterministic)."""
    n = np.random.default_rng(1).normal(0, 1, (256, 256)).astype(np.float32)
    per_diff = float(np.diff(ndimage.gaussian_filter(n, BLUR), axis=1).std())
    return 1.0 / float(_block_noise(n).mean()), per_diff


def _block_noise(f: np.ndarray) -> np.ndarray:
    hh = (f[:-1, :-1] - f[1:, :-1] - f[:-1, 1:] + f[1:, 1:]) / 2   # slopes and straight edges cancel
    hh = np.pad(hh, ((0, 1), (0, 1)), mode="edge")
    rows, cols = f.shape
    ty, tx = -(-rows // TILE), -(-cols // TILE)
    p = np.pad(hh, ((0, ty * TILE - rows), (0, tx * TILE - cols)), mode="edge")
    k = TILE // BLOCK
    ms = (p * p).reshape(ty, k, BLOCK, tx, k, BLOCK).mean(axis=(2, 5))
    rms = np.sqrt(ms.transpose(0, 2, 1, 3).reshape(ty, tx, -1))
    # a constant block (air outside the body, a noise-free spine, a clipped area) has no noise
    # to tell: it is left out, or every block of a tile with a noise-free patch would say 0
    rms[rms < 0.05] = np.inf
    est = np.partition(rms, 1, axis=2)[..., 1]
    return np.where(np.isfinite(est), est, 0.0)


_CAL: tuple[float, float] | None = None


def noise_of_difference(f: np.ndarray) -> np.ndarray:
    """Per pixel: the noise σ of a neighbour difference of the smoothed frame ``f``."""
    global _CAL
    if _CAL is None:
        _CAL = _calibration()
    to_sigma, per_diff = _CAL
    t = ndimage.maximum_filter(_block_noise(f) * to_sigma, size=3, mode="nearest")
    rows, cols = f.shape
    return np.repeat(np.repeat(t, TILE, 0), TILE, 1)[:rows, :cols] * per_diff


def _shift(a: np.ndarray, k: int, axis: int) -> np.ndarray:
    out = np.zeros_like(a)
    src = [slice(None)] * 2
    dst = [slice(None)] * 2
    src[axis], dst[axis] = (slice(None, -k), slice(k, None)) if k > 0 else (slice(-k, None), slice(None, k))
    out[tuple(dst)] = a[tuple(src)]
    return out


def steps(frame: np.ndarray, rules: StepRules = StepRules()) -> np.ndarray:
    """Boolean map of the small, sharp, paired steps of a stored frame (colour: the mean of
    its samples); a step is marked at the pixel before it."""
    f = np.asarray(frame, np.float32)
    if f.ndim == 3:
        f = f.mean(axis=2)
    out = np.zeros(f.shape, bool)
    if min(f.shape) < 2 * BLOCK:
        return out
    s = ndimage.gaussian_filter(f, BLUR)
    lo, hi = np.percentile(s, (1, 99))
    cap = max(rules.cap * float(hi - lo), 1.0)
    sig = np.maximum(noise_of_difference(f), 0.3)
    for axis in (1, 0):
        d = np.diff(s, axis=axis)
        a = np.abs(d)
        sg = sig[:, :-1] if axis == 1 else sig[:-1]
        alone = np.maximum(_shift(a, 1, axis), _shift(a, -1, axis)) <= rules.iso * a
        m = (a > np.maximum(rules.t * sg, rules.least)) & (a < cap) & alone
        up, down = m & (d > 0), m & (d < 0)
        near_up, near_down = np.zeros_like(m), np.zeros_like(m)
        for k in range(1, rules.pair + 1):
            for kk in (k, -k):
                near_up |= _shift(up, kk, axis)
                near_down |= _shift(down, kk, axis)
        m = (up & near_down) | (down & near_up)
        if axis == 1:
            out[:, :-1] |= m
        else:
            out[:-1, :] |= m
    return out


def _bands_across(e: np.ndarray, rules: StepRules, min_steps: int) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of the text bands written along the rows of the step map ``e``."""
    ef = e.astype(np.float32)
    hit = np.zeros(e.shape, bool)
    for h in rules.heights:
        w = rules.ratio * h
        c = ndimage.uniform_filter(ef, (h, w), mode="constant") * (h * w)
        edge = np.zeros_like(c)
        above = np.concatenate([np.zeros((h, c.shape[1]), c.dtype), c[:-h]]) if h < c.shape[0] else edge
        below = np.concatenate([c[h:], np.zeros((h, c.shape[1]), c.dtype)]) if h < c.shape[0] else edge
        centres = c - np.maximum(above, below) >= min_steps
        if centres.any():   # the area the qualifying boxes cover
            hit |= ndimage.binary_dilation(centres, np.ones((h, w), bool))
    if not hit.any():
        return []
    labels, _ = ndimage.label(hit)
    boxes = []
    for k, sl in enumerate(ndimage.find_objects(labels), start=1):
        ys, xs = np.nonzero(e[sl] & (labels[sl] == k))
        if len(ys):
            y0, x0 = sl[0].start, sl[1].start
            boxes.append((x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 2, y0 + int(ys.max()) + 2))
    return boxes


def text_bands(frame: np.ndarray, min_steps: int | None = None,
               rules: StepRules = StepRules()) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of bands of sharp paired steps, along the rows or turned 90°."""
    need = rules.min_steps if min_steps is None else min_steps
    e = steps(frame, rules)
    found = _bands_across(e, rules, need)
    found += [(y0, x0, y1, x1) for x0, y0, x1, y1 in _bands_across(np.ascontiguousarray(e.T), rules, need)]
    return found


__all__ = ["StepRules", "noise_of_difference", "steps", "text_bands"]
