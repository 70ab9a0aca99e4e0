"""Files carried inside a text file of an import (D4).

A notebook's cell attachments and its image or file outputs are base64 inside the JSON, and
any Markdown, HTML, SVG or JSON text can carry ``data:`` URIs.  Before, a CSV of persons
attached to a Markdown cell passed: the notebook was read as sources and text outputs, and
attachments only as images.  Each carried file is now handed back to be checked as a file of
its own (``nb.ipynb!attachment-3-people.csv``), archives and all.  A payload that does not
decode is reported, never skipped.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

# The payload runs to the first character base64 and percent-encoding cannot hold: linear.
DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+=[\w.+%-]+)*)(;base64)?,([A-Za-z0-9+/=%._~!$&*-]*)",
                      re.IGNORECASE)
_SUFFIX = {"text/csv": ".csv", "text/tab-separated-values": ".tsv", "text/plain": ".txt",
           "application/json": ".json", "text/html": ".html", "text/markdown": ".md",
           "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/tiff": ".tiff",
           "image/bmp": ".bmp", "image/webp": ".webp", "application/pdf": ".pdf",
           "application/zip": ".zip", "application/gzip": ".gz", "application/x-tar": ".tar",
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
           "application/vnd.apache.parquet": ".parquet", "application/dicom": ".dcm"}
_TEXT_OUTPUTS = ("text/", "application/json", "application/javascript", "image/svg+xml")
MIN_PAYLOAD = 16   # shorter payloads carry no file worth the name


@dataclass
class Carried:
    name: str              # member name: where in the file it sat, with a suffix from its type
    data: bytes | None     # None: the payload did not decode
    why: str = ""          # the decode error


def _decode(payload: str, b64: bool) -> bytes:
    if b64:
        compact = re.sub(r"\s+", "", unquote_to_bytes(payload).decode("ascii", "replace"))
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    return unquote_to_bytes(payload)


def _suffix(mime: str | None, name: str = "") -> str:
    if "." in name.rsplit("/", 1)[-1]:
        return ""
    return _SUFFIX.get((mime or "").lower(), ".dat")   # not .bin: that is a model suffix


def _one(name: str, mime: str | None, payload: str, b64: bool) -> Carried:
    if b64 and not _looks_base64(payload) and "%" not in payload:
        return Carried(name + _suffix(mime, name), payload.encode("utf-8"))   # a text payload
    try:
        return Carried(name + _suffix(mime, name), _decode(payload, b64))
    except (binascii.Error, ValueError) as e:
        return Carried(name + _suffix(mime, name), None, f"{type(e).__name__}: {e}")


def data_uris(text: str, where: str) -> list[Carried]:
    out: list[Carried] = []
    for k, m in enumerate(DATA_URI.finditer(text)):
        if len(m.group(4)) < MIN_PAYLOAD:
            continue
        out.append(_one(f"{where}data-uri-{k}", m.group(1), m.group(4), bool(m.group(3))))
    return out


def _texts(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_files(nb: dict) -> list[Carried]:
    """Attachments, non-text outputs and data: URIs of every cell of a notebook."""
    out: list[Carried] = []
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for ci, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict):
            continue
        out += data_uris(_texts(cell.get("source", "")), f"cell-{ci}-")
        atts = cell.get("attachments") or {}
        for fname, bundle in (atts.items() if isinstance(atts, dict) else []):
            for mime, payload in (bundle.items() if isinstance(bundle, dict) else []):
                out.append(_one(f"attachment-{ci}-{fname}", mime, _texts(payload), True))
        for oi, output in enumerate(cell.get("outputs") or []):
            data = output.get("data") if isinstance(output, dict) else None
            for mime, payload in (data.items() if isinstance(data, dict) else []):
                if not isinstance(payload, (str, list)):
                    continue
                body = _texts(payload)
                if mime.startswith(_TEXT_OUTPUTS):
                    out += data_uris(body, f"output-{ci}-{oi}-")
                else:
                    out.append(_one(f"output-{ci}-{oi}", mime, body, True))
    return out


def _looks_base64(body: str) -> bool:
    compact = re.sub(r"\s+", "", body)
    return len(compact) >= MIN_PAYLOAD and re.fullmatch(r"[A-Za-z0-9+/]+=*", compact) is not None


def carried_files(name: str, data: bytes) -> list[Carried]:
    """Every file carried inside a text leaf (empty when it carries none or is not text)."""
    if b"data:" not in data and not name.lower().endswith(".ipynb"):
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if name.lower().endswith(".ipynb"):
        try:
            return notebook_files(json.loads(text))
        except ValueError:
            pass   # not JSON: its data: URIs below, and the text checks read the rest
    # JSON escapes a payload's slashes and line breaks; the scan reads them unescaped
    return data_uris(text.replace("\\/", "/").replace("\\n", ""), "")
