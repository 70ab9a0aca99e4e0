"""One reader per file format, chosen by extension and confirmed by content (magic bytes).

:data:`FORMATS` is the list the engine knows: each entry either has a reader (the file is
turned into units, see :mod:`.model`) or is a review-only format (known, but nothing here can
read its numbers: the file goes to a reviewer with that reason).  A file that matches no entry
is unknown and goes to review too: nothing is passed unread.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from egress_review.engine.readers.model import (Content, ImageUnit, ModelSummary, OpaqueUnit,
                                                TableUnit, TextUnit, Unread)
from egress_review.engine.readers.text_decode import text_or_unread

__all__ = ["FORMATS", "Format", "read_content", "format_of", "Content", "TableUnit", "TextUnit",
           "ImageUnit", "OpaqueUnit", "ModelSummary", "Unread"]


def _plain(raw: bytes, name: str) -> Content:
    from egress_review.engine.readers.printed import read_printed

    unread = Content("text")
    if (text := text_or_unread(raw, unread)) is None:
        return unread
    c = read_printed(text)
    c.fmt = "text"
    for u in c.units:
        if isinstance(u, TextUnit):
            u.file_lines = True
    return c


def _image(raw: bytes, name: str) -> Content:
    c = Content("image")
    c.add(ImageUnit(Path(name).suffix.lower().lstrip(".") or "image", "", {}))
    # words stored with the picture (PNG text chunks, EXIF descriptions, GIF comments) leave
    # with it: a count written there is read like any sentence
    for key, text in image_words(raw):
        c.add(TextUnit(text, {"metadata": key}))
    return c


# EXIF tags that hold words: ImageDescription, Make/Model/Software/Artist, Copyright,
# UserComment, XPTitle/XPComment/XPAuthor/XPKeywords/XPSubject
_EXIF_WORDS = {270: "ImageDescription", 315: "Artist", 33432: "Copyright", 37510: "UserComment",
               40091: "XPTitle", 40092: "XPComment", 40093: "XPAuthor", 40094: "XPKeywords",
               40095: "XPSubject"}


def _as_words(v) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        for enc in ("utf-16-le", "utf-8", "latin-1") if v[1:2] == b"\0" else ("utf-8", "latin-1"):
            try:
                return v.decode(enc).replace("\0", "").removeprefix("ASCII").removeprefix("UNICODE")
            except UnicodeDecodeError:
                continue
    return None


def image_words(raw: bytes) -> list[tuple[str, str]]:
    """(key, words) of every text an image file carries beside its pixels."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        im = Image.open(io.BytesIO(raw))
    except (UnidentifiedImageError, OSError, ValueError):
        return []
    out = []
    for key, v in {**im.info, **getattr(im, "text", {})}.items():
        if key in ("exif", "icc_profile", "transparency", "dpi"):
            continue
        words = _as_words(v)
        if words and words.strip():
            out.append((str(key), f"{key}: {words.strip()}"))
    try:
        exif = im.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block: the smuggling check reports it
        exif = {}
    for tag, key in _EXIF_WORDS.items():
        words = _as_words(exif.get(tag)) if tag in exif else None
        if words and words.strip():
            out.append((key, f"{key}: {words.strip()}"))
    return out


def _svg(raw: bytes, name: str) -> Content:
    from egress_review.engine.readers.markup import read_html

    c = read_html(raw, name, xml=True)
    c.fmt = "svg"
    c.units.insert(0, ImageUnit("image/svg+xml", "", {}))
    return c


def _reader(module: str, fn: str) -> Callable[[bytes, str], Content]:
    def call(raw: bytes, name: str) -> Content:
        import importlib

        return getattr(importlib.import_module(f"egress_review.engine.readers.{module}"), fn)(raw, name)
    call.__name__ = f"{module}.{fn}"
    return call


@dataclass(frozen=True)
class Format:
    name: str
    suffixes: tuple[str, ...]
    reader: Callable[[bytes, str], Content] | None    # None: review-only
    magic: tuple[str, ...] = ()                        # smuggling.MAGIC names it may carry
    review_reason: str = ""


FORMATS: list[Format] = [
    Format("csv", (".csv", ".tsv", ".tab"), _reader("delimited", "read")),
    Format("xlsx", (".xlsx", ".xlsm"), _reader("spreadsheet", "read_xlsx"), ("zip",)),
    Format("ods", (".ods",), _reader("spreadsheet", "read_ods"), ("zip",)),
    Format("parquet", (".parquet", ".pq"), _reader("columnar", "read"), ("parquet",)),
    Format("arrow", (".feather", ".arrow", ".ipc", ".arrows"), _reader("columnar", "read")),
    Format("json", (".json", ".geojson", ".vl.json", ".vg.json", ".jsonl", ".ndjson", ".jsonlines"),
           _reader("structured", "read_json")),
    Format("yaml", (".yaml", ".yml"), _reader("structured", "read_yaml")),
    Format("toml", (".toml",), _reader("structured", "read_toml")),
    Format("html", (".html", ".htm", ".xhtml"), _reader("markup", "read_html")),
    Format("markdown", (".md", ".markdown", ".rmd", ".qmd"), _reader("markup", "read_markdown")),
    Format("notebook", (".ipynb",), _reader("notebook", "read")),
    Format("pdf", (".pdf",), _reader("documents", "read_pdf"), ("pdf",)),
    Format("docx", (".docx",), _reader("documents", "read_docx"), ("zip",)),
    Format("text", (".txt", ".log", ".out", ".lst", ".tex", ".rtf_text", ".smcl"), _plain),
    Format("code", (".py", ".r", ".sql", ".sas", ".do", ".ado", ".stata", ".sh", ".jl", ".js",
                    ".sps", ".m"), _reader("code", "read")),
    Format("svg", (".svg",), _svg),
    Format("image", (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".dcm"),
           _image, ("png", "jpeg", "gif", "bmp", "tiff", "riff")),
    # Known formats nothing here reads: a person checks them.
    Format("legacy office", (".xls", ".doc", ".ppt", ".pptx", ".rtf", ".odt", ".odp"), None, ("zip",),
           "a legacy or presentation office format the checks cannot read"),
    Format("statistical data", (".dta", ".sav", ".sas7bdat", ".xpt", ".rds", ".rdata", ".rda"), None,
           (), "a statistical package's data file the checks cannot read"),
    Format("array or database", (".npy", ".npz", ".h5", ".hdf5", ".sqlite", ".db", ".duckdb",
                                 ".pkl", ".pickle", ".joblib"), None,
           ("npy", "hdf5", "sqlite", "zip"), "a binary data store the checks cannot read"),
    Format("model weights", (".pt", ".pth", ".ckpt", ".onnx", ".safetensors", ".keras", ".pb",
                             ".tflite", ".bin"), None, ("zip", "hdf5"),
           "model weights: numbers with no readable meaning (committee path)"),
    Format("archive", (".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar"), None,
           ("zip", "gzip", "bzip2", "xz", "7z", "rar", "tar"), "an archive hides its content"),
    Format("executable", (".exe", ".dll", ".so", ".elf"), None, ("elf", "exe"),
           "a program binary"),
]
_BY_SUFFIX = {s: f for f in FORMATS for s in f.suffixes}


def format_of(name: str) -> Format | None:
    lower = name.lower()
    for f in FORMATS:          # multi-part suffixes first (.vl.json)
        for s in f.suffixes:
            if s.count(".") > 1 and lower.endswith(s):
                return f
    return _BY_SUFFIX.get(Path(lower).suffix)


# Text formats whose reader looks for its own structure: a CSV saved under their name (a
# table in a .svg, .md, .json …) would be read as prose, an invalid document or nothing.
_TEXT_MARKUP = {"json", "yaml", "toml", "html", "markdown", "svg"}
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)


def _content_inside(raw: bytes, name: str, content: Content, fmt: str) -> None:
    """Text whose content is another format than its name says is also read as what it is:
    delimited records under a markup name, an HTML table or a notebook under a text name."""
    import json

    from egress_review.engine.readers.code import _looks_like_records
    from egress_review.engine.readers.delimited import read as read_delimited

    if fmt not in _TEXT_MARKUP | {"text"}:
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    # (a Markdown pipe table with its rule line is the Markdown reader's, not records)
    if fmt in _TEXT_MARKUP and _looks_like_records(text) \
            and not (fmt == "markdown" and _MD_RULE.search(text)):
        content.extend(read_delimited(raw, name + ".csv"), {"part": "records"})
    if fmt == "text" and "=" in text:
        # a program pasted into a .txt (MATLAB, R): its count-named vectors and matrices
        from egress_review.engine.readers.program_arrays import program_arrays

        for unit in program_arrays(text):
            content.add(unit)
    if fmt in ("markdown", "html"):
        # a LaTeX tabular, or a table typed into <pre>, in a page is a table, not a sentence
        from egress_review.engine.readers.printed import page_tables

        for unit in page_tables(text):
            content.add(unit)
    if fmt not in ("html", "svg", "markdown") and re.search(r"<table[\s>]", text, re.I):
        from egress_review.engine.readers.markup import read_html

        content.extend(read_html(raw, name + ".html"), {"part": "html"})
    if fmt != "notebook" and '"nbformat"' in text[:200_000]:
        try:
            doc = json.loads(text)
        except ValueError:
            return
        if isinstance(doc, dict) and "cells" in doc and "nbformat" in doc:
            from egress_review.engine.readers.notebook import read as read_notebook

            content.extend(read_notebook(raw, name + ".ipynb"), {"part": "notebook"})


def read_content(raw: bytes, name: str, **options) -> Content:
    """Every unit of one file.  ``options`` go to the reader (``skip_sheet`` for a workbook
    whose declared sheet the table checks read).  Never raises: what cannot be read is an
    :class:`Unread` part or an :class:`OpaqueUnit`."""
    from egress_review.engine.readers.text_decode import decode_text as _decode_text

    fmt = format_of(name)
    if fmt is None:
        c = Content("unknown")
        c.add(OpaqueUnit(f"a file of unknown format ({Path(name).suffix or 'no extension'})", {}))
        # (Unicode with a byte-order mark is text too: text_decode reads UTF-16/32 by it)
        if raw[:4] != b"PK\x03\x04" and (b"\0" not in raw[:4096] or _decode_text(raw) is not None):
            try:                  # text under no known name: still read for what it states
                c.extend(_plain(raw, name), {"part": "as text"})
                _content_inside(raw, name, c, "text")
            except Exception:  # noqa: BLE001 - the opaque unit already sends it to review
                pass
        return c
    if fmt.reader is None:
        c = Content(fmt.name)
        c.add(OpaqueUnit(fmt.review_reason, {}))
        return c
    max_unpacked = options.pop("max_unpacked", None)
    if max_unpacked is not None and raw[:4] == b"PK\x03\x04":
        import io
        import zipfile

        try:
            unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
        except (zipfile.BadZipFile, OSError):
            unpacked = 0      # the reader reports the broken package
        if unpacked > max_unpacked:
            c = Content(fmt.name)
            c.fail({}, f"the package unpacks to {unpacked:,} bytes (more than {max_unpacked:,}): "
                       "not opened")
            return c
    try:
        if options and fmt.name == "xlsx":
            from egress_review.engine.readers.spreadsheet import read_xlsx

            return read_xlsx(raw, name, **options)
        content = fmt.reader(raw, name)
        _content_inside(raw, name, content, fmt.name)
        return content
    except Exception as e:  # a reader bug on odd input: the file goes to review, never passes
        c = Content(fmt.name)
        c.fail({}, f"the {fmt.name} reader failed ({type(e).__name__}: {e})")
        return c

