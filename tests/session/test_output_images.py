"""Image outputs reach the browser as pictures only (S1, ``hub_config.singleuser.image_clean``).

A kernel writes an image output's base64 freely; the browser keeps those bytes.  Each member
below hides a marked file in an image output - as the whole "image", in PNG text/private/
profile chunks, a palette, a second APNG frame, after the image's end, in zlib data after the
stream, in JPEG comments/EXIF/APP segments or after EOI, inside an SVG's embedded picture - and
the test looks for the mark in what the browser is sent.  Ordinary pictures (matplotlib PNG,
grey, 16-bit, transparent, JPEG, base64 with line breaks as nbformat stores it) keep their
pixels.  Without the re-encoding every hiding member fails.
"""
from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from hub_config.singleuser import image_clean, inert
from hub_config.singleuser.config import OutputCaps
from hub_config.singleuser.outputs import cap_bundle

MARK = b"PID=A123456789;DX=E11.9;" * 8
CAPS = OutputCaps(message_bytes=4 << 20, execution_bytes=8 << 20, text_lines=500,
                  table_rows=30, mime_types=("text/plain", "text/html", "image/png",
                                             "image/jpeg", "image/svg+xml"))


def _img(mode="RGB", size=(24, 16)) -> Image.Image:
    img = Image.new(mode, size)
    for x in range(size[0]):
        for y in range(size[1]):
            v = (x * 11 + y * 7) % 256
            img.putpixel((x, y), {"RGB": (v, 255 - v, x * 3 % 256), "RGBA": (v, v, 9, 128 + y),
                                  "L": v, "I;16": v * 200, "P": v % 4}[mode])
    return img


def _png(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **kw)
    return buf.getvalue()


def _jpeg(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95, **kw)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _insert_before_iend(png: bytes, chunk: bytes) -> bytes:
    i = png.rindex(b"IEND") - 4
    return png[:i] + chunk + png[i:]


def _idat_with_trailing(img: Image.Image) -> bytes:
    """A PNG whose IDAT holds the image's zlib stream followed by the marked bytes."""
    png = _png(img)
    start = png.index(b"IDAT") - 4
    length = struct.unpack(">I", png[start:start + 4])[0]
    data = png[start + 8:start + 8 + length] + MARK
    return png[:start] + _chunk(b"IDAT", data) + png[start + 12 + length:]


def _palette_png() -> bytes:
    img = _img("P")
    img.putpalette([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255] + list(MARK[:252 * 3].ljust(
        252 * 3, b"\0")))
    return _png(img)


def _apng() -> bytes:
    first = _img("RGB")
    second = Image.frombytes("RGB", first.size, (MARK * 64)[:first.width * first.height * 3])
    buf = io.BytesIO()
    first.save(buf, "PNG", save_all=True, append_images=[second])
    return buf.getvalue()


def _png_text(kind: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    if kind == "tEXt":
        info.add_text("data", MARK.decode())
    elif kind == "zTXt":
        info.add_text("data", MARK.decode(), zip=True)
    else:
        info.add_itxt("data", MARK.decode(), lang="zh", tkey="資料")
    return _png(_img(), pnginfo=info)


def _jpeg_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = MARK.decode()  # ImageDescription
    return _jpeg(_img(), exif=exif.tobytes())


def _jpeg_segment(marker: bytes) -> bytes:
    jpg = _jpeg(_img())
    return jpg[:2] + marker + struct.pack(">H", len(MARK) + 2) + MARK + jpg[2:]


HIDING = {
    "zip_as_png": ("image/png", b"PK\x03\x04" + MARK * 4),
    "random_as_jpeg": ("image/jpeg", MARK * 4),
    "png_tEXt": ("image/png", _png_text("tEXt")),
    "png_zTXt": ("image/png", _png_text("zTXt")),
    "png_iTXt": ("image/png", _png_text("iTXt")),
    "png_private_chunk": ("image/png", _insert_before_iend(_png(_img()), _chunk(b"prVt", MARK))),
    "png_iccp": ("image/png", _png(_img(), icc_profile=MARK * 4)),
    "png_after_iend": ("image/png", _png(_img()) + MARK),
    "png_zlib_trailing": ("image/png", _idat_with_trailing(_img())),
    "png_palette": ("image/png", _palette_png()),
    "apng_second_frame": ("image/png", _apng()),
    "jpeg_comment": ("image/jpeg", _jpeg_segment(b"\xff\xfe")),
    "jpeg_app_segment": ("image/jpeg", _jpeg_segment(b"\xff\xe9")),
    "jpeg_exif": ("image/jpeg", _jpeg_exif()),
    "jpeg_after_eoi": ("image/jpeg", _jpeg(_img()) + MARK),
    "png_as_jpeg": ("image/jpeg", _png_text("tEXt")),
}


def _sent(mime: str, raw: bytes) -> bytes:
    out = cap_bundle({mime: base64.b64encode(raw).decode()}, CAPS)
    return base64.b64decode(out[mime]) if mime in out else b""


def _carries_mark(raw: bytes) -> bool:
    if MARK[:24] in raw:
        return True
    try:  # compressed text, a profile, a frame: look inside what a reader would unpack
        with Image.open(io.BytesIO(raw)) as img:
            found = any(MARK[:24] in (v if isinstance(v, bytes) else str(v).encode())
                        for v in img.info.values())
            for i in range(getattr(img, "n_frames", 1)):
                img.seek(i)
                found = found or MARK[:24] in img.tobytes()
            return found
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.parametrize("member", sorted(HIDING))
def test_a_file_hidden_in_an_image_output_does_not_reach_the_browser(member):
    mime, raw = HIDING[member]
    assert _carries_mark(raw), "the member hides nothing"
    sent = _sent(mime, raw)
    assert not _carries_mark(sent), member
    assert MARK[:24] not in sent
    if sent:
        with Image.open(io.BytesIO(sent)) as img:
            assert img.format == image_clean.FORMATS[mime] and getattr(img, "n_frames", 1) == 1


def test_an_svgs_embedded_picture_is_cleaned_too():
    b64 = base64.b64encode(_png_text("tEXt")).decode()
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="24" height="16"><image width="24" height="16" '
           f'href="data:image/png;base64,{b64}"/></svg>')
    out = inert.inert_svg(svg)
    assert out is not None and "data:image/png;base64," in out
    inner = out.split("data:image/png;base64,", 1)[1].split('"', 1)[0]
    assert not _carries_mark(base64.b64decode(inner))


ORDINARY = {"rgb": "RGB", "rgba": "RGBA", "grey": "L", "sixteen_bit": "I;16"}


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_pictures_keep_their_pixels(name):
    img = _img(ORDINARY[name])
    sent = _sent("image/png", _png(img))
    with Image.open(io.BytesIO(sent)) as got:
        assert got.size == img.size and got.tobytes() == img.tobytes() and got.mode == img.mode


def test_a_matplotlib_figure_and_nbformat_line_breaks():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 3, 2])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    raw = buf.getvalue()
    b64 = base64.encodebytes(raw).decode()  # with a line break every 76 characters
    out = cap_bundle({"image/png": b64, "text/plain": "<Figure>"}, CAPS)
    with Image.open(io.BytesIO(raw)) as a, Image.open(io.BytesIO(base64.b64decode(
            out["image/png"]))) as b:
        assert a.size == b.size and a.convert("RGBA").tobytes() == b.convert("RGBA").tobytes()
    assert cap_bundle({"image/png": b64}, CAPS) == cap_bundle({"image/png": b64}, CAPS)


def test_a_jpeg_stays_a_similar_jpeg():
    img = Image.new("RGB", (64, 48))
    img.putdata([(x * 4, y * 5, 100) for y in range(48) for x in range(64)])  # a smooth photo
    raw = _jpeg(img)
    sent = _sent("image/jpeg", raw)
    with Image.open(io.BytesIO(sent)) as got, Image.open(io.BytesIO(raw)) as was:
        assert got.format == "JPEG" and got.size == img.size
        a, b = got.tobytes(), was.tobytes()
        diff = sum(abs(x - y) for x, y in zip(a, b)) / len(a)
        assert diff < 3, diff


def test_an_image_too_large_to_decode_is_dropped_with_a_note():
    huge = _png(Image.new("L", (5000, 4000)))
    out = cap_bundle({"image/png": base64.b64encode(huge).decode()}, CAPS)
    assert "image/png" not in out and "image/png" in out["text/plain"]
