"""E7 (with E5): data hidden in a raster picture where a person looking at it cannot see it.

Every raster figure goes to the committee (E5), but a committee member cannot see hidden bits.
Real matplotlib figures (line, bar, antialiased scatter, heatmap, smooth gradient, image of
noise, transparent background) are rendered here, then data is hidden in them by the usual
methods: low bits (sequential in one channel, random positions in all, two bits, next to edges),
colour under transparent pixels, palette tricks, 16-bit low bytes, extra frames, private PNG
chunks; as a file, inside a notebook and as an HTML/Markdown data: URI.  Everything runs through
the engine's entry point (``check_request``); payloads come from fixed seeds.  Clean figures must
get no ``raster_covert`` finding at all.
"""
from __future__ import annotations

import base64
import io
import struct
import zlib
from functools import lru_cache

import numpy as np
import pytest
from PIL import Image

from policies.sections.egress import EgressPolicy
from tests.egress_engine.conftest import said

CHECK = "raster_covert"


def _mine(r, severity=None):
    return [f for f in r.findings if f.check == CHECK and (severity is None or f.severity == severity)]


def _bits(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2, n, dtype=np.uint8)


def _save(im: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    b = io.BytesIO()
    im.save(b, format=fmt, **kw)
    return b.getvalue()


# --- real figures -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _figures() -> dict[str, bytes]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(20261206)
    out: dict[str, bytes] = {}

    def keep(name, fig, **kw):
        b = io.BytesIO()
        fig.savefig(b, format="png", **kw)
        plt.close(fig)
        out[name] = b.getvalue()

    x = np.linspace(0, 10, 200)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.plot(x, np.sin(x), label="a")
    ax.plot(x, np.cos(x), "--", label="b")
    ax.legend()
    ax.grid(True)
    ax.set_title("Line")
    keep("line", fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.bar(["a", "b", "c", "d"], [30, 50, 20, 70])
    ax.set_ylabel("patients")
    keep("bar", fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=150)
    ax.scatter(rng.normal(size=500), rng.normal(size=500), s=8, alpha=0.4, c=rng.random(500))
    keep("scatter", fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    fig.colorbar(ax.imshow(rng.normal(size=(30, 40)).cumsum(0), cmap="viridis"))
    keep("heatmap", fig)
    yy, xx = np.mgrid[0:300, 0:400]
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.imshow(np.sin(xx / 60.0) * np.cos(yy / 45.0) + xx / 400, cmap="magma", interpolation="bilinear")
    keep("gradient", fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.imshow(rng.normal(size=(400, 500)), cmap="gray")
    keep("noise-image", fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.hist(rng.normal(size=1000), bins=30, alpha=0.5)
    ax.hist(rng.normal(1, size=1000), bins=30, alpha=0.5)
    ax.fill_between(x / 3, -0.2, 0.2, alpha=0.05)
    keep("faint-fills", fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.plot(x, np.sin(x))
    keep("transparent", fig, transparent=True)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.imshow(rng.normal(size=(100, 100)), cmap="coolwarm", interpolation="bicubic")
    keep("bicubic-surface", fig)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    gx, gy = np.meshgrid(np.arange(20), np.arange(20))
    ax.pcolormesh(gx, gy, rng.normal(size=(20, 20)), shading="gouraud")
    keep("gouraud-mesh", fig)
    return out


def _rgb(name: str) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(_figures()[name])).convert("RGB"))


def _still(name: str) -> Image.Image:
    return Image.open(io.BytesIO(_figures()[name])).convert("RGB")


@lru_cache(maxsize=None)
def _clean_variants() -> dict[str, tuple[str, bytes]]:
    """(file name, bytes) of clean pictures in every format the engine reads."""
    v = {k: (f"{k}.png", b) for k, b in _figures().items()}
    line = _still("line")
    v["line-jpeg"] = ("line.jpg", _save(line, "JPEG", quality=90))
    v["line-gif"] = ("line.gif", _save(line.convert("P", palette=Image.Palette.ADAPTIVE), "GIF"))
    v["line-web-palette"] = ("line_p.png", _save(line.convert("P")))
    v["line-quantised"] = ("line_q.png", _save(line.quantize(64, dither=Image.Dither.NONE)))
    v["line-tiff"] = ("line.tif", _save(line, "TIFF"))
    v["line-bmp"] = ("line.bmp", _save(line, "BMP"))
    v["line-webp"] = ("line.webp", _save(line, "WEBP", lossless=True))
    g = np.asarray(line.convert("L")).astype(np.uint16)
    v["line-grey16"] = ("line16.png", _save(Image.fromarray(g * 257)))
    v["line-rgb16"] = ("line48.png", _png16(np.asarray(line).astype(np.uint16) * 257, 2))
    return v


CLEAN = ["bar", "bicubic-surface", "faint-fills", "gouraud-mesh", "gradient", "heatmap", "line", "line-bmp", "line-gif", "line-grey16",
         "line-jpeg", "line-quantised", "line-rgb16", "line-tiff", "line-web-palette", "line-webp",
         "noise-image", "scatter", "transparent"]


def _fig(run, name: str, data: bytes):
    return run({name: data}, [{"path": name, "kind": "figure", "description": "figure"}])


@pytest.mark.parametrize("case", CLEAN)
def test_a_clean_figure_has_no_raster_finding_and_goes_to_the_committee(run, case):
    name, data = _clean_variants()[case]
    r = _fig(run, name, data)
    assert not _mine(r), said(r)
    assert any(f.committee for f in r.findings), said(r)


# --- hand-made 16-bit colour PNGs (Pillow cannot write 48/64-bit colour) -----------------------

def _png16(a: np.ndarray, ctype: int, filters=(0,)) -> bytes:
    """A 16-bit PNG of ``a`` (H, W, C) with row filters cycling through ``filters``."""
    h, w = a.shape[:2]
    bpp = a.shape[2] * 2
    rows = a.astype(">u2").reshape(h, -1).view(np.uint8).reshape(h, w * bpp).astype(np.int32)
    raw = bytearray()
    prev = np.zeros(w * bpp, np.int32)
    for y in range(h):
        f = filters[y % len(filters)]
        cur = rows[y]
        left = np.r_[np.zeros(bpp, np.int32), cur[:-bpp]]
        upleft = np.r_[np.zeros(bpp, np.int32), prev[:-bpp]]
        if f == 0:
            enc = cur
        elif f == 1:
            enc = cur - left
        elif f == 2:
            enc = cur - prev
        elif f == 3:
            enc = cur - (left + prev) // 2
        else:
            pa, pb, pc = np.abs(prev - upleft), np.abs(left - upleft), np.abs(left + prev - 2 * upleft)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prev, upleft))
            enc = cur - pred
        raw += bytes([f]) + (enc % 256).astype(np.uint8).tobytes()
        prev = cur

    def chunk(t, body):
        return struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, ctype, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))


def _chunked(png: bytes, t: bytes, body: bytes) -> bytes:
    """``png`` with one more chunk before IEND."""
    i = png.rfind(b"IEND") - 4
    c = struct.pack(">I", len(body)) + t + body + struct.pack(">I", zlib.crc32(t + body))
    return png[:i] + c + png[i:]


# --- stego variants ---------------------------------------------------------------------------

def _lsb_sequential_red() -> bytes:
    x = _rgb("line")
    r = x[..., 0].reshape(-1)
    n = 8 * 512                                       # 512 bytes from the first pixels on
    r[:n] = (r[:n] & 0xFE) | _bits(n, 1)
    x[..., 0] = r.reshape(x.shape[:2])
    return _save(Image.fromarray(x))


def _lsb_random_all() -> bytes:
    x = _rgb("bar")
    f = x.reshape(-1)
    pos = np.random.default_rng(2).choice(f.size, 8 * 512, replace=False)
    f[pos] = (f[pos] & 0xFE) | _bits(pos.size, 3)
    return _save(Image.fromarray(f.reshape(x.shape)))


def _lsb_two_bits() -> bytes:
    x = _rgb("heatmap")
    f = x.reshape(-1)
    n = 4 * 4096                                      # 4 KB, two bits a value
    f[:n] = (f[:n] & 0xFC) | (_bits(n, 4) * 2 + _bits(n, 5))
    return _save(Image.fromarray(f.reshape(x.shape)))


def _lsb_next_to_edges() -> bytes:
    """Low bits of red changed only at pixels beside a strong colour step (lines, text)."""
    x = _rgb("line")
    d = np.abs(np.diff(x.astype(int).sum(-1), axis=1)) > 30
    edge = np.zeros(x.shape[:2], bool)
    edge[:, 1:] |= d
    edge[:, :-1] |= d
    ys, xs = np.nonzero(edge)
    sel = np.random.default_rng(6).permutation(len(ys))[:4096]
    x[ys[sel], xs[sel], 0] = (x[ys[sel], xs[sel], 0] & 0xFE) | _bits(sel.size, 7)
    return _save(Image.fromarray(x))


def _lsb_scatter_sparse() -> bytes:
    """A few hundred bytes at random positions of an antialiased scatter plot."""
    x = _rgb("scatter")
    f = x.reshape(-1)
    pos = np.random.default_rng(12).choice(f.size, 8 * 256, replace=False)
    f[pos] = (f[pos] & 0xFE) | _bits(pos.size, 13)
    return _save(Image.fromarray(f.reshape(x.shape)))


def _alpha_zero_payload() -> bytes:
    y = np.array(Image.open(io.BytesIO(_figures()["transparent"])).convert("RGBA"))
    flat = y.reshape(-1, 4)
    idx = np.flatnonzero(flat[:, 3] == 0)[:3000]
    flat[idx, :3] = np.random.default_rng(8).integers(0, 256, (idx.size, 3))
    return _save(Image.fromarray(y, "RGBA"))


def _quantised():
    p = _still("bar").quantize(32, dither=Image.Dither.NONE)
    return np.array(p), p.getpalette()[:32 * 3]


def _palette_duplicates() -> bytes:
    """Colour 0 twice in the palette; which copy a pixel uses is one bit."""
    idx, pal = _quantised()
    c = np.bincount(idx.reshape(-1)).argmax()
    pal2 = pal + pal[3 * c:3 * c + 3]
    ind = idx.copy()
    ind[(idx == c) & (_bits(idx.size, 9).reshape(idx.shape) == 1)] = 32
    q = Image.fromarray(ind.astype(np.uint8), "P")
    q.putpalette(pal2)
    return _save(q)


def _palette_unused_payload() -> bytes:
    idx, pal = _quantised()
    q = Image.fromarray(idx.astype(np.uint8), "P")
    q.putpalette(pal + np.random.default_rng(10).integers(0, 256, 3 * 150).tolist())
    return _save(q)


def _grey16_low_bytes() -> bytes:
    g = np.asarray(_still("line").convert("L")).astype(np.uint16) * 257
    g.reshape(-1)[:4096] ^= _bits(4096, 11).astype(np.uint16)
    return _save(Image.fromarray(g))


def _tiff16_low_bytes() -> bytes:
    g = np.asarray(_still("bar").convert("L")).astype(np.uint16) * 256
    g.reshape(-1)[-4096:] |= np.random.default_rng(18).integers(0, 256, 4096).astype(np.uint16)
    return _save(Image.fromarray(g), "TIFF")


def _rgb16_low_bytes(filters) -> bytes:
    a = np.asarray(_still("bar")).astype(np.uint16) * 256
    flat = a.reshape(-1)
    flat[:6000] |= np.random.default_rng(14).integers(0, 256, 6000).astype(np.uint16)
    return _png16(a, 2, filters)


def _rgba16_low_bytes() -> bytes:
    a = np.asarray(_still("bar").convert("RGBA")).astype(np.uint16) * 257
    a[40:60, :, 3] ^= _bits(20 * a.shape[1], 15).reshape(20, -1).astype(np.uint16)
    return _png16(a, 6, (4, 1, 3, 2, 0))


def _apng() -> bytes:
    return _save(_still("line"), save_all=True, append_images=[_still("bar")])


def _gif_two_frames() -> bytes:
    return _save(_still("line").convert("P"), "GIF", save_all=True, append_images=[_still("bar").convert("P")])


def _tiff_two_pages() -> bytes:
    return _save(_still("line"), "TIFF", save_all=True, append_images=[_still("bar")])


def _private_chunk() -> bytes:
    return _chunked(_figures()["bar"], b"prVt", bytes(range(256)) * 4)


def _truncated() -> bytes:
    b = _figures()["bar"]
    return b[:len(b) // 2]


# name -> (file name, bytes maker, severity, a key the finding's location must have)
STEGO = {
    "lsb-sequential-red": ("f.png", _lsb_sequential_red, "review", "points"),
    "lsb-random-all-channels": ("f.png", _lsb_random_all, "review", "points"),
    "lsb-two-bits": ("f.png", _lsb_two_bits, "review", "points"),
    "lsb-next-to-edges": ("f.png", _lsb_next_to_edges, "review", "points"),
    "lsb-sparse-in-scatter": ("f.png", _lsb_scatter_sparse, "review", "points"),
    "alpha-zero-payload": ("f.png", _alpha_zero_payload, "block", "transparent_pixels"),
    "palette-duplicates": ("f.png", _palette_duplicates, "block", "duplicate_palette_entries"),
    "palette-unused-payload": ("f.png", _palette_unused_payload, "block", "unused_palette_entries"),
    "grey16-low-bytes": ("f.png", _grey16_low_bytes, "block", "bit_depth"),
    "tiff16-low-bytes": ("f.tif", _tiff16_low_bytes, "block", "bit_depth"),
    "rgb16-low-bytes-plain-rows": ("f.png", lambda: _rgb16_low_bytes((0,)), "block", "bit_depth"),
    "rgb16-low-bytes-all-filters": ("f.png", lambda: _rgb16_low_bytes((1, 2, 3, 4, 0)), "block", "bit_depth"),
    "rgba16-alpha-low-bytes": ("f.png", _rgba16_low_bytes, "block", "bit_depth"),
    "apng-second-frame": ("f.png", _apng, "block", "frame_chunks"),
    "gif-second-frame": ("f.gif", _gif_two_frames, "block", "frames"),
    "tiff-second-page": ("f.tif", _tiff_two_pages, "block", "frames"),
    "png-private-chunk": ("f.png", _private_chunk, "block", "chunks"),
    "truncated": ("f.png", _truncated, "block", "error"),
}


def _expect(r, severity: str, key: str) -> None:
    hits = [f for f in _mine(r, severity) if key in f.location]
    assert hits, said(r)
    assert r.verdict == ("block" if severity == "block" else r.verdict), said(r)
    if severity == "review":
        assert r.verdict in ("review", "block") and not _mine(r, "block"), said(r)


@pytest.mark.parametrize("case", sorted(STEGO))
def test_hidden_data_in_a_picture_file_is_found(run, case):
    name, make, severity, key = STEGO[case]
    _expect(_fig(run, name, make()), severity, key)


# the same carriers inside a notebook's image/png output and an HTML / Markdown data: URI
CARRIED = ["lsb-random-all-channels", "alpha-zero-payload", "palette-duplicates",
           "rgb16-low-bytes-all-filters", "apng-second-frame", "png-private-chunk"]


def _notebook(png: bytes) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png).decode(),
                                                       "text/plain": "<Figure>"})
    nb.cells = [nbformat.v4.new_markdown_cell("# Results"),
                nbformat.v4.new_code_cell("plt.show()", outputs=[out])]
    return nbformat.writes(nb)


def _html(png: bytes) -> str:
    return ("<html><body><h1>Results</h1><img alt='figure' src='data:image/png;base64,"
            + base64.b64encode(png).decode() + "'></body></html>")


def _markdown(png: bytes) -> str:
    return "# Results\n\n![figure](data:image/png;base64," + base64.b64encode(png).decode() + ")\n"


CARRIERS = {"notebook": ("r.ipynb", "notebook", _notebook), "html": ("r.html", "text", _html),
            "markdown": ("r.md", "text", _markdown)}


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
@pytest.mark.parametrize("case", CARRIED)
def test_hidden_data_in_an_embedded_picture_is_found(run, case, carrier):
    name, kind, wrap = CARRIERS[carrier]
    _, make, severity, key = STEGO[case]
    r = run({name: wrap(make())}, [{"path": name, "kind": kind, "description": "results"}])
    _expect(r, severity, key)
    where = "cell_index" if carrier == "notebook" else "offset"
    assert all(where in f.location for f in _mine(r)), said(r)


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
def test_a_clean_embedded_figure_has_no_raster_finding(run, carrier):
    name, kind, wrap = CARRIERS[carrier]
    r = run({name: wrap(_figures()["scatter"])}, [{"path": name, "kind": kind, "description": "results"}])
    assert not _mine(r), said(r)


def test_text_after_the_image_data_is_refused(run):
    """Pillow reads a PNG's text chunks after IDAT only when the pixels are loaded."""
    late = _chunked(_figures()["bar"], b"tEXt", b"Comment\x00patients 3 7 12")
    r = _fig(run, "f.png", late)
    assert r.verdict == "block" and [f for f in _mine(r, "block") if f.location.get("after_image_data")], said(r)


def test_an_embedded_picture_with_appended_bytes_or_text_chunks_is_refused(run):
    png = _figures()["bar"] + b"PAYLOAD" * 20
    r = run({"r.ipynb": _notebook(png)}, [{"path": "r.ipynb", "kind": "notebook", "description": "r"}])
    assert [f for f in _mine(r, "block") if "trailing_bytes" in f.location], said(r)
    texted = _chunked(_figures()["bar"], b"tEXt", b"Comment\x00patients 3 7 12")
    r = run({"r.html": _html(texted)}, [{"path": "r.html", "kind": "text", "description": "r"}])
    assert [f for f in _mine(r, "block") if "metadata_keys" in f.location], said(r)


def test_a_picture_too_large_to_see_at_once_goes_to_a_reviewer(run):
    big = np.full((600, 1200, 3), 255, np.uint8)
    big[::50] = 0
    pol = EgressPolicy(raster_review_pixels=500_000, raster_review_side=8000)
    r = run({"big.png": _save(Image.fromarray(big))},
            [{"path": "big.png", "kind": "figure", "description": "f"}], policy=pol)
    assert [f for f in _mine(r, "review") if f.location.get("width") == 1200], said(r)
    pol = EgressPolicy(raster_max_pixels=500_000)
    r = run({"big.png": _save(Image.fromarray(big))},
            [{"path": "big.png", "kind": "figure", "description": "f"}], policy=pol)
    assert r.verdict == "block" and [f for f in _mine(r, "block") if "width" in f.location], said(r)


def test_adaptive_embedding_outside_flat_areas_is_left_to_the_committee(run):
    """The limit the docs state: low bits changed only where the 3x3 area is not flat (range
    over 3, i.e. along antialiased edges and text) look like antialiasing to this check; the
    figure still goes to the committee as every figure does."""
    x = _rgb("line")
    xi = x.astype(np.int16)
    from numpy.lib.stride_tricks import sliding_window_view as win

    w = win(np.pad(xi[..., 0], 1, mode="edge"), (3, 3))
    busy = (w.max(axis=(2, 3)) - w.min(axis=(2, 3))) > 3
    ys, xs = np.nonzero(busy)
    sel = np.random.default_rng(16).permutation(len(ys))[:2048]
    x[ys[sel], xs[sel], 0] = (x[ys[sel], xs[sel], 0] & 0xFE) | _bits(sel.size, 17)
    r = _fig(run, "f.png", _save(Image.fromarray(x)))
    assert r.verdict == "review" and any(f.committee for f in r.findings), said(r)


def test_the_switch_turns_the_raster_checks_off(run):
    r = _fig(run, "f.png", _alpha_zero_payload())
    assert _mine(r, "block"), said(r)
    r = run({"f.png": _alpha_zero_payload()}, [{"path": "f.png", "kind": "figure", "description": "f"}],
            policy=EgressPolicy(raster_covert_checks=False))
    assert not _mine(r), said(r)


# --- colour profiles (ICC): bytes a viewer applies but never shows ------------------------------

def _srgb() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _with_size(p: bytes) -> bytes:
    return len(p).to_bytes(4, "big") + p[4:]


def _add_tag(p: bytes, sig: bytes, data: bytes) -> bytes:
    """A profile with one more tag (its table grows by 12 bytes, every offset moves with it)."""
    n = int.from_bytes(p[128:132], "big")
    table = bytearray(p[132:132 + 12 * n])
    for k in range(n):
        off = int.from_bytes(table[12 * k + 4:12 * k + 8], "big")
        table[12 * k + 4:12 * k + 8] = (off + 12).to_bytes(4, "big")
    body = p[132 + 12 * n:]
    off = 132 + 12 * (n + 1) + len(body)
    out = p[:128] + (n + 1).to_bytes(4, "big") + bytes(table) + sig + off.to_bytes(4, "big") \
        + len(data).to_bytes(4, "big") + body + data + b"\0" * (-len(data) % 4)
    return _with_size(out)


PAYLOAD = bytes(np.random.default_rng(7).integers(0, 256, 1500, dtype=np.uint8))
ICC = {
    "bytes-after-the-tags": (lambda: _with_size(_srgb() + PAYLOAD), "block"),
    "size-field-lies": (lambda: _srgb() + PAYLOAD, "block"),
    "not-a-profile": (lambda: PAYLOAD, "block"),
    "tag-outside": (lambda: _with_size(_srgb()[:136] + (0xFFFFF0).to_bytes(4, "big") + _srgb()[140:]), "block"),
    "private-tag": (lambda: _add_tag(_srgb(), b"zzzz", PAYLOAD), "review"),
    "large-standard-tag": (lambda: _add_tag(_srgb(), b"gamt", PAYLOAD * 4), "review"),
}


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
@pytest.mark.parametrize("case", sorted(ICC))
def test_data_in_a_colour_profile_is_found(run, case, fmt):
    make, severity = ICC[case]
    data = _save(_still("line").convert("RGB"), fmt, icc_profile=make())
    r = _fig(run, f"f.{fmt.lower()}", data)
    hits = [f for f in _mine(r, severity) if "icc_profile_bytes" in f.location]
    assert hits, said(r)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_standard_colour_profile_passes(run, fmt):
    data = _save(_still("line").convert("RGB"), fmt, icc_profile=_srgb())
    r = _fig(run, f"f.{fmt.lower()}", data)
    assert not [f for f in _mine(r) if "icc_profile_bytes" in f.location], said(r)
