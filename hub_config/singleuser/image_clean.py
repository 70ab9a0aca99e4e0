"""An image output is a picture and nothing else (S1).

``image/png`` and ``image/jpeg`` outputs are base64 a kernel writes freely: the browser keeps
the bytes (in the page, "Save image as…", the notebook it saves) whatever they hold - a zip or
Parquet file under a PNG name, or a real picture carrying a file in text chunks (``tEXt``,
``zTXt``, ``iTXt``), private chunks, an ICC profile, EXIF/APP segments, JPEG comments, or
bytes after the image's end.  Each image is therefore decoded and written again from its
pixels alone (Pillow): PNG losslessly, JPEG at a fixed quality; anything that does not decode
as that format, or is larger than ``MAX_PIXELS``, is dropped (the caller says so in text).
What is left is the picture, charged to the session's output budget like every output - data
drawn *as pixels* is a picture of it, bounded by that budget.
"""
from __future__ import annotations

import base64
import binascii
import io

MAX_PIXELS = 4096 * 4096   # larger: refused before decoding (a decompression bomb)
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
JPEG_QUALITY = 90


def clean(mime: str, value) -> str | None:
    """The image re-encoded from its pixels (base64, as outputs carry it), or None."""
    fmt = FORMATS.get(mime)
    if fmt is None or not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(raw), formats=[fmt]) as img:
            if img.width * img.height > MAX_PIXELS or getattr(img, "n_frames", 1) != 1:
                return None  # an animated PNG: a frame the page never shows could carry data
            img.load()
            pixels = img.copy()
    except Exception:  # noqa: BLE001 - anything Pillow cannot read is not a picture
        return None
    # a palette's unused entries (up to 768 bytes) could carry data: palettes become RGBA
    if fmt == "PNG" and pixels.mode not in ("1", "L", "LA", "RGB", "RGBA", "I", "I;16"):
        pixels = pixels.convert("RGBA")
    if fmt == "JPEG" and pixels.mode not in ("L", "RGB", "CMYK"):
        pixels = pixels.convert("RGB")
    pixels.info = {}  # no text, profile, EXIF or comment carried over
    out = io.BytesIO()
    if fmt == "PNG":
        pixels.save(out, "PNG", optimize=False, compress_level=6)
    else:
        pixels.save(out, "JPEG", quality=JPEG_QUALITY)
    return base64.b64encode(out.getvalue()).decode("ascii")
