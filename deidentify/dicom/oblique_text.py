"""Burned-in text written at a slant (D1, round 10).

OCR reads a frame upright and in quarter turns, the local-contrast line finder looks along rows
and columns, and the stroke finder takes a saturated cluster as text only while its box is as
low as a line of annotation: a name written at 30° or 60° passed all three (round 10: 50-100 %
of its glyph pixels released on CT, MR and X-ray frames).  Here the stroke maps of
``local_contrast`` are turned by each of ``ANGLES`` and searched for text-like lines with the
same letter rules; a line found is mapped back to the frame as the box around it, and
``burned_in.check_read`` holds the file when OCR did not read it (text nobody read is not
passed).  Letters stay aligned within ``LineRules.align`` of their height over a few letters,
so a 15° step leaves no slant between two angles unseen.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from deidentify.dicom import local_contrast

# slants looked at (degrees, counter-clockwise); 0 and 90 are the line finder's own
ANGLES = (15, 30, 45, 60, 75, -15, -30, -45, -60, -75)
# a slanted line is a longer chain than an upright one (six letters, not four): ten slants give
# speckle and vessels ten chances to line up (clean phantoms: 11 of 200 held at four)
MIN_LETTERS = 6


_EIGHT = np.ones((3, 3), bool)
_FOUR = ndimage.generate_binary_structure(2, 1)


def _candidates(mask: np.ndarray, rules: local_contrast.LineRules, joined: np.ndarray):
    """(ys, xs, starts): the pixels of blobs that could be a letter at some slant, grouped by
    blob, and where each blob starts.  ``joined``: the connectivity; a slanted line's letters
    touch corner to corner (8-connected they are one blob), a thin one's strokes only so."""
    labels, _ = ndimage.label(mask, structure=joined)
    max_h = max(rules.min_height + 1, int(mask.shape[0] * rules.max_height))
    keep = [i + 1 for i, sl in enumerate(ndimage.find_objects(labels)) if sl is not None
            and max(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start) >= rules.min_height - 1
            and min(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start) <= 1.5 * max_h
            and max(sl[0].stop - sl[0].start, sl[1].stop - sl[1].start) <= 2.5 * max_h]
    ys, xs = np.nonzero(np.isin(labels, keep))
    lab = labels[ys, xs]
    order = np.argsort(lab, kind="stable")
    lab, ys, xs = lab[order], ys[order].astype(np.float64), xs[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]]) if len(lab) else np.array([], int)
    return ys, xs, starts


def _turned_letters(ys, xs, starts, deg: float, rules: local_contrast.LineRules, max_h: int) -> list:
    """The letter boxes (u0, v0, u1, v1) of the blobs in the axes of a line written at ``deg``."""
    th = np.deg2rad(deg)
    c, s = np.cos(th), np.sin(th)
    u, v = c * xs + s * ys, -s * xs + c * ys
    u0, u1 = np.minimum.reduceat(u, starts), np.maximum.reduceat(u, starts) + 1
    v0, v1 = np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts) + 1
    h, w = v1 - v0, u1 - u0
    ok = (h >= rules.min_height) & (h <= max_h) & (w <= rules.max_letter_width * h)
    return sorted(zip(u0[ok], v0[ok], u1[ok], v1[ok]))


def _back(line, deg: float, rows: int, cols: int) -> tuple[int, int, int, int]:
    """The frame box (x0, y0, x1, y1) around a line found in the axes of ``deg``."""
    th = np.deg2rad(deg)
    c, s = np.cos(th), np.sin(th)
    a0, b0, a1, b1 = line
    xs = [c * a - s * b for a in (a0, a1) for b in (b0, b1)]
    ys = [s * a + c * b for a in (a0, a1) for b in (b0, b1)]
    return (max(0, int(min(xs))), max(0, int(min(ys))), min(cols, int(np.ceil(max(xs))) + 1),
            min(rows, int(np.ceil(max(ys))) + 1))


def slanted_lines(z: np.ndarray, rules: local_contrast.LineRules = local_contrast.LineRules(),
                  angles=ANGLES, min_letters: int = MIN_LETTERS) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of text-like lines of the map ``z`` written at one of ``angles``.
    Each blob's pixels are turned (not the map: ten turned maps cost ten labellings), their
    extent there is the letter's box, and ``local_contrast.chained`` strings the letters."""
    rows, cols = z.shape
    max_h = max(rules.min_height + 1, int(rows * rules.max_height))
    slant = local_contrast.LineRules(**{**rules.__dict__, "min_letters": min_letters})
    found = []
    # the strokes as the line finder grows them, and only their cores (grown, a slanted line's
    # letters often touch corner to corner and read as one blob)
    for m in (local_contrast.strokes(z, rules), local_contrast.strokes(-z, rules), z > rules.high, -z > rules.high):
        for joined in (_EIGHT, _FOUR):
            ys, xs, starts = _candidates(m, rules, joined)
            if len(starts) >= min_letters:
                found += [_back(line, deg, rows, cols) for deg in angles
                          for line in local_contrast.chained(_turned_letters(ys, xs, starts, deg, rules, max_h), slant)]
    return found


__all__ = ["ANGLES", "MIN_LETTERS", "slanted_lines"]
