"""E1/E7: words and tables carried inside model weights are read, not only the weights' name.

A red team declared a frequency table a model by putting it inside one: in a safetensors
header's ``__metadata__``, a Keras archive's ``metadata.json`` or ``config.json``, a text
member of a PyTorch zip (``archive/extra/notes``, ``archive/data/0``), or as a run of text in
the bytes of a ``.bin`` / ``.onnx``.  The file went to the committee as weights ("numbers with
no readable meaning") and the count of 3 in it was never named.  Here the text such a file
carries - metadata values, archive members that are text, and runs of printable characters
holding a digit - is read like any text file, so a table or a sentence in it meets the same
checks.  Only adds: the weights still go to the committee.
"""
from __future__ import annotations

import io
import json
import re
import struct
import zipfile

from egress_review.engine.readers import Content, format_of, read_content
from egress_review.engine.readers.text_decode import decode_text

# Formats whose bytes are numbers with no readable meaning (readers/__init__.FORMATS).
_WEIGHTS = {"model weights", "array or database"}
MAX_TEXT = 200_000          # characters read from one file: enough for any table worth leaving
MAX_MEMBERS = 500
MAX_BLOCKS = 300            # blocks of text read from one file (each is read on its own)
MAX_MEMBER_BYTES = 2_000_000
# text in binary bytes: no control character, no byte that is not UTF-8 (decoded as U+FFFD),
# at least 12 characters long (random bytes rarely give 12 in a row)
_RUN = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]{12,}")


_SEPARATORS = re.compile(r"[\s,;:|，：；、]")
_WORDISH = re.compile(r"[^\W\d_]{2}")


def _runs(raw: bytes) -> list[str]:
    """Runs of text in binary bytes that hold a digit (a name alone is no number); about a
    second for 20 MB (a request is at most ``max_request_bytes``)."""
    out, size = [], 0
    for m in _RUN.finditer(raw.decode("utf-8", "replace")):
        chunk = m.group(0)
        # words and figures laid out as text (separators, a word of two letters): random
        # bytes seldom are, a table or a sentence always is
        if any(ch.isdigit() for ch in chunk) and len(_SEPARATORS.findall(chunk)) >= 2 \
                and _WORDISH.search(chunk):
            out.append(chunk.strip("\r\n"))
            size += len(chunk)
            if size > MAX_TEXT or len(out) >= MAX_BLOCKS:
                break
    return out


def _leaves(obj, key: str = "") -> list[str]:
    """Each value of decoded JSON as its own block, headed by its key: a CSV written into one
    string ("region,persons\\nA,120 …") becomes its lines again."""
    if isinstance(obj, dict):
        return [t for k, v in obj.items() for t in _leaves(v, f"{key}.{k}" if key else str(k))]
    if isinstance(obj, list):
        return [t for i, v in enumerate(obj) for t in _leaves(v, f"{key}[{i}]")]
    return [f"{key}:\n{obj}" if isinstance(obj, str) and "\n" in obj else f"{key}: {obj}"]


def _as_text(text: str) -> list[str]:
    """JSON text as its values, one block each; other text as it is."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return _leaves(json.loads(text))
        except ValueError:
            pass
    return [text]


def _safetensors_metadata(raw: bytes) -> list[str] | None:
    if len(raw) < 8:
        return None
    (n,) = struct.unpack("<Q", raw[:8])
    if not 2 <= n <= min(len(raw) - 8, 100_000_000):
        return None
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    return _leaves(meta) if isinstance(meta, dict) else []


def _members(raw: bytes) -> list[tuple[str, str]]:
    """(member name, text block) of every archive member whose bytes are text."""
    out = []
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        infos = z.infolist()[:MAX_MEMBERS]
        for info in infos:
            if info.is_dir() or info.file_size > MAX_MEMBER_BYTES or info.filename.endswith(".pkl"):
                continue            # a pickle is never opened (smuggling); its strings are code
            text = decode_text(z.read(info))
            if text and any(ch.isdigit() for ch in text):
                out += [(info.filename, block) for block in _as_text(text[:MAX_TEXT])]
    # (zipfile raises NotImplementedError for a compression method it cannot decompress)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return out                  # a broken package: smuggling reports it; the weights go to the committee
    return out


def texts(raw: bytes, name: str) -> list[tuple[str, dict]]:
    """(text, where) of each block of text carried inside a weights file: read one by one, so
    that no table runs on into the next block (the printed-table reader joins them)."""
    if raw[:4] == b"PK\x03\x04":
        out = [(t, {"member": m}) for m, t in _members(raw)]
    elif name.lower().endswith(".safetensors") and (meta := _safetensors_metadata(raw)) is not None:
        out = [(t, {"part": "safetensors __metadata__"}) for t in meta]
    else:
        out = [(t, {"part": "text runs in the bytes"}) for t in _runs(raw)]
    kept, size = [], 0
    for t, where in out[:MAX_BLOCKS]:
        if t.strip() and size < MAX_TEXT:
            kept.append((t[:MAX_TEXT - size], where))
            size += len(t)
    return kept


def carried(raw: bytes, name: str, kind: str) -> Content | None:
    """What the text inside a model or weights file says, read as text; None if it holds none."""
    fmt = format_of(name)
    if kind != "model" and (fmt is None or fmt.name not in _WEIGHTS):
        return None
    if fmt is not None and fmt.name not in _WEIGHTS and fmt.reader is not None:
        return None                 # a readable format declared a model: its reader read it
    out = Content("model text")
    for text, where in texts(raw, name):
        out.extend(read_content(text.encode("utf-8"), name + ".txt"), where)
    return out if out.units or out.unread else None
