"""E7: data hidden in a raster picture where a person looking at it cannot see it.

Every raster figure goes to the committee (E5), but a committee member looking at a picture does
not see its hidden bits.  Each raster image the engine sees (a standalone picture, an image a
notebook embeds, a ``data:image/...;base64`` URI in HTML, SVG, Markdown or any text) is decoded
with Pillow and numpy and checked for carriers a plotting library never produces:

- block: colour under fully transparent pixels that is not one constant; palettes whose used
  entries repeat a colour (the choice of index carries bits) or whose unused entries hold
  colours (the palette carries bytes); 16-bit channels whose low byte is not a function of the
  high byte (invisible at 8-bit display); more than one frame (APNG, GIF, TIFF, WebP); PNG
  chunks no viewer shows; an image that cannot be decoded or is too large to check;
- review (statistical, for the committee with the reason): many pixels inside flat areas that
  stand 1-3 levels above or below all four neighbours (least-significant-bit embedding in a
  plot's flat colours; antialiasing only changes pixels along edges, where the area is not
  flat); a picture so large a reviewer only sees it scaled down.

JPEG and lossy WebP pixels are not tested for low-bit noise: lossy coding makes such noise
itself and destroys pixel LSBs; stego in their DCT coefficients is not looked for.
"""
from __future__ import annotations

import base64
import binascii
import io
import struct
import zlib

import numpy as np

from egress_review.engine.content import IMAGE_SUFFIXES, decode, notebook_segments, strip_data_uris
from egress_review.engine.context import Context
from egress_review.manifest import ManifestFile

RULE = "E7"
CHECK = "raster_covert"
# not "table": table files are read as tables (their blobs are smuggling's), and table checks
# also run on tables found inside other files, which have no bytes of their own
KINDS = {"figure", "text", "code", "notebook", "model"}

_RASTER_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
# Chunks a PNG viewer uses or a plotting library writes; text chunks are read by smuggling.
_PNG_KNOWN = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT",
              b"sRGB", b"cICP", b"mDCV", b"mDCv", b"cLLI", b"cLLi", b"tEXt", b"zTXt", b"iTXt",
              b"bKGD", b"pHYs", b"tIME", b"eXIf"}
_PNG_FRAMES = {b"acTL", b"fcTL", b"fdAT"}
_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt", b"eXIf"}
# Bytes of Average/Paeth rows the pure-Python 16-bit unfilter handles (Pillow drops the low
# byte of 16-bit colour PNGs, so they are unfiltered here); more goes to a reviewer.
_SLOW_UNFILTER_BYTES = 6_000_000
_BAND = 512          # rows per band of the noise statistic (bounds memory on large pictures)

Out = list[tuple[str, dict, str, str]]       # (severity, location, en, zh)


def _png_chunks(raw: bytes) -> tuple[list[bytes], dict, bytes]:
    """Chunk types in order, IHDR fields, the joined IDAT data (no CRC check: Pillow does)."""
    types, ihdr, idat, pos = [], {}, [], 8
    while pos + 8 <= len(raw):
        n, t = struct.unpack(">I4s", raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + n]
        types.append(t)
        if t == b"IHDR" and len(body) >= 13:
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body[:13])
            ihdr = {"w": w, "h": h, "depth": depth, "ctype": ctype, "interlace": interlace}
        elif t == b"IDAT":
            idat.append(body)
        elif t == b"IEND":
            break
        pos += 12 + n
    return types, ihdr, b"".join(idat)


def _unfilter(data: bytes, h: int, stride: int, bpp: int) -> np.ndarray | None:
    """PNG scanline unfiltering; None if too many Average/Paeth bytes for the Python loop."""
    out = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    slow = 0
    for y in range(h):
        pos = y * (stride + 1)
        f, row = data[pos], np.frombuffer(data, np.uint8, stride, pos + 1)
        if f == 0:
            cur = row.copy()
        elif f == 1:          # Sub: a running sum per byte of the pixel, modulo 256
            cur = np.cumsum(row.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif f == 2:
            cur = row + prev
        elif f in (3, 4):
            slow += stride
            if slow > _SLOW_UNFILTER_BYTES:
                return None
            r, p, c = row.tolist(), prev.tolist(), [0] * stride
            for i in range(stride):
                a = c[i - bpp] if i >= bpp else 0
                if f == 3:
                    c[i] = (r[i] + ((a + p[i]) >> 1)) & 255
                else:
                    b, d = p[i], (p[i - bpp] if i >= bpp else 0)
                    pa, pb, pc = abs(b - d), abs(a - d), abs(a + b - 2 * d)
                    c[i] = (r[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else d)) & 255
            cur = np.array(c, np.uint8)
        else:
            raise ValueError(f"PNG row filter {f}")
        out[y] = cur
        prev = cur
    return out


def _low_byte_spread(values: np.ndarray) -> int:
    """Pixels whose low byte differs from the usual low byte of their high byte: 0 for an 8-bit
    picture widened (low = 0 or low = high), the count of hidden changes otherwise."""
    counts = np.bincount(values.reshape(-1).astype(np.int64), minlength=65536)[:65536].reshape(256, 256)
    return int(counts.sum() - counts.max(axis=1).sum())


def _png16(raw: bytes, ihdr: dict, idat: bytes) -> tuple[int, str] | None:
    """(pixels with varying low bytes, channels) of a 16-bit colour PNG; None: not checkable."""
    chans = {2: 3, 4: 2, 6: 4}[ihdr["ctype"]]
    w, h = ihdr["w"], ihdr["h"]
    if ihdr["interlace"]:
        return None
    stride = w * chans * 2
    data = zlib.decompressobj().decompress(idat, h * (stride + 1))   # no more than the header says
    if len(data) < h * (stride + 1):
        raise ValueError("PNG image data shorter than its header says")
    rows = _unfilter(data, h, stride, chans * 2)
    if rows is None:
        return None
    v = rows.reshape(h, w, chans, 2)
    v16 = v[..., 0].astype(np.uint16) << 8 | v[..., 1]
    return sum(_low_byte_spread(v16[..., c]) for c in range(chans)), {2: "RGB", 4: "LA", 6: "RGBA"}[ihdr["ctype"]]


def _palette(im, pol) -> Out:
    """Duplicate used colours (index choice carries bits) and colours in unused entries."""
    out: Out = []
    pal = np.array(im.getpalette("RGB") or [], np.uint8).reshape(-1, 3)
    if not len(pal):
        return out
    alpha = np.full(len(pal), 255, np.uint8)
    t = im.info.get("transparency")
    if isinstance(t, bytes):
        alpha[:min(len(t), len(alpha))] = np.frombuffer(t, np.uint8)[:len(alpha)]
    elif isinstance(t, int) and 0 <= t < len(alpha):
        alpha[t] = 0
    idx = np.asarray(im if im.mode == "P" else im.getchannel(0))
    counts = np.bincount(idx.reshape(-1), minlength=len(pal))[:len(pal)]
    used = counts > 0
    key = (pal[:, 0].astype(np.uint32) << 24 | pal[:, 1].astype(np.uint32) << 16
           | pal[:, 2].astype(np.uint32) << 8 | alpha)
    ukeys, inv = np.unique(key[used], return_inverse=True)
    per_colour = np.bincount(inv)
    dup_entries = int((per_colour[per_colour > 1]).sum())
    if dup_entries:
        dup_colours = set(ukeys[per_colour > 1].tolist())
        px = int(counts[used][np.isin(key[used], list(dup_colours))].sum())
        out.append(("block", {"duplicate_palette_entries": dup_entries, "pixels": px},
                    f"The palette holds the same colour under {dup_entries} different used entries "
                    f"({px} pixels): which entry a pixel uses cannot be seen and carries data "
                    f"(up to about {px // 8} bytes).",
                    f"調色盤中同一顏色出現在 {dup_entries} 個被使用的索引（{px} 個像素）：像素選用哪個索引"
                    f"肉眼看不出，可夾帶資料（約 {px // 8} 位元組）。"))
    unused = ~used
    uk = key[unused]
    if len(uk):
        vals, n = np.unique(uk, return_counts=True)
        rest = key[unused] != vals[np.argmax(n)]
        p = pal[unused][rest]
        i = np.flatnonzero(unused)[rest]
        websafe = np.all(p % 51 == 0, axis=1)            # Pillow's default WEB palette
        ramp = np.all(p == (i % 256)[:, None], axis=1)   # a grey ramp at its own index
        odd = int((~websafe & ~ramp).sum())
        if odd > pol.raster_palette_unused_max:
            out.append(("block", {"unused_palette_entries": int(unused.sum()), "holding_colours": odd},
                        f"{odd} palette entries no pixel uses hold colours ({odd * 3} bytes): a "
                        "palette carries bytes nobody sees; a plotting tool leaves unused entries "
                        "empty.",
                        f"調色盤中有 {odd} 個未被任何像素使用的項目存有顏色（{odd * 3} 位元組）："
                        "調色盤可夾帶看不見的資料；繪圖工具不會留下此類項目。"))
    return out


def _hidden_under_alpha(rgba: np.ndarray, pol) -> Out:
    """Colour kept under fully transparent pixels: the viewer shows none of it."""
    a = rgba[..., -1]
    zero = a == 0
    n = int(zero.sum())
    if n == 0:
        return []
    col = rgba[..., :-1][zero].astype(np.uint32)
    key = col[:, 0] if col.shape[1] == 1 else col[:, 0] << 16 | col[:, 1] << 8 | col[:, 2]
    # the usual colour from a sample, then one pass: no sort of millions of pixels
    vals, cnt = np.unique(key[::max(1, n // 20000)], return_counts=True)
    other = int((key != vals[np.argmax(cnt)]).sum())
    colours = 1 + (len(np.unique(key[key != vals[np.argmax(cnt)]][:1_000_000])) if other else 0)
    if other <= pol.raster_hidden_max_pixels:
        return []
    return [("block", {"transparent_pixels": n, "differing": other, "colours": colours},
             f"{other} of {n} fully transparent pixels keep a colour other than the rest "
             f"({colours} colours): nobody sees colour under transparency; it carries data.",
             f"{n} 個完全透明像素中有 {other} 個保留與其餘不同的顏色（共 {colours} 種）："
             "透明像素下的顏色看不見，可夾帶資料。")]


def _noise_points(x: np.ndarray) -> tuple[int, int, list]:
    """(points, flat pixels, first points) of one 8-bit channel.  A candidate is a pixel of a
    flat 3x3 area (range 1-3) strictly above or below its four neighbours: a changed low bit.
    It counts when the 24 pixels around it are all equal (one change in a flat colour: sparse
    embedding), or when they span at most 3 levels and two diagonals that are not opposite sit
    at its level with the pixel between them off it (a checker pattern: dense embedding).  A
    plot's flat colours are exact, antialiasing lies along edges (range > 3), a gradient is
    monotone, and the peaks of a smooth surface have sloping, not flat or checkered, sides."""
    h, w = x.shape
    if h < 3 or w < 3:
        return 0, 0, []
    xp = np.pad(x, 2, mode="edge")       # a 5x5 window everywhere; a border pixel equals its copy
    pts, flat, first = 0, 0, []
    for y0 in range(0, h, _BAND):
        n = min(y0 + _BAND, h) - y0
        b = xp[y0:y0 + n + 4].astype(np.int16)            # original rows y0-2 .. y0+n+1
        hm = np.maximum(np.maximum(b[:, 1:w + 1], b[:, 2:w + 2]), b[:, 3:w + 3])
        hn = np.minimum(np.minimum(b[:, 1:w + 1], b[:, 2:w + 2]), b[:, 3:w + 3])
        rng = (np.maximum(np.maximum(hm[1:n + 1], hm[2:n + 2]), hm[3:n + 3])
               - np.minimum(np.minimum(hn[1:n + 1], hn[2:n + 2]), hn[3:n + 3]))
        c = b[2:n + 2, 2:w + 2]
        l, r, u, d = b[2:n + 2, 1:w + 1], b[2:n + 2, 3:w + 3], b[1:n + 1, 2:w + 2], b[3:n + 3, 2:w + 2]
        up = (c > l) & (c > r) & (c > u) & (c > d)
        down = (c < l) & (c < r) & (c < u) & (c < d)
        hit = (rng >= 1) & (rng <= 3) & (up | down)
        flat += int((rng <= 3).sum())
        ys, xs = np.nonzero(hit)
        if not len(ys):
            continue
        win = np.stack([b[ys + dy, xs + dx] for dy in range(5) for dx in range(5)])
        cv, rest = win[12], np.delete(win, 12, axis=0)
        spread = rest.max(axis=0) - rest.min(axis=0)
        nw, ne, sw, se = (win[6] == cv), (win[8] == cv), (win[16] == cv), (win[18] == cv)
        checker = (nw & ne) | (ne & se) | (se & sw) | (sw & nw)
        keep = (spread == 0) | (checker & (spread <= 3))
        pts += int(keep.sum())
        if len(first) < 5:
            first += [[int(yy + y0), int(xx)] for yy, xx in zip(ys[keep][:5], xs[keep][:5])]
    return pts, flat, first[:5]


def _lsb(arr: np.ndarray, names: str, pol) -> Out:
    per, total, flat_all, where = {}, 0, 0, []
    for i, name in enumerate(names):
        pts, flat, first = _noise_points(arr[..., i])
        flat_all += flat
        if pts:
            per[name] = pts
            total += pts
            where = where or first
    if total < pol.raster_lsb_min_points or total < pol.raster_lsb_min_share * max(flat_all, 1):
        return []
    return [("review", {"points": total, "by_channel": per, "flat_pixels": flat_all,
                        "first_points": where},
             f"{total} pixels inside flat colour areas stand 1-3 levels above or below all their "
             f"neighbours ({', '.join(f'{k}: {v}' for k, v in per.items())}): a plotting tool "
             "draws flat colours exactly, so this is what data hidden in the lowest bits looks "
             "like (a photograph's sensor noise does the same). The committee cannot see it: ask "
             "the requester to re-export the figure from the plotting tool.",
             f"平坦色塊中有 {total} 個像素比四周鄰點皆高或低 1–3 級"
             f"（{', '.join(f'{k}: {v}' for k, v in per.items())}）：繪圖工具畫出的平坦色塊數值完全一致，"
             "此為最低位元夾帶資料的特徵（照片的感光雜訊亦相似）。委員會肉眼看不出，請申請人由繪圖工具重新匯出。")]


def image_findings(blob: bytes, pol) -> Out:
    """Everything found in one encoded raster image."""
    from PIL import Image

    out: Out = []
    lossy = blob.startswith(b"\xff\xd8\xff") or (blob[:4] == b"RIFF" and b"VP8 " in blob[12:4096])
    ihdr: dict = {}
    if blob.startswith(b"\x89PNG\r\n\x1a\n"):
        types, ihdr, idat = _png_chunks(blob)
        frames = [t.decode("latin-1") for t in types if t in _PNG_FRAMES]
        odd = sorted({t.decode("latin-1", "replace") for t in types
                      if t not in _PNG_KNOWN and t not in _PNG_FRAMES})
        if frames:
            out.append(("block", {"chunks": sorted(set(frames)), "frame_chunks": len(frames)},
                        "The PNG is animated (APNG chunks): frames other than the one a viewer "
                        "shows first carry pictures nobody reviews; submit one still image.",
                        "此 PNG 為動畫（APNG 區塊）：首張以外的影格無人審查，請提交單張靜態影像。"))
        first_idat = types.index(b"IDAT") if b"IDAT" in types else len(types)
        late = sorted({t.decode("latin-1") for t in types[first_idat:] if t in _PNG_TEXT})
        if late:         # Pillow reads these only on load: a metadata reader that opens misses them
            out.append(("block", {"chunks": late, "after_image_data": True},
                        f"The PNG stores text ({', '.join(late)}) after its image data, where "
                        "metadata readers do not look: it can carry data; strip it.",
                        f"此 PNG 在影像資料之後存放文字區塊（{', '.join(late)}），一般中繼資料讀取不會看到，"
                        "可夾帶資料，請移除。"))
        if odd:
            out.append(("block", {"chunks": odd[:10]},
                        f"The PNG holds chunks no viewer shows ({', '.join(odd[:5])}): they can carry "
                        "any data; plotting tools do not write them.",
                        f"此 PNG 含有檢視器不顯示的區塊（{', '.join(odd[:5])}），可夾帶任意資料；"
                        "繪圖工具不會寫入。"))
    try:
        im = Image.open(io.BytesIO(blob))
        w, h = im.size
        if w * h > pol.raster_max_pixels:
            return out + [("block", {"width": w, "height": h},
                           f"The picture is {w}x{h} pixels, more than {pol.raster_max_pixels} are "
                           "checked: it cannot be checked for hidden data and cannot be reviewed.",
                           f"影像為 {w}x{h} 像素，超過可檢查的 {pol.raster_max_pixels} 像素：無法檢查"
                           "是否夾帶資料，亦無法審查。")]
        frames = getattr(im, "n_frames", 1)
        im.load()
    except Exception as e:  # noqa: BLE001 - whatever the decoder says, nobody can see it
        return out + [("block", {"error": f"{type(e).__name__}: {e}"[:200]},
                       f"The picture cannot be decoded ({type(e).__name__}): nobody can see what "
                       "it holds.",
                       f"影像無法解碼（{type(e).__name__}）：無人能確認其內容。")]
    out += _icc(im.info.get("icc_profile"), pol)
    if frames > 1 and not any(s[0] == "block" and "frame_chunks" in s[1] for s in out):
        out.append(("block", {"frames": frames},
                    f"The picture holds {frames} frames: a viewer or the committee may see only "
                    "the first; submit each image as its own still file.",
                    f"此影像含 {frames} 個影格：檢視者或委員會可能只看到第一張，請將每張影像分別提交。"))
    if w * h > pol.raster_review_pixels or max(w, h) > pol.raster_review_side:
        out.append(("review", {"width": w, "height": h},
                    f"The picture is {w}x{h} pixels: on screen a reviewer sees it scaled down, "
                    "so single pixels (and anything written in them) are not seen; look at it at "
                    "full size or ask for a smaller export.",
                    f"影像為 {w}x{h} 像素：審查人在螢幕上只看到縮小版本，個別像素（及其中寫入的內容）"
                    "看不見；請以原尺寸檢視或要求較小的輸出。"))
    if ihdr.get("depth") == 16 and ihdr.get("ctype") in (2, 4, 6):
        got = _png16(blob, ihdr, idat)
        if got is None:
            out.append(("review", {"bit_depth": 16},
                        "A 16-bit colour PNG too large (or interlaced) for the low-byte check: its "
                        "low bytes are invisible at 8-bit display; ask for an 8-bit export.",
                        "16 位元彩色 PNG 過大（或交錯式），未能檢查低位元組；低位元組在 8 位元顯示下看不見，"
                        "請要求以 8 位元匯出。"))
        elif got[0] > pol.raster_hidden_max_pixels:
            out.append(_low_bytes(got[0], got[1]))
    mode = im.mode
    if mode in ("P", "PA"):
        # index choice is checked on the palette; quantising antialiased edges makes isolated
        # near colours by itself, so the low-bit noise statistic is not applied to palettes
        out += _palette(im, pol)
        arr = np.asarray(im.convert("RGBA"))
        return out + _hidden_under_alpha(arr, pol)
    elif mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(im)
        if mode == "F" or arr.min() < 0 or arr.max() > 65535:
            out.append(("block", {"mode": mode},
                        f"The picture stores {'floating-point' if mode == 'F' else '32-bit'} values "
                        "a display cannot show: the invisible part can carry data; export 8-bit.",
                        f"影像儲存{'浮點' if mode == 'F' else '32 位元'}數值，顯示器無法呈現：看不見的部分"
                        "可夾帶資料，請以 8 位元匯出。"))
            return out
        spread = _low_byte_spread(arr.astype(np.uint16)) if arr.max() > 255 else 0
        if spread > pol.raster_hidden_max_pixels:
            out.append(_low_bytes(spread, "L"))
        return out
    bits = getattr(im, "tag_v2", {}).get(258, 8)            # a TIFF's bits per sample
    if max(bits if isinstance(bits, tuple) else (bits,)) > 8:
        # Pillow hands over 8 of them (the I modes above keep 16 and are checked)
        out.append(("review", {"mode": mode, "bits": str(bits)},
                    "A TIFF with more than 8 bits per sample: its low bits are not checked here "
                    "and are invisible at display; ask for an 8-bit export.",
                    "每樣本超過 8 位元的 TIFF：其低位元未經檢查，顯示時亦看不見；請要求以 8 位元匯出。"))
    if mode not in ("RGB", "RGBA", "L", "LA"):
        if mode == "1":
            return out
        im = im.convert("RGBA" if "A" in mode or "transparency" in im.info else "RGB")
    if im.mode in ("RGB", "L") and "transparency" in im.info:
        im = im.convert("RGBA" if im.mode == "RGB" else "LA")
    arr = np.asarray(im)
    if arr.ndim == 2:
        arr = arr[..., None]
    if im.mode in ("RGBA", "LA"):
        out += _hidden_under_alpha(arr, pol)
    if not lossy:
        out += _lsb(arr, im.mode, pol)
    return out


# ICC tag signatures of the specification (v2 and v4); a profile's other tags are private
_ICC_TAGS = frozenset(b"""desc cprt wtpt bkpt rXYZ gXYZ bXYZ rTRC gTRC bTRC kTRC chad dmnd dmdd vued view lumi
meas tech A2B0 A2B1 A2B2 B2A0 B2A1 B2A2 D2B0 D2B1 D2B2 D2B3 B2D0 B2D1 B2D2 B2D3 gamt pre0 pre1 pre2
chrm clro clrt ncl2 ncol pseq psid resp rig0 rig2 ciis targ calt cicp mmod scrd devs""".split()) | {b"bfd "}


def _icc(profile, pol) -> Out:
    """A colour profile's bytes are not shown: only a well-formed one of a standard profile's
    size passes.  Plotting tools write none; sRGB profiles are 0.5-3 KB (v4's 60 KB)."""
    if not profile:
        return []
    b = bytes(profile)
    where = {"icc_profile_bytes": len(b)}
    bad = None
    if len(b) < 132 or b[36:40] != b"acsp" or int.from_bytes(b[:4], "big") != len(b):
        bad = "its header does not describe it"
    else:
        n = int.from_bytes(b[128:132], "big")
        table_end = 132 + 12 * n
        if n > 200 or table_end > len(b):
            bad = "its tag table does not fit in it"
        else:
            used = np.zeros(len(b), dtype=bool)
            used[:table_end] = True
            private = []
            for k in range(n):
                sig, off, size = b[132 + 12 * k:136 + 12 * k], *(int.from_bytes(
                    b[136 + 12 * k + 4 * j:140 + 12 * k + 4 * j], "big") for j in range(2))
                if off < table_end or off + size > len(b):
                    bad = f"tag {sig!r} points outside it"
                    break
                used[off:off + size + (-size % 4)] = True       # data padded to 4 bytes
                if sig not in _ICC_TAGS:
                    private.append(sig.decode("latin-1", "replace"))
            if bad is None and (~used).sum() > 3:
                bad = f"{int((~used).sum())} of its bytes belong to no tag"
            elif bad is None and private:
                where["private_tags"] = private[:10]
                return [("review", where,
                         f"The picture's colour profile holds private tags ({', '.join(private[:5])}) "
                         "whose bytes nobody sees; ask for an export without a colour profile.",
                         f"影像的色彩描述檔含有私有標籤（{', '.join(private[:5])}），其內容無人看得到；"
                         "請要求不含色彩描述檔的輸出。")]
    if bad:
        return [("block", where,
                 f"The picture's colour profile is not a well-formed ICC profile ({bad}): its bytes "
                 "are not shown and can carry data.",
                 f"影像的色彩描述檔不是格式正確的 ICC 描述檔（{bad}）：其內容不會顯示，可夾帶資料。")]
    if len(b) > pol.raster_icc_max_bytes:
        return [("review", where,
                 f"The picture carries a colour profile of {len(b)} bytes (a standard one is "
                 "0.5-3 KB, plotting tools write none): its tables are not shown and can carry "
                 "data; ask for an export without a colour profile.",
                 f"影像附帶 {len(b)} 位元組的色彩描述檔（標準者約 0.5–3 KB，繪圖工具不會寫入）："
                 "其表格不會顯示，可夾帶資料；請要求不含色彩描述檔的輸出。")]
    return []


def _low_bytes(n: int, chans: str):
    return ("block", {"pixels": n, "channels": chans, "bit_depth": 16},
            f"{n} pixel values of a 16-bit picture have low bytes that vary independently of what "
            "is shown: an 8-bit display shows only the high byte, so the low bytes can carry data; "
            "export 8-bit.",
            f"16 位元影像中有 {n} 個像素值的低位元組與可見內容無關地變化：8 位元顯示只呈現高位元組，"
            "低位元組可夾帶資料，請以 8 位元匯出。")


def _embedded_extras(blob: bytes) -> Out:
    """Metadata and trailing bytes of an embedded image (smuggling reads standalone files only)."""
    from PIL import Image

    from egress_review.engine.smuggling import BENIGN_IMAGE_META

    out: Out = []
    end = None
    if blob.startswith(b"\x89PNG"):
        i = blob.rfind(b"IEND")
        end = i + 8 if i >= 0 else None
    elif blob.startswith(b"\xff\xd8\xff"):
        i = blob.rfind(b"\xff\xd9")
        end = i + 2 if i >= 0 else None
    if end is not None and len(blob) - end > 16:
        out.append(("block", {"trailing_bytes": len(blob) - end},
                    f"{len(blob) - end} bytes are appended after the end of the embedded image.",
                    f"內嵌影像結尾之後附加了 {len(blob) - end} 個位元組。"))
    try:
        with Image.open(io.BytesIO(blob)) as im:
            im.load()             # text chunks after the image data are read only now
            keys = sorted(str(k) for k, v in (im.info or {}).items()
                          if isinstance(v, (str, bytes)) and k not in ("icc_profile", "exif")
                          and (k not in BENIGN_IMAGE_META or len(v) > 200))
            if im.getexif():
                keys.append("exif")
    except Exception:  # noqa: BLE001 - image_findings reports what cannot be decoded
        keys = []
    if keys:
        out.append(("block", {"metadata_keys": keys[:20]},
                    f"The embedded image carries metadata beyond the plotting tool's tags "
                    f"({', '.join(keys[:5])}): it can carry data or identifiers; strip it.",
                    f"內嵌影像含有繪圖工具以外的中繼資料（{', '.join(keys[:5])}），可能夾帶資料或識別資訊，請移除。"))
    return out


def _embedded(ctx: Context, spec: ManifestFile, raw: bytes) -> list[tuple[dict, str, str]]:
    """(location, mime, base64) of every image inside a notebook or a text file."""
    import json

    found: list[tuple[dict, str, str]] = []
    if spec.kind == "notebook" or spec.path.lower().endswith(".ipynb"):
        text = decode(raw)
        try:
            nb = json.loads(text or "")
        except ValueError:
            return found              # not JSON: smuggling/structure say so
        if isinstance(nb, dict):
            found += [({"cell_index": ci, "mime": m}, m, b) for ci, m, b in notebook_segments(nb)[1]]
        return found
    if b"data:image/" not in raw:
        return found
    text = decode(raw)
    if text:
        found += [({"offset": off, "mime": m}, m, b) for off, m, b in strip_data_uris(text)[1]]
    return found


def check_file(ctx: Context, spec: ManifestFile) -> None:
    full = ctx.full(spec)
    raw = full.read_bytes()
    pol = ctx.policy
    if not pol.raster_covert_checks:
        return

    def report(items: Out, base: dict) -> None:
        for sev, loc, en, zh in items:
            ctx.add(rule=RULE, check=CHECK, severity=sev, file=spec.path, location={**base, **loc},
                    en=en, zh=zh)

    if full.suffix.lower() in IMAGE_SUFFIXES or (spec.kind == "figure" and raw.startswith(_RASTER_MAGIC)) \
            or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"):
        report(image_findings(raw, pol), {})
        return
    for loc, mime, b64 in _embedded(ctx, spec, raw):
        if mime == "image/svg+xml":
            try:               # an SVG inside: its own data: URIs are pictures too
                inner = decode(base64.b64decode(b64)) or ""
            except (binascii.Error, ValueError):
                inner = ""
            items = [(loc, m, b) for _, m, b in strip_data_uris(inner)[1] if m != "image/svg+xml"]
        else:
            items = [(loc, mime, b64)]
        for where, _, data in items:
            try:
                blob = base64.b64decode(data, validate=False)
            except (binascii.Error, ValueError) as e:
                report([("block", {"error": str(e)[:100]},
                         "An embedded image is not valid base64: it cannot be decoded or seen.",
                         "內嵌影像不是有效的 base64：無法解碼，亦無法檢視。")], where)
                continue
            report(_embedded_extras(blob) + image_findings(blob, pol), where)
