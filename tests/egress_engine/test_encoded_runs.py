"""Bytes written as text in the binary-to-text encodings other than plain base64/hex (E7): hex
dumps and hex with separators, escapes (\\x, \\u, octal), 0x lists, percent-encoding,
quoted-printable, uuencode, ASCII85/base85, character references, base64 in spaced groups and
decimal byte lists.  Before egress_review/engine/encoded_runs.py these reached a reviewer as
"numbers that need a reviewer" or passed; each payload below is written in each encoding and
goes through the real engine as a text file, a notebook output and a program's string.
Ordinary texts with numbers (series, tables, dates, checksums, UUIDs, code) are not taken for
encodings."""
from __future__ import annotations

import base64
import codecs
import gzip
import json
import random

import numpy as np
import pytest

from tests.egress_engine.conftest import said

IDS = ["A123456789", "F131104093", "B220546730", "N125773484", "T201383915"]
PAYLOADS = {
    "id-list": ("pid,birth,sex\n" + "\n".join(f"{i},1950-01-0{n + 1},M" for n, i in enumerate(IDS))).encode(),
    "chinese-names": "王小明,1950-03-04\n林美雲,1948-11-02\n陳志豪,1961-07-30\n".encode("utf-8"),
    "small-counts-utf16": "區域,人數\n台東,3\n澎湖,2\n金門,1\n".encode("utf-16-le"),
    "gzip-file": gzip.compress(b"pid,age\n" + b"\n".join(i.encode() + b",71" for i in IDS), mtime=0),
}


def _hexdump(b: bytes) -> str:
    """hexdump -C's layout: offset, 16 pairs, the characters (the offsets split the runs)."""
    out = []
    for i in range(0, len(b), 16):
        chunk = b[i:i + 16]
        out.append(f"{i:08x}  " + " ".join(f"{x:02x}" for x in chunk).ljust(48) + " |"
                   + "".join(chr(x) if 32 <= x < 127 else "." for x in chunk) + "|")
    return "\n".join(out)


def _xxd(b: bytes) -> str:
    out = []
    for i in range(0, len(b), 16):
        chunk = b[i:i + 16].hex()
        out.append(f"{i:08x}: " + " ".join(chunk[j:j + 4] for j in range(0, len(chunk), 4)))
    return "\n".join(out)


ENCODINGS = {
    "hex-spaced": lambda b: b.hex(" "),
    "hex-colon": lambda b: b.hex(":"),
    "hex-dash-upper": lambda b: b.hex("-").upper(),
    "hexdump-C": _hexdump,
    "xxd-groups": _xxd,
    "hex-escapes": lambda b: "".join(f"\\x{x:02x}" for x in b),
    "0x-list": lambda b: ", ".join(f"0x{x:02X}" for x in b),
    "percent": lambda b: "".join(f"%{x:02X}" for x in b),
    "quoted-printable": lambda b: codecs.encode(b, "quopri").decode(),
    "uuencode": lambda b: codecs.encode(b, "uu").decode(),
    "ascii85-adobe": lambda b: base64.a85encode(b, adobe=True).decode(),
    "ascii85": lambda b: base64.a85encode(b).decode(),
    "base85": lambda b: base64.b85encode(b).decode(),
    "char-refs": lambda b: "".join(f"&#{x};" for x in b),
    "octal": lambda b: "".join(f"\\{x:03o}" for x in b),
    "decimal-commas": lambda b: ",".join(str(x) for x in b),
    "decimal-spaces": lambda b: " ".join(str(x) for x in b),
    "base64-groups": lambda b: " ".join(base64.b64encode(b).decode()[i:i + 4]
                                        for i in range(0, len(base64.b64encode(b)), 4)),
}
# decimal lists and bare base85 count only when they decode to data that reads as data:
# a gzip file does (its signature); everything else here is text


def _encoded_findings(r) -> list:
    return [f for f in r.findings if f.check == "smuggling" and f.severity == "block"
            and (f.location.get("encoding") or "encoded" in f.message_en or "hex" in f.message_en)]


def _text(run, body: str):
    return run({"notes.txt": body.encode()}, [{"path": "notes.txt", "kind": "text",
                                               "description": "analysis notes"}])


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("enc", sorted(ENCODINGS))
def test_an_encoded_payload_in_a_text_file_blocks(run, enc, payload):
    body = "Results of the model are below.\n" + ENCODINGS[enc](PAYLOADS[payload]) + "\nEnd.\n"
    r = _text(run, body)
    assert r.verdict == "block", said(r)
    if enc == "quoted-printable" and PAYLOADS[payload].isascii():
        return   # quoted-printable leaves ASCII as it is: the text itself is read (and blocks)
    assert _encoded_findings(r), said(r)


@pytest.mark.parametrize("enc", ["hex-spaced", "percent", "uuencode", "base85", "decimal-commas",
                                 "octal", "char-refs"])
def test_an_encoded_payload_in_a_notebook_output_or_a_program_blocks(run, enc):
    text = ENCODINGS[enc](PAYLOADS["id-list"])
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "print(blob)",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}]}
    r = run({"a.ipynb": json.dumps(nb).encode()},
            [{"path": "a.ipynb", "kind": "notebook", "description": "the analysis"}])
    assert _encoded_findings(r), said(r)
    code = "BLOB = '''" + text.replace("'''", "") + "'''\nprint(len(BLOB))\n"
    r = run({"a.py": code.encode()}, [{"path": "a.py", "kind": "code", "description": "analysis"}])
    assert _encoded_findings(r), said(r)


def test_a_payload_cut_into_short_runs_is_one_payload(run):
    """Eight bytes per line between words: no run alone reaches the size, together they do."""
    b = PAYLOADS["id-list"]
    body = "\n".join(f"row {i}: " + b[i:i + 8].hex(" ") + " ok" for i in range(0, len(b), 8))
    r = _text(run, body)
    assert _encoded_findings(r), said(r)


ORDINARY = {
    "years": "Years covered: " + " ".join(str(y) for y in range(1990, 2024)),
    "ages": "Ages: " + ", ".join(str(20 + (i * 7) % 70) for i in range(60)),
    "daily-counts": "Daily visits: " + ", ".join(str(80 + (i * 37) % 140) for i in range(365)),
    "random-0-255": "Scores: " + ", ".join(str(random.Random(4).randrange(256)) for _ in range(300)),
    "prose": "The cohort included 1,234 patients aged 20 to 89 years; 56% were women. " * 5,
    "printed-table": "\n".join(f"{y}  {a:3d}  {b:5d}  {c:.2f}"
                               for y, a, b, c in zip(range(2000, 2024), range(24), range(100, 124), [0.5] * 24)),
    "numpy-array": str(np.arange(256).reshape(16, 16)),
    "python-list": str(list(range(0, 256, 3))),
    "dates": "\n".join(f"2023-01-{d:02d} 12:30:45" for d in range(1, 29)),
    "uuids": " ".join(["550e8400-e29b-41d4-a716-446655440000"] * 5),
    "css-colours": "color: #ff00aa; background: #00ff00; " * 10,
    "four-letter-words": "this that with from have been will they what when " * 3,
    "url": "see https://www.nhi.gov.tw/Content_List.aspx?n=8A07BE0A8E0E8BB3&topn=D39E2B72B0BDFA15",
    "latex": "\\begin{tabular}{lrr} a & 12 & 34 \\\\ b & 56 & 78 \\end{tabular}",
    "icd-codes": "Codes: " + ", ".join(f"E{10 + i}.{i % 10}" for i in range(40)),
    "two-digit-grid": "\n".join(" ".join(f"{(r * 13 + c * 7) % 100:02d}" for c in range(20)) for r in range(10)),
}


@pytest.mark.parametrize("case", sorted(ORDINARY))
def test_ordinary_numbers_and_words_are_not_taken_for_an_encoding(case):
    from egress_review.engine.encoded_runs import find

    assert find(ORDINARY[case], 20) == [], case
