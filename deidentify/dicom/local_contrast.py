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

Anatomy that is flat in pieces but busy (lung with vessels 800 values brighter, cortex folds)
swamps that map: the median of a window half vessels is no background, and the folds' edges
inflate the noise estimate, so letters break into specks.  ``zmap_similar`` takes as background
the mean of the window's pixels within ``similar_share`` of the frame's 1-99th percentile range
of the pixel itself: faint text (a few stored values) stays among them, vessels and folds fall
out; its noise is the lower decile of the difference per tile.  ``find_lines`` looks in both
maps and, for colour, in each sample plane too (text of another hue but the same brightness
has no contrast in the mean of the samples).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

TILE = 32        # noise is estimated per TILE×TILE tile
MEDIAN = 11      # background window (pixels): wider than a glyph stroke, narrower than organs
BLUR = 0.6       # Gaussian sigma (pixels) before the background: noise, not strokes
Q25 = 0.3186     # lower quartile of |x| for x ~ N(0, 1)
Q10 = 0.1257     # lower decile of |x| for x ~ N(0, 1)
SIMILAR_R = 5    # the similar-value background: an 11×11 window
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
    similar_share: float = 0.02  # zmap_similar: "similar" is within this share of the 1-99th
    #                              percentile range (faint text in, vessels and folds out)


def _sep_median(a: np.ndarray, k: int) -> np.ndarray:
    """Median over a k-wide window along rows, then along columns (fast, close to the square
    median for thin strokes; scipy's running selection, edges repeated)."""
    return ndimage.median_filter(ndimage.median_filter(a, size=(1, k), mode="nearest"),
                                 size=(k, 1), mode="nearest")


def _sigma(d: np.ndarray, floor: float, q: int = 25) -> np.ndarray:
    rows, cols = d.shape
    ty, tx = -(-rows // TILE), -(-cols // TILE)
    p = np.pad(np.abs(d), ((0, ty * TILE - rows), (0, tx * TILE - cols)), mode="edge")
    tiles = p.reshape(ty, TILE, tx, TILE).transpose(0, 2, 1, 3).reshape(ty, tx, -1)
    # the lower quartile of |fine|: edges of vessels, ribs and letters raise only the upper ones
    sig = np.maximum(np.percentile(tiles, q, axis=2) / {25: Q25, 10: Q10}[q], floor)
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


def _similar_mean(s: np.ndarray, tol: float) -> np.ndarray:
    """Mean over an 11×11 window of the pixels within ``tol`` of the window's centre pixel."""
    r = SIMILAR_R
    rows, cols = s.shape
    p = np.pad(s, r, mode="edge")
    total = np.zeros_like(s)
    count = np.zeros_like(s)
    diff = np.empty_like(s)
    near = np.empty(s.shape, bool)
    weight = np.empty_like(s)
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            v = p[dy:dy + rows, dx:dx + cols]
            # in place, no temporaries, and no masked add (a noisy mask mispredicts branches)
            np.subtract(v, s, out=diff)
            np.abs(diff, out=diff)
            np.less(diff, tol, out=near)
            np.copyto(weight, near)
            np.multiply(v, weight, out=diff)
            total += diff
            count += weight
    return total / np.maximum(count, 1)


def zmap_similar(frame: np.ndarray, rules: LineRules = LineRules()) -> np.ndarray:
    """Signed local contrast in noise units against a background of similar values only (see
    the module's notes): text over lung vessels or cortex folds stays whole."""
    f = _grey(frame)
    if min(f.shape) < MEDIAN:
        return np.zeros(f.shape, np.float32)
    s = ndimage.gaussian_filter(f, BLUR)
    lo, hi = np.percentile(s, (1, 99))
    d = s - _similar_mean(s, max(rules.similar_share * float(hi - lo), 4 * rules.floor))
    # what is left is noise, text and the rims of edges: its lower decile per tile is the noise
    return d / _sigma(d, rules.floor, q=10)


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


def _letters(mask: np.ndarray, rules: LineRules) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of the letter-sized blobs of ``mask``, left to right."""
    rows = mask.shape[0]
    max_h = max(rules.min_height + 1, int(rows * rules.max_height))
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3), bool))
    out = []
    for sl in ndimage.find_objects(labels):
        if sl is None:
            continue
        y0, y1, x0, x1 = sl[0].start, sl[0].stop, sl[1].start, sl[1].stop
        h, w = y1 - y0, x1 - x0
        if rules.min_height <= h <= max_h and w <= rules.max_letter_width * h:
            out.append((x0, y0, x1, y1))
    return sorted(out)


def _aligned(a, b, rules: LineRules) -> bool:
    ha, hb = a[3] - a[1], b[3] - b[1]
    tol = rules.align * max(ha, hb)
    return max(ha, hb) <= rules.letter_ratio * min(ha, hb) and abs(a[1] - b[1]) <= tol \
        and abs(a[3] - b[3]) <= tol


def _lines_across(mask: np.ndarray, rules: LineRules) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) of text-like lines written along the rows of ``mask``: chains of
    letter-sized blobs, tops and bottoms aligned, each close to the next; chains of two or
    more on one band a word space or a dash apart (1.6 of the height: "1965-07-04", "CHEN
    TA-MING") are one line."""
    return chained(_letters(mask, rules), rules)


def chained(letters: list[tuple[int, int, int, int]], rules: LineRules) -> list[tuple[int, int, int, int]]:
    """The lines of ``_lines_across`` made of ``letters`` (x0, y0, x1, y1, sorted): also used
    on the letters of a slanted map (oblique_text.py)."""
    used = [False] * len(letters)
    chains = []     # [x0, y0, x1, y1, letters]
    for i in range(len(letters)):
        if used[i]:
            continue
        chain = [i]
        while True:
            x0, y0, x1, y1 = letters[chain[-1]]
            h = y1 - y0
            nxt = None
            for j in range(chain[-1] + 1, len(letters)):
                a0 = letters[j][0]
                if a0 - x1 > rules.letter_gap * h:
                    break
                if used[j] or a0 < x1 - 0.3 * h:
                    continue
                if _aligned(letters[chain[-1]], letters[j], rules):
                    nxt = j
                    break
            if nxt is None:
                break
            chain.append(nxt)
        count = len(chain)
        if count >= 2:
            for j in chain:
                used[j] = True
            boxes = [letters[j] for j in chain]
            chains.append([min(b[0] for b in boxes), min(b[1] for b in boxes),
                           max(b[2] for b in boxes), max(b[3] for b in boxes), count])
    chains.sort()
    merged = []
    for c in chains:
        for m in merged:
            if 0 <= c[0] - m[2] <= 1.6 * (m[3] - m[1]) and _aligned(m, c, rules):
                m[0], m[1], m[2], m[3] = min(m[0], c[0]), min(m[1], c[1]), max(m[2], c[2]), max(m[3], c[3])
                m[4] += c[4]
                m[5] = max(m[5], c[4])
                break
        else:
            merged.append(list(c) + [c[4]])
    # rib pieces stacked at even spacing chain in twos: one word of a line has 3+ letters
    return [tuple(m[:4]) for m in merged if m[4] >= rules.min_letters and m[5] >= 3]


def _extended(line: tuple[int, int, int, int], mask: np.ndarray) -> tuple[int, int, int, int]:
    """``line`` (written along the rows of ``mask``) grown over the strokes in its band that
    follow it within 1.5 of its height: letters that broke up or merged with anatomy still
    belong to the name, and a box that blanks part of a name releases the rest."""
    x0, y0, x1, y1 = line
    gap = int(1.5 * (y1 - y0)) + 1
    cols = np.flatnonzero(mask[y0:y1].sum(axis=0) >= 2)
    while True:
        right = cols[(cols >= x1) & (cols < x1 + gap)]
        left = cols[(cols < x0) & (cols >= x0 - gap)]
        if not len(right) and not len(left):
            return x0, y0, x1, y1
        x1 = int(right.max()) + 1 if len(right) else x1
        x0 = int(left.min()) if len(left) else x0


def text_lines(z: np.ndarray, rules: LineRules = LineRules()) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of text-like lines in the map, written across or turned 90°,
    grown over the strokes that continue them (``_extended``)."""
    found = []
    for m in (strokes(z, rules), strokes(-z, rules)):    # a line is written in one polarity
        found += [_extended(b, m) for b in _lines_across(m, rules)]
        t = np.ascontiguousarray(m.T)
        found += [(y0, x0, y1, x1) for x0, y0, x1, y1 in (_extended(b, t) for b in _lines_across(t, rules))]
    return found


def find_lines(frame: np.ndarray, rules: LineRules = LineRules(), similar: bool = True,
               planes: bool = True, slanted: bool = True) -> list[tuple[int, int, int, int]]:
    """Text-like lines of a stored frame: in ``zmap`` and (``similar``) ``zmap_similar`` of its
    grey (colour: the mean of its samples) and (``planes``) of each sample plane of a colour
    frame, and (``slanted``) lines written at a slant (``oblique_text``); a box inside another is
    dropped."""
    f = np.asarray(frame, np.float32)
    views = [_grey(f)]
    if f.ndim == 3 and planes:
        views += [np.ascontiguousarray(f[..., c]) for c in range(f.shape[2])]
    from deidentify.dicom import turned_text
    from deidentify.dicom.oblique_text import slanted_lines   # they build on this module

    found: set[tuple[int, int, int, int]] = set()
    for v in views:
        for k, z in enumerate([zmap(v, rules)] + ([zmap_similar(v, rules)] if similar else [])):
            found.update(text_lines(z, rules))
            if slanted:   # written at a slant: neither along the rows nor the columns (round 10)
                found.update(slanted_lines(z, rules))
                # thin letters at a slant touch on the pixel grid: the map itself turned (round 12);
                # the median map only (the similar-value one does not see thin strokes)
                # a turned box over a line found upright is that line's text seen at a slant (its
                # box is larger than OCR's and would hide the upright one): not added
                if k == 0 and turned_text.enabled():
                    found.update(b for b in turned_text.turned_lines(z, rules)
                                 if not any(_overlap(b, o) for o in found))
    boxes = sorted(found)
    return [b for b in boxes if not any(o != b and o[0] <= b[0] and o[1] <= b[1] and b[2] <= o[2]
                                        and b[3] <= o[3] for o in boxes)]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


__all__ = ["LineRules", "find_lines", "rendering", "strokes", "text_lines", "zmap", "zmap_similar"]
