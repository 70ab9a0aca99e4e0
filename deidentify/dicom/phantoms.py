"""Generated clean images and faint burned-in text for the D1 pixel tests and the bench.

Each phantom is a stored-value frame (numpy) of one kind - CT (body, lungs with vessels,
spine), MR (head with folded cortex, smooth bias), US (speckle in a sector), X-ray (smooth
body, ribs), an RGB endoscopy-like photograph - drawn from a seed, with noise, optionally a
ruler of tick marks (a scale bar, no text).  ``put_text`` writes a string into a frame at a given
contrast (stored values above or below the local background), size and quarter turn, as an
attacker would to slip a name past OCR.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

FONTS = {
    "sans-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}
KINDS = ("ct", "mr", "us", "xr", "rgb")


def _smooth_field(rng: np.random.Generator, shape, scale: float) -> np.ndarray:
    f = ndimage.gaussian_filter(rng.normal(0, 1, shape), scale)
    return f / (np.abs(f).max() or 1)


def phantom(kind: str, seed: int, size: int = 256, noise: float | None = None,
            ruler: bool = False) -> np.ndarray:
    """A clean frame of ``kind`` (see KINDS): uint16 (CT/MR/X-ray, 12-bit values), uint8 (US),
    or uint8 RGB (rows, cols, 3)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    cy, cx = size / 2 + rng.uniform(-8, 8), size / 2 + rng.uniform(-8, 8)
    if kind == "ct":
        sigma = rng.uniform(2, 25) if noise is None else noise
        a, b = size * rng.uniform(0.28, 0.36), size * rng.uniform(0.36, 0.44)
        body = ((yy - cy) / a) ** 2 + ((xx - cx) / b) ** 2 <= 1
        img = np.full((size, size), 24.0, np.float32)
        img[body] = 1064 + 40 * _smooth_field(rng, (size, size), 12)[body]
        for side in (-1, 1):
            lung = ((yy - cy) / (a * 0.6)) ** 2 + ((xx - cx - side * b * 0.42) / (b * 0.3)) ** 2 <= 1
            img[lung] = 200
            vessels = (_smooth_field(rng, (size, size), 1.5) > 0.35) & lung
            img[vessels] = 1000
        spine = (yy - (cy + a * 0.65)) ** 2 + (xx - cx) ** 2 <= (size * 0.04) ** 2
        img[spine] = 1800
        img += rng.normal(0, sigma, img.shape) * (img > 30)
        top = 4095
    elif kind == "mr":
        sigma = rng.uniform(2, 20) if noise is None else noise
        head = ((yy - cy) / (size * 0.38)) ** 2 + ((xx - cx) / (size * 0.32)) ** 2 <= 1
        brain = ((yy - cy) / (size * 0.33)) ** 2 + ((xx - cx) / (size * 0.27)) ** 2 <= 1
        img = np.zeros((size, size), np.float32)
        img[head] = 900
        folds = _smooth_field(rng, (size, size), 3.0)
        img[brain] = 600 + 250 * (folds[brain] > 0)
        img = ndimage.gaussian_filter(img, 1.0) * (1 + 0.3 * _smooth_field(rng, (size, size), 40))
        img = np.hypot(img + rng.normal(0, sigma, img.shape), rng.normal(0, sigma, img.shape))
        top = 4095
    elif kind == "us":
        ang = np.arctan2(xx - size / 2, yy + 10)
        r = np.hypot(xx - size / 2, yy + 10)
        fan = (np.abs(ang) < 0.6) & (r > 30) & (r < size * 0.95)
        tissue = 70 + 60 * _smooth_field(rng, (size, size), 10) + 50 * (_smooth_field(rng, (size, size), 5) > 0.4)
        speckle = rng.rayleigh(1.0, (size, size)) / 1.25
        img = np.where(fan, ndimage.gaussian_filter(tissue * speckle, 0.7), 0)
        top = 255
    elif kind == "xr":
        sigma = rng.uniform(2, 15) if noise is None else noise
        img = 2600 - 900 * np.exp(-(((xx - cx) / (size * 0.3)) ** 2))
        for k in range(-4, 5):     # ribs: bright arcs
            arc = np.abs(yy - (cy + k * size * 0.09) - 0.002 * (xx - cx) ** 2) < size * 0.015
            img[arc] += 300
        img = ndimage.gaussian_filter(img, 2.0) + rng.normal(0, sigma, (size, size))
        top = 4095
    elif kind == "rgb":
        base = 120 + 80 * _smooth_field(rng, (size, size), 20)
        img = np.stack([base * 1.2, base * 0.7, base * 0.6], axis=2)
        img += rng.normal(0, 3, img.shape)
        img[np.hypot(yy - size / 2, xx - size / 2) > size * 0.48] = 0
        return np.clip(img, 0, 255).astype(np.uint8)
    else:
        raise ValueError(f"phantom: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if ruler:    # a scale bar: a comb of ticks along the right edge, every 10 pixels
        x = size - 12
        img[20:size - 20, x:x + 1] = top * 0.9
        for y in range(20, size - 20, 10):
            img[y:y + 1, x - (6 if (y // 10) % 5 == 0 else 3):x] = top * 0.9
    dtype = np.uint8 if top == 255 else np.uint16
    return np.clip(img, 0, top).astype(dtype)


def text_mask(text: str, font: str = "sans-bold", size: int = 14, turns: int = 0) -> np.ndarray:
    """Boolean glyph mask of ``text`` (quarter ``turns`` counter-clockwise, np.rot90)."""
    face = ImageFont.truetype(FONTS[font], size)
    x0, y0, x1, y1 = face.getbbox(text)
    canvas = Image.new("L", (x1 - min(x0, 0) + 4, y1 - min(y0, 0) + 4), 0)
    ImageDraw.Draw(canvas).text((2 - min(x0, 0), 2 - min(y0, 0)), text, fill=255, font=face)
    return np.rot90(np.asarray(canvas) > 96, turns)


def put_text(frame: np.ndarray, mask: np.ndarray, at: tuple[int, int], delta: float) -> np.ndarray:
    """``frame`` with the glyphs of ``mask`` at (row, col) ``at`` raised by ``delta`` stored values
    over what lies beneath (negative: darker); clipped to the frame's range."""
    out = frame.astype(np.float64)
    y, x = at
    h, w = mask.shape
    region = out[y:y + h, x:x + w]
    region[mask[:region.shape[0], :region.shape[1]]] += delta
    top = 255 if frame.dtype == np.uint8 else 4095
    return np.clip(out, 0, top).astype(frame.dtype)


__all__ = ["FONTS", "KINDS", "phantom", "put_text", "text_mask"]
