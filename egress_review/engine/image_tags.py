"""Which of an image's info and EXIF entries are the format's own structure, not metadata.

Pillow reports a TIFF's baseline tags (width, strip offsets, bits per sample ...) and a GIF's
version through the same ``info``/EXIF channel as a camera's owner name or a comment.  The
structural ones describe the pixels and are checked against them here, so a plain TIFF or GIF
from a plotting tool is not taken for one carrying metadata; any value that does not match the
picture it describes - or any tag not listed - stays metadata (the smuggling check blocks it).
Free-form tags (ImageDescription, Artist, Make, DocumentName ...) are never structure.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

_NUM = re.compile(r"^-?\d+(?:\.\d+)?$")
# a resolution a tool writes: whole or to two decimals (72, 80.0, 299.99), not a payload in a float
_DPI = re.compile(r"^\d{1,5}(?:\.\d{1,2})?$")
_TIFF_COMPRESSION = {"raw", "tiff_lzw", "tiff_adobe_deflate", "tiff_deflate", "packbits", "jpeg",
                     "tiff_jpeg", "group3", "group4", "tiff_ccitt", "tiff_raw_16", "webp"}
_GIF_VERSIONS = {"GIF87a", "GIF89a"}


def _numbers(value: str) -> list[float] | None:
    parts = [p.strip() for p in value.strip("()[] ").split(",") if p.strip()]
    if not parts or not all(_NUM.match(p) for p in parts):
        return None
    return [float(p) for p in parts]


def _tiff_ok(tag: int, value: str, width: int, height: int, bands: int, meta: dict) -> bool:
    """Is EXIF/TIFF ``tag`` with ``value`` what the picture itself implies?"""
    if tag == 305:                       # Software: the tool's name, as a PNG's "Software"
        return len(value) <= 200
    if tag == 282 or tag == 283:         # X/YResolution
        return bool(_DPI.match(value)) and 0 < float(value) <= 10000
    nums = _numbers(value)
    if nums is None or any(n != int(n) or n < 0 for n in nums):
        return False
    one = nums[0] if len(nums) == 1 else None
    if tag == 256:
        return one == width
    if tag == 257:
        return one == height
    if tag == 277:                       # SamplesPerPixel
        return one == bands
    if tag == 258:                       # BitsPerSample, one per band
        return len(nums) in (1, bands) and all(n in (1, 4, 8, 16, 32) for n in nums)
    if tag == 278:                       # RowsPerStrip
        return one is not None and 1 <= one <= max(height, 1) or one == 2 ** 32 - 1
    if tag in (273, 279):                # StripOffsets / StripByteCounts: one per strip
        rows = _numbers(meta.get("exif:278", str(height))) or [height]
        strips = math.ceil(height / max(min(rows[0], height), 1)) if height else 1
        planar = (_numbers(meta.get("exif:284", "1")) or [1])[0]
        return len(nums) in (strips, strips * bands if planar == 2 else strips)
    small = {254: {0}, 259: {1, 2, 3, 4, 5, 7, 8, 32773, 32946, 34712}, 262: set(range(0, 9)),
             266: {1, 2}, 274: set(range(1, 9)), 284: {1, 2}, 296: {1, 2, 3}, 317: {1, 2, 3},
             338: {0, 1, 2}, 339: {1, 2, 3}}
    allowed = small.get(tag)
    return allowed is not None and all(n in allowed for n in nums)


def structural_keys(path: Path, meta: dict[str, str]) -> set[str]:
    """The keys of ``meta`` (``content.image_metadata``) that are this file's format structure
    and match its pixels; everything else is metadata."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            fmt, (width, height), bands = im.format, im.size, len(im.getbands())
    except Exception:
        return set()
    out: set[str] = set()
    if fmt == "TIFF":
        for key, value in meta.items():
            if key == "compression" and value in _TIFF_COMPRESSION:
                out.add(key)
            elif key.startswith("exif:") and key.count(":") == 1 and key[5:].isdigit():
                if _tiff_ok(int(key[5:]), value, width, height, bands, meta):
                    out.add(key)
    elif fmt == "GIF":
        if meta.get("version") in _GIF_VERSIONS:
            out.add("version")
    return out
