"""A plain TIFF or GIF from a plotting tool is not blocked for "metadata" (its baseline tags and
version are the format's structure, checked against the pixels: egress_review/engine/image_tags.py),
while every real metadata entry in one still blocks (E7 smuggling): free-form tags, private tags,
structure values that do not match the picture, comments, XMP, GPS.

Every file goes through the real engine (tests/egress_engine/conftest.py ``run``)."""
from __future__ import annotations

import io

import matplotlib
import pytest
from PIL import Image, TiffImagePlugin

from tests.egress_engine.conftest import said

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _smuggling(r) -> list:
    return [f for f in r.findings if f.check == "smuggling"]


def _figure(fmt: str, **kw) -> bytes:
    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    ax.plot([1, 2, 3, 4], [10, 40, 20, 80])
    ax.set_title("visits by year")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, **kw)
    plt.close(fig)
    return buf.getvalue()


def _pillow(fmt: str, mode: str = "RGB", **kw) -> bytes:
    im = Image.open(io.BytesIO(_figure("png"))).convert(mode)
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _tiff_with(tags: dict, mode: str = "RGB", **kw) -> bytes:
    info = TiffImagePlugin.ImageFileDirectory_v2()
    for tag, value in tags.items():
        info[tag] = value
    return _pillow("TIFF", mode, tiffinfo=info, **kw)


def _check(run, name: str, data: bytes):
    return run({name: data}, [{"path": name, "kind": "figure", "description": "visits by year"}])


CLEAN = {
    "matplotlib-tiff": ("f.tif", lambda: _figure("tiff")),
    "matplotlib-gif": ("f.gif", lambda: _figure("gif")),
    "pillow-tiff-raw-rgb": ("f.tif", lambda: _pillow("TIFF")),
    "pillow-tiff-lzw": ("f.tiff", lambda: _pillow("TIFF", compression="tiff_lzw")),
    "pillow-tiff-deflate-300dpi": ("f.tif", lambda: _pillow("TIFF", compression="tiff_deflate",
                                                           dpi=(300, 300))),
    "pillow-tiff-packbits-grey": ("f.tif", lambda: _pillow("TIFF", "L", compression="packbits")),
    "pillow-tiff-rgba": ("f.tif", lambda: _pillow("TIFF", "RGBA")),
    "pillow-tiff-bilevel-group4": ("f.tif", lambda: _pillow("TIFF", "1", compression="group4")),
    "pillow-tiff-software": ("f.tif", lambda: _tiff_with({305: "matplotlib 3.7 / Pillow"})),
    "pillow-gif89a-palette": ("f.gif", lambda: _pillow("GIF", "P")),
    "pillow-gif-transparency": ("f.gif", lambda: _pillow("GIF", "P", transparency=0)),
}


@pytest.mark.parametrize("case", sorted(CLEAN))
def test_a_plain_tiff_or_gif_is_not_blocked_for_metadata(run, case):
    name, make = CLEAN[case]
    r = _check(run, name, make())
    assert not _smuggling(r), said(r)
    assert r.verdict != "block", said(r)


DIRTY = {
    # free-form TIFF tags carry words: never structure
    "image-description": {270: "王小明 A123456789"},
    "document-name": {269: "cohort_2023_ids.csv"},
    "artist": {315: "Dr Lin Mei-yun"},
    "make-model": {271: "Canon", 272: "EOS"},
    "host-computer": {316: "ws-07.nhird.local"},
    "copyright": {33432: "patient 0421"},
    "date-time": {306: "2023:01:02 03:04:05"},
    "page-name": {285: "sheet 2"},
    # numbers where no baseline tag is, or a resolution that is a float payload
    "private-tag": {65000: "3,1,4,1,5"},
    "x-resolution-payload": {282: 72.123456, 283: 72.0},
    "software-too-long": {305: "matplotlib " + "x" * 300},
    "orientation-out-of-range": {274: 77},
    "new-subfile-type": {254: 1},
}


@pytest.mark.parametrize("case", sorted(DIRTY))
def test_metadata_in_a_tiff_still_blocks(run, case):
    r = _check(run, "f.tif", _tiff_with(DIRTY[case]))
    hits = _smuggling(r)
    assert any(f.severity == "block" and f.location.get("part") == "image metadata" for f in hits), said(r)


def test_a_gif_comment_still_blocks(run):
    r = _check(run, "f.gif", _pillow("GIF", "P", comment=b"A123456789 Wang Xiao-ming"))
    assert any(f.severity == "block" for f in _smuggling(r)), said(r)


def test_a_gif_version_that_is_not_one_blocks():
    """A version string other than GIF87a/89a is not structure (Pillow refuses to open such a
    file, so this is checked on the function)."""
    from pathlib import Path

    from egress_review.engine.image_tags import structural_keys

    path = Path(__file__).parent / "_image_tags_probe.gif"
    path.write_bytes(_pillow("GIF", "P"))
    try:
        assert structural_keys(path, {"version": "GIF89a"}) == {"version"}
        assert structural_keys(path, {"version": "GIF89a; id=A123"}) == set()
    finally:
        path.unlink()


def test_tiff_structure_must_match_the_pixels(tmp_path):
    """A width, height, band count or strip count other than the picture's is not structure."""
    from egress_review.engine.content import image_metadata
    from egress_review.engine.image_tags import structural_keys

    p = tmp_path / "f.tif"
    p.write_bytes(_pillow("TIFF", compression="tiff_lzw"))
    meta = image_metadata(p)
    assert {"exif:256", "exif:257", "exif:277", "exif:273", "exif:279"} <= structural_keys(p, meta)
    for key, value in (("exif:256", "321"), ("exif:257", "1"), ("exif:277", "4"),
                       ("exif:273", "(8, 9)"), ("exif:279", "(1, 2, 3, 4, 5, 6, 7)"),
                       ("exif:258", "(8, 8, 7)"), ("exif:259", "12345"), ("compression", "mine")):
        assert key not in structural_keys(p, {**meta, key: value}), (key, value)
