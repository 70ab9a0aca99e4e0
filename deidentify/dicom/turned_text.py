"""Thin faint burned-in text at a slant (D1, DICOM round 12).

Round 10's slanted search (``oblique_text``) turns the blobs of the stroke map, not the map: a
thin font's letters at a slant touch corner to corner on the pixel grid and read as blobs two to
four letters wide, so DejaVu Sans 12 px 400 values over an X-ray's ribs passed (11 of 24 probe
members).  Here the noise-normalised map ``z`` (the low-frequency anatomy already taken away by
``local_contrast.zmap``'s median background) is itself turned by each of ``ANGLES`` (bilinear),
so that a line written at a slant stands upright with gaps between its letters again, and the
upright line finder (``local_contrast._lines_across``) reads it.  Strong text spreads beyond its
strokes when grown from ``low``; its cores above each of ``LEVELS`` noise units are read too.
A line found is mapped back to the frame as the box around it; ``burned_in.check_read`` holds
the file unless OCR read it (text nobody read is not passed).
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from deidentify.dicom import local_contrast

# slants looked at (degrees, counter-clockwise in ndimage's sense); 0 and 90 are the line finder's.
# Not ±15: upright text read there gave a box larger than OCR's and held a read palette image
ANGLES = (30, 45, 60, 75, -30, -45, -60, -75)
# the cores of strong text (noise units): grown from ``low`` its letters merge into one blob
LEVELS = (12.0, 36.0, 108.0)
# a turned line is five letters at least (upright: four): ten turns give speckle ten chances
# (clean phantoms, 50 a kind: 2 ultrasound frames held at four, none at five; probe: 2 of 48 missed)
MIN_LETTERS = 5


def _back(box, deg: float, turned_shape, shape) -> tuple[int, int, int, int]:
    """The frame box (x0, y0, x1, y1) around ``box`` of the map turned by ``deg`` (about the
    centres, as ``ndimage.rotate`` with ``reshape`` turns it)."""
    th = np.deg2rad(deg)
    c, s = np.cos(th), np.sin(th)
    ry, rx = (turned_shape[0] - 1) / 2, (turned_shape[1] - 1) / 2
    oy, ox = (shape[0] - 1) / 2, (shape[1] - 1) / 2
    x0, y0, x1, y1 = box
    xs, ys = [], []
    for x in (x0, x1):
        for y in (y0, y1):
            dx, dy = x - rx, y - ry
            xs.append(c * dx - s * dy + ox)
            ys.append(s * dx + c * dy + oy)
    return (max(0, int(min(xs))), max(0, int(min(ys))), min(shape[1], int(np.ceil(max(xs))) + 1),
            min(shape[0], int(np.ceil(max(ys))) + 1))


def turned_lines(z: np.ndarray, rules: local_contrast.LineRules = local_contrast.LineRules(),
                 angles=ANGLES, levels=LEVELS) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of text-like lines of the map ``z`` written at one of ``angles``,
    found upright in the turned map (the line rules of ``rules``, ``MIN_LETTERS`` letters)."""
    rules = local_contrast.LineRules(**{**rules.__dict__, "min_letters": MIN_LETTERS})
    found = []
    for deg in angles:
        zr = ndimage.rotate(z, deg, reshape=True, order=1, cval=0.0, prefilter=False)
        masks = [local_contrast.strokes(zr, rules), local_contrast.strokes(-zr, rules)]
        masks += [zr > t for t in levels] + [-zr > t for t in levels]
        for m in masks:
            found += [_back(b, deg, zr.shape, z.shape) for b in local_contrast._lines_across(m, rules)]
    return found


def enabled() -> bool:
    """D1 round 12 switch: the turned-map search runs (patched to False, thin slanted text passes)."""
    return True


__all__ = ["ANGLES", "LEVELS", "MIN_LETTERS", "enabled", "turned_lines"]
