"""Faint burned-in text (D1): a noise-normalised local-contrast map of the stored values, a
rendering of it for OCR, and a detector of text-like lines OCR could not read.

A min-max 8-bit rendering of a 12/16-bit frame squeezes text 10-15 stored values above or below
its background into less than one grey level, yet a person who windows the image reads it.  So
the map is built from the stored values themselves, in either polarity:

- ``s`` = the frame lightly smoothed (noise), ``bg`` = a separable 11-pixel median of ``s``
  (glyph strokes are thinner than half the window and vanish from it; organ edges stay);
- ``z`` = (s − bg) / σ, σ the noise: the lower quartile of the finest detail (the frame minus
  its Gaussian blur) per 32×32 tile, scaled to s − bg, at least half the largest of its
  neighbours' (a tile half in air) and never below ``floor`` stored values: a noise-free
  background makes any step readable, as a person with a narrow window would see it.

Strokes are pixels with |z| above ``low`` joined to one above ``high`` (hysteresis drops
single noise pixels), one polarity at a time.  A *text-like line* is a chain of at least
``min_letters`` letter-sized blobs (5 pixels to ``max_height`` of the rows tall, at most
``max_letter_width`` times as wide), each starting within ``letter_gap`` of its height after
the one before, heights within ``letter_ratio``, tops and bottoms aligned within ``align``;
looked for along the rows and along the columns (text turned 90°).  Vessels, speckle and
organ edges rarely line up so; a person's name does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

TILE = 32        # noise is estimated per TILE×TILE tile
MEDIAN = 11      # background window (pixels): wider than a glyph stroke, narrower than organs
BLUR = 0.6       # Gaussian sigma (pixels) before the background: noise, not strokes
Q25 = 0.3186     # lower quartile of |x| for x ~ N(0, 1)
NOISE_TO_D = 0.56  # white noise: spread of s - bg over that of f - Gaussian(f, 1) (measured)


@dataclass(frozen=True)
class LineRules:
    """Geometry of a text-like line (calibration; the thresholds that decide a hold are the
    policy's ``data.dicom_faint_*`` settings)."""
    floor: float = 0.5           # σ never below this many stored values
    high: float = 4.0            # a stroke holds a pixel at least this many σ from its background
    low: float = 2.5             # and grows over pixels at least this many σ
    max_height: float = 0.12     # of the rows (or columns): taller is not a line of annotation
    min_height: int = 5
    max_letter_width: float = 1.6  # a letter blob is at most this many times as wide as tall
    min_letters: int = 4         # a line is a chain of at least this many letters
    letter_gap: float = 0.8      # each at most this share of its height after the one before
    letter_ratio: float = 1.6    # of heights within this ratio
    align: float = 0.2           # tops and bottoms within this share of the height


def _sep_median(a: np.ndarray, k: int) -> np.ndarray:
    """Median over a k-wide window along rows, then along columns (fast, close to the square
    median for thin strokes)."""
    r = k // 2

    def along(x: np.ndarray, axis: int) -> np.ndarray:
        pad = [(r, r) if ax == axis else (0, 0) for ax in range(2)]
        p = np.pad(x, pad, mode="edge")
        n = x.shape[axis]
        stack = np.stack([np.take(p, np.arange(i, i + n), axis=axis) for i in range(k)])
        return np.partition(stack, r, axis=0)[r]
    return along(along(a, 1), 0)


def _sigma(d: np.ndarray, floor: float) -> np.ndarray:
    rows, cols = d.shape
    ty, tx = -(-rows // TILE), -(-cols // TILE)
    p = np.pad(np.abs(d), ((0, ty * TILE - rows), (0, tx * TILE - cols)), mode="edge")
    tiles = p.reshape(ty, TILE, tx, TILE).transpose(0, 2, 1, 3).reshape(ty, tx, -1)
    # the lower quartile of |fine|: edges of vessels, ribs and letters raise only the upper ones
    sig = np.maximum(np.percentile(tiles, 25, axis=2) / Q25, floor)
    # a tile half in air under-states the noise of its other half (speckle along organ edges)
    sig = np.maximum(sig, 0.5 * ndimage.maximum_filter(sig, size=3, mode="nearest"))
    full = ndimage.zoom(sig, TILE, order=1, mode="nearest", grid_mode=True)[:rows, :cols]
    return np.maximum(full, floor)


def _grey(frame: np.ndarray) -> np.ndarray:
    f = np.asarray(frame, np.float32)
    return f.mean(axis=2) if f.ndim == 3 else f


def _noise(f: np.ndarray, rules: LineRules) -> np.ndarray:
    # the noise, not the anatomy, sets the scale: spread of the finest detail, in units of d
    return _sigma((f - ndimage.gaussian_filter(f, 1.0)) * NOISE_TO_D, rules.floor)


def zmap(frame: np.ndarray, rules: LineRules = LineRules()) -> np.ndarray:
    """Signed local contrast in noise units (positive: brighter than around) of a stored frame
    (colour: the mean of its samples)."""
    f = _grey(frame)
    if min(f.shape) < MEDIAN:
        return np.zeros(f.shape, np.float32)
    s = ndimage.gaussian_filter(f, BLUR)
    d = s - _sep_median(s, MEDIAN)
    return d / _noise(f, rules)


def strokes(z: np.ndarray, rules: LineRules = LineRules()) -> np.ndarray:
    """Pixels above ``low`` that touch one above ``high`` (hysteresis): bright strokes; pass
    ``-z`` for dark ones."""
    labels, n = ndimage.label(z > rules.low, structure=np.ones((3, 3), bool))
    if n == 0:
        return np.zeros(z.shape, bool)
    keep = np.zeros(n + 1, bool)
    keep[np.unique(labels[z > rules.high])] = True
    keep[0] = False
    return keep[labels]


def rendering(frame: np.ndarray, rules: LineRules = LineRules()) -> tuple[np.ndarray, np.ndarray]:
    """(bright strokes, dark strokes) of a stored frame, each white on black, 8-bit, for OCR:
    the difference from a background of twice the detector's window (bold and large letters
    stay solid) in noise units, a soft ramp from 2.5 to 6.5 (tesseract reads a ramp better than a
    hard mask); one polarity a page, so that the halo of one does not fill the other."""
    f = _grey(frame)
    if min(f.shape) < MEDIAN:
        blank = np.zeros(f.shape, np.uint8)
        return blank, blank
    s = ndimage.gaussian_filter(f, BLUR)
    # the background: the median over a window twice MEDIAN wide, taken at half resolution
    half = _sep_median(s[::2, ::2], MEDIAN)
    bg = np.repeat(np.repeat(half, 2, axis=0), 2, axis=1)[:s.shape[0], :s.shape[1]]
    z = (s - ndimage.uniform_filter(bg, 3)) / _noise(f, rules)
    return tuple((np.clip((sign * z - 2.5) / 4.0, 0, 1) * 255).astype(np.uint8) for sign in (1, -1))


def _lines_across(mask: np.ndarray, rules: LineRules) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of text-like lines written along the rows of ``mask``: chains of
    letter-sized blobs, tops and bottoms aligned, each close to the next."""
    rows = mask.shape[0]
    max_h = max(rules.min_height + 1, int(rows * rules.max_height))
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3), bool))
    letters = []
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        y0, y1, x0, x1 = sl[0].start, sl[0].stop, sl[1].start, sl[1].stop
        h, w = y1 - y0, x1 - x0
        if rules.min_height <= h <= max_h and w <= rules.max_letter_width * h:
            letters.append((x0, y0, x1, y1))
    letters.sort()
    used = [False] * len(letters)
    found = []
    for i in range(len(letters)):
        if used[i]:
            continue
        chain = [i]
        while True:
            x0, y0, x1, y1 = letters[chain[-1]]
            h = y1 - y0
            nxt = None
            for j in range(chain[-1] + 1, len(letters)):
                a0, b0, a1, b1 = letters[j]
                if a0 - x1 > rules.letter_gap * h:
                    break
                hh = b1 - b0
                if used[j] or a0 < x1 - 0.3 * h or max(h, hh) > rules.letter_ratio * min(h, hh):
                    continue
                tol = rules.align * max(h, hh)
                if abs(b0 - y0) <= tol and abs(b1 - y1) <= tol:
                    nxt = j
                    break
            if nxt is None:
                break
            chain.append(nxt)
        if len(chain) >= rules.min_letters:
            for j in chain:
                used[j] = True
            boxes = [letters[j] for j in chain]
            found.append((min(b[0] for b in boxes), min(b[1] for b in boxes),
                          max(b[2] for b in boxes), max(b[3] for b in boxes)))
    return found


def text_lines(z: np.ndarray, rules: LineRules = LineRules()) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of text-like lines in the map, written across or turned 90°."""
    found = []
    for m in (strokes(z, rules), strokes(-z, rules)):    # a line is written in one polarity
        found += _lines_across(m, rules)
        found += [(y0, x0, y1, x1) for x0, y0, x1, y1 in _lines_across(np.ascontiguousarray(m.T), rules)]
    return found


__all__ = ["LineRules", "rendering", "strokes", "text_lines", "zmap"]
