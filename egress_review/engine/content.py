"""Text content of exported files, with where each piece came from (shared by the E7 checks)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# the readers' decoder, under the name the E7 checks use: one rule for what counts as text
from egress_review.engine.readers.text_decode import decode_text as decode  # noqa: F401

_DIGITS = re.compile(r"\D")
DATA_URI = re.compile(r"data:(image/[\w+.-]+);base64,([A-Za-z0-9+/=\s]+)")


_SVG_ATTR = re.compile(r'(\s)([\w:.-]+)(\s*=\s*)(["\'])(.*?)\4', re.DOTALL)
_SVG_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_TEXT_ATTRS = {"aria-label", "title", "alt", "content", "name", "value", "label"}


def svg_readable(text: str) -> str:
    """The parts of SVG/HTML markup a reader sees (text, comments, labels); geometry, ids,
    styles blanked with spaces (same length, so offsets stay true)."""
    def attr(m):
        if m.group(2).lower() in _TEXT_ATTRS or m.group(5).startswith("data:"):
            return m.group(0)
        return m.group(1) + m.group(2) + m.group(3) + m.group(4) + " " * len(m.group(5)) + m.group(4)

    text = _SVG_ATTR.sub(attr, text)
    return _SVG_STYLE.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(3), text)


def strip_data_uris(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Blank embedded ``data:image/...;base64`` images (same length, offsets kept) and return
    them as (offset, mime, base64): a figure's raster is an image, not text or a blob."""
    found: list[tuple[int, str, str]] = []

    def blank(m):
        found.append((m.start(), m.group(1), re.sub(r"\s", "", m.group(2))))
        return " " * len(m.group(0))

    return DATA_URI.sub(blank, text), found
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}


@dataclass
class Segment:
    text: str
    location: dict            # base location (cell_index, part, ...); 'line' is added per hit
    code: bool = False        # program source (literal/precision checks apply)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def notebook_segments(nb: dict) -> tuple[list[Segment], list[tuple[int, str, str]]]:
    """Sources and text outputs of a notebook, plus its embedded images (cell, mime, base64)."""
    segs: list[Segment] = []
    images: list[tuple[int, str, str]] = []
    for ci, cell in enumerate(nb.get("cells", [])):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        segs.append(Segment(src, {"cell_index": ci, "part": "source"},
                            code=cell.get("cell_type") == "code"))
        for oi, out in enumerate(cell.get("outputs", []) or []):
            if "text" in out:
                t = out["text"]
                segs.append(Segment("".join(t) if isinstance(t, list) else str(t),
                                    {"cell_index": ci, "output": oi, "part": "stream"}))
            for mime, data in (out.get("data") or {}).items():
                body = "".join(data) if isinstance(data, list) else data
                if mime.startswith("image/") and mime != "image/svg+xml":
                    images.append((ci, mime, str(body)))
                elif isinstance(body, str):
                    if mime in ("text/html", "image/svg+xml"):
                        body, embedded = strip_data_uris(body)
                        images.extend((ci, m, b) for _, m, b in embedded)
                        if mime == "image/svg+xml":
                            body = svg_readable(body)
                    segs.append(Segment(body, {"cell_index": ci, "output": oi, "part": mime}))
                else:
                    segs.append(Segment(json.dumps(body, ensure_ascii=False),
                                        {"cell_index": ci, "output": oi, "part": mime}))
        for name, att in (cell.get("attachments") or {}).items():
            for mime, data in att.items():
                images.append((ci, mime, str(data)))
    meta = nb.get("metadata")
    if meta:
        segs.append(Segment(json.dumps(meta, ensure_ascii=False), {"part": "metadata"}))
    return segs, images


def image_metadata(path: Path) -> dict[str, str]:
    """PNG text chunks, EXIF and other info of an image (empty if unreadable)."""
    from PIL import Image

    out: dict[str, str] = {}
    try:
        with Image.open(path) as im:
            for k, v in (im.info or {}).items():
                if isinstance(v, (str, bytes)) and k not in ("icc_profile", "exif"):
                    out[str(k)] = v.decode("latin-1") if isinstance(v, bytes) else v
            exif = im.getexif()
            for tag, v in exif.items():
                out[f"exif:{tag}"] = str(v)
            for ifd_tag in (0x8825, 0x8769):          # GPS and Exif sub-IFDs
                try:
                    sub = exif.get_ifd(ifd_tag)
                except Exception:
                    sub = {}
                for tag, v in sub.items():
                    out[f"exif:{ifd_tag:x}:{tag}"] = str(v)
    except Exception:
        return {}
    return out


def segments(root: Path, spec, table=None) -> list[Segment]:
    """All text of one file a reader (or a program) could get at."""
    full = root / spec.path
    if spec.kind == "table" and table is not None:
        segs = [Segment("\n".join(table.columns), {"part": "header"})]
        for col in table.columns:
            texts = table.text(col).tolist()
            role = table.role(col)
            if role is not None and role.role != "group":
                # plain short numbers cannot be identifiers: blank them (keeps row = line)
                nums = table.numeric(col)
                texts = ["" if (n == n and len(_DIGITS.sub("", t)) < 8) else t
                         for t, n in zip(texts, nums)]
                if not any(texts):
                    continue
            segs.append(Segment("\n".join(texts), {"column": col, "part": "column"}))
        return segs
    suffix = full.suffix.lower()
    raw = full.read_bytes()
    if spec.kind == "notebook" or suffix == ".ipynb":
        text = decode(raw)
        try:
            nb = json.loads(text or "")
        except ValueError:
            return [Segment(text or "", {"part": "raw"})]
        return notebook_segments(nb)[0]
    if suffix in IMAGE_SUFFIXES:
        meta = image_metadata(full)
        return [Segment(f"{k}: {v}", {"part": "image metadata", "key": k}) for k, v in meta.items()]
    text = decode(raw)
    if text is None:
        return []
    if spec.kind == "figure" or suffix in (".svg", ".html", ".htm"):
        text, _ = strip_data_uris(text)
        if suffix == ".svg" or text.lstrip().startswith(("<?xml", "<svg")):
            text = svg_readable(text)
    return [Segment(text, {"part": "text"}, code=spec.kind == "code")]
