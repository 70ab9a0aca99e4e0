"""Bytes written out as text in an encoding other than plain base64/hex (E7, D4).

``smuggling._blobs`` finds unbroken base64 and hex runs and ``covert_text`` random-letter runs
(base32 and its kin).  The other ways a program writes bytes as characters read to those two as
numbers or punctuation, and to a reviewer as noise: hex pairs with separators (a hex dump,
``0x41, 0x42``, ``\\x41\\x42``, ``41:42``), percent-encoding, quoted-printable, uuencode,
ASCII85/base85, HTML character references, ``\\u``/octal escapes, and byte values as decimal
lists.  Each is found by its form and then decoded; a run is reported when it decodes to at
least ``min_bytes`` bytes:

* forms no table, prose or program output shows at that length (escapes, percent and
  quoted-printable runs, hex pairs with a letter among them, uuencoded lines, ``<~ ~>``
  ASCII85, character references) are encoded data whatever they decode to;
* forms that ordinary numbers or words can take (decimal lists, bare base85) count only when
  what they decode to is itself data: text that reads as text, a file's signature, or bytes
  as dense as compressed ones.

Every pattern is linear (bounded repeats, no nested unbounded groups) on the texts the engine
reads.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from dataclasses import dataclass

# a file signature at the start of decoded bytes: the payload is a file
_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"%PDF", b"\x89PNG", b"\xff\xd8\xff",
          b"GIF8", b"SQLite format 3", b"PAR1", b"ARROW1", b"\x80\x04", b"\x80\x05", b"7z\xbc\xaf")

_HEX_ESC = re.compile(r"(?:\\x[0-9A-Fa-f]{2}){8,}")
_HEX_0X = re.compile(r"0[xX][0-9A-Fa-f]{2}(?:\s*[,;]?\s*0[xX][0-9A-Fa-f]{2}){7,}")
_HEX_SEP = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}(?:(?:[ \t:\-]|\r?\n)[0-9A-Fa-f]{2}){7,}(?![0-9A-Fa-f])")
_HEX_QUAD = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{4}(?:[ \t][0-9A-Fa-f]{4}){3,}(?![0-9A-Fa-f])")
_B64_SPACED = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{4}(?:[ \t,;]++[A-Za-z0-9+/]{4}){9,}={0,2}(?![A-Za-z0-9+/])")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~\-]{0,3}){8,}")
_QP = re.compile(r"(?:[!-<>-~]{0,6}(?:=[0-9A-Fa-f]{2}|=\r?\n)(?:\r?\n)?){8,}")
# a full uuencoded line: 'M' (45 bytes) and 60 characters of the 64 it uses
_UU_FULL = re.compile(r"^M[ -`]{60}\r?$", re.M)
_UU_LAST = re.compile(r"[!-M][ -`]{0,60}\r?")
_UU_BEGIN = re.compile(r"^begin [0-7]{3,4} [^\r\n]+\r?$", re.M)
_A85_MARKED = re.compile(r"<~([!-u\sz]{10,})~>")
_B85_RUN = re.compile(r"[0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]{50,}")
_A85_RUN = re.compile(r"[!-uz]{50,}")
_B32 = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z2-7]{32,}|[a-z2-7]{32,})=*(?![A-Za-z0-9])")
_CHAR_REF = re.compile(r"(?:&#(?:[0-9]{1,7}|[xX][0-9A-Fa-f]{1,6});){8,}")
_U_ESC = re.compile(r"(?:\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}){8,}")
_OCTAL = re.compile(r"(?:\\[0-3][0-7]{2}){8,}")
# characters written as their code points in a program: chr(65)+chr(49)..., String.fromCharCode(65,
# 49, ...), intToUtf8(c(65, 49, ...)), bytes([65, 49, ...]), ''.join(map(chr, [65, 49, ...]))
_NUM = r"(?:0[xX][0-9A-Fa-f]{1,6}|\d{1,7})"
_CHR_CALLS = re.compile(r"(?:\b(?:chr|unichr|ChrW|Chr|CHAR|char|Char|ChrB)\s{0,2}\(\s{0,2}" + _NUM
                        + r"\s{0,2}\)[\s+,.&|]{0,6}){6,}")
_CODE_LIST = re.compile(r"\b(?:fromCharCode|fromCodePoint|intToUtf8|intToBits|rawToChar|as\.raw|bytes|bytearray"
                        r"|map\(\s{0,2}chr\s{0,2},|chars|utf8ToInt|CHAR|pack)\s{0,2}\(?\s{0,2}"
                        r"(?:c\(|\[|list\(|array\(|\{)?\s{0,2}(" + _NUM + r"(?:\s{0,4}[,;]\s{0,4}" + _NUM + r"){5,})")
# CSS escapes (\41 \31 ...)
_CSS_ESC = re.compile(r"(?:\\[0-9A-Fa-f]{1,6} {0,2}){8,}")
_DECIMAL = re.compile(r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|\d\d?)(?:(?:\s*+[,;]\s*+|\s++)"
                      r"(?:25[0-5]|2[0-4]\d|1\d\d|\d\d?)){15,}(?![\d.])")


@dataclass(frozen=True)
class Run:
    start: int
    end: int
    encoding: str
    decoded: bytes


def _entropy(b: bytes) -> float:
    n = len(b)
    return -sum(c / n * math.log2(c / n) for c in Counter(b).values()) if n else 0.0


def reads_as_data(b: bytes, dense: bool = True) -> bool:
    """Decoded bytes that are themselves data: a file, compressed/encrypted bytes (``dense``;
    not for forms ordinary number series take: a year of daily counts is as varied), or text
    (UTF-8 or UTF-16) mostly of letters and digits with the spaces, commas or line breaks of
    words or records."""
    if any(b.startswith(m) for m in _MAGIC):
        return True
    if dense and len(b) >= 64 and _entropy(b) >= 7.0:
        return True
    for codec in ("utf-8", "utf-16-le", "utf-16-be"):
        try:
            t = b.decode(codec)
        except UnicodeDecodeError:
            continue
        if not t or sum(1 for c in t if c.isprintable() or c in "\r\n\t") < 0.95 * len(t):
            continue
        # letters and digits of a record: ASCII or common Chinese (random bytes read as UTF-16
        # are rare ideographs and symbols)
        alnum = sum(1 for c in t if (c.isascii() and c.isalnum()) or _common_han(c))
        seps = sum(t.count(s) for s in (" ", ",", "\n", "\t", "|", ";"))
        if alnum >= 0.5 * len(t) and seps >= 2:
            return True
    return False


def _common_han(c: str) -> bool:
    if not "\u4e00" <= c <= "\u9fff":
        return False
    try:
        c.encode("big5")
        return True
    except UnicodeEncodeError:
        return False


def _hex(s: str) -> bytes:
    return bytes.fromhex(re.sub(r"[^0-9A-Fa-f]", "", s.replace("0x", "").replace("0X", "")
                                .replace("\\x", "")))


def _percent(s: str) -> bytes:
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(s)


def _qp(s: str) -> bytes:
    return binascii.a2b_qp(s.encode("ascii", "replace"))


def _char_refs(s: str) -> bytes:
    out = []
    for m in re.finditer(r"&#([xX]?)([0-9A-Fa-f]+);", s):
        v = int(m.group(2), 16 if m.group(1) else 10)
        out.append(chr(min(v, 0x10FFFF)))
    return "".join(out).encode("utf-8", "replace")


def _u_escapes(s: str) -> bytes:
    return "".join(chr(min(int(h, 16), 0x10FFFF)) for h in re.findall(r"\\[uU]([0-9A-Fa-f]+)", s)) \
        .encode("utf-8", "replace")


def _octal(s: str) -> bytes:
    return bytes(int(o, 8) for o in re.findall(r"\\([0-7]{3})", s))


def _decimal(s: str) -> bytes:
    return bytes(int(v) for v in re.findall(r"\d+", s))


def _code_points(s: str) -> bytes:
    """The printable characters numbers in a program stand for (a code list's numbers, or each
    chr()); ValueError for numbers that are not printable text (byte values, a file's magic,
    ordinary lists: another form's business)."""
    out = []
    s = re.sub(r"(?<![0-9])[A-Za-z_][A-Za-z0-9_.]*", " ", s)   # the calls' names (intToUtf8)
    for v in re.findall(r"0[xX][0-9A-Fa-f]{1,6}|\d{1,7}", s):
        n = int(v, 16) if v[:2] in ("0x", "0X") else int(v)
        if n > 0x10FFFF:
            raise ValueError("not a code point")
        out.append(chr(n))
    text = "".join(out)
    if sum(1 for c in text if c.isprintable() and not c.isspace()) < 0.9 * len(text):
        raise ValueError("not printable text")
    return text.encode("utf-8", "replace")


def _css(s: str) -> bytes:
    return "".join(chr(min(int(h, 16), 0x10FFFF)) for h in re.findall(r"\\([0-9A-Fa-f]{1,6})", s)) \
        .encode("utf-8", "replace")


def _has_hex_letter(s: str) -> bool:
    return bool(re.search(r"[A-Fa-f]", re.sub(r"0[xX]|\\x", "", s)))


def _b32(s: str) -> bytes:
    s = s.rstrip("=").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def _b64_spaced(s: str) -> bytes:
    return base64.b64decode(re.sub(r"[ \t,;]", "", s), validate=True)


# (pattern, name, decoder, needs_data): needs_data - the form alone does not show encoding
_FORMS = [
    (_HEX_ESC, "hex escapes (\\xHH)", _hex, False),
    (_HEX_0X, "hex byte list (0xHH)", _hex, False),
    (_HEX_SEP, "hex pairs with separators", _hex, None),   # None: a letter A-F decides
    (_HEX_QUAD, "hex in groups of four", _hex, None),
    (_PERCENT, "percent-encoding (%HH)", _percent, False),
    (_QP, "quoted-printable (=HH)", _qp, False),
    (_CHAR_REF, "character references (&#…;)", _char_refs, False),
    (_U_ESC, "unicode escapes (\\uHHHH)", _u_escapes, False),
    (_OCTAL, "octal escapes (\\NNN)", _octal, False),
    (_B64_SPACED, "base64 in spaced groups", _b64_spaced, True),
    (_B32, "base32", _b32, True),
    (_DECIMAL, "byte values as decimals", _decimal, True),
]


def program_forms() -> list:
    """A program spelling out printable characters by number: encoding from 8 characters (one
    ID); CSS escapes look like other things, so they count only when they decode to data."""
    return [(_CHR_CALLS, "characters as chr() calls", _code_points, False),
            (_CODE_LIST, "characters as a list of code points", _code_points, False),
            (_CSS_ESC, "CSS escapes (\\HH)", _css, True)]


# forms that are encoding whatever the length: one person's ID is reason enough
_OWN_MIN = {"characters as chr() calls": 8, "characters as a list of code points": 8}


def find(text: str, min_bytes: int) -> list[Run]:
    """Runs of ``text`` that are bytes in one of the encodings above.  A form counts when its
    runs in the text decode to at least ``min_bytes`` bytes together (a payload cut into short
    runs - a hex dump's lines between offsets - is still one payload); overlapping finds of one
    stretch are reported once."""
    runs: list[Run] = []
    for rx, name, decode, needs_data in _FORMS + program_forms():
        found: list[Run] = []
        for m in rx.finditer(text):
            s = m.group()
            if needs_data is None and not _has_hex_letter(s) and not _digits_read_as_data(s):
                continue
            try:
                found.append(Run(m.start(), m.end(), name, decode(s)))
            except (ValueError, binascii.Error):
                continue
        if needs_data:
            # the runs that are data on their own, or all of them if together they are
            own = [r for r in found if reads_as_data(r.decoded, dense=False)]
            found = own if _size(own) >= min_bytes else (
                found if reads_as_data(b"".join(r.decoded for r in found), dense=False) else [])
        if _size(found) >= min(min_bytes, _OWN_MIN.get(name, min_bytes)):
            runs += found
    runs += _uuencoded(text, min_bytes)
    runs += _base85(text, min_bytes)
    runs.sort(key=lambda r: (r.start, -r.end))
    out: list[Run] = []
    for r in runs:
        if out and r.start < out[-1].end:
            continue   # inside a stretch already reported
        out.append(r)
    return out


def _size(runs: list[Run]) -> int:
    return sum(len(r.decoded) for r in runs)


def _digits_read_as_data(s: str) -> bool:
    """Hex pairs of digits only (years, two-digit numbers) are encoding only when they decode
    to data - and not when they run in order: a column of single years of age or of days,
    sorted (20 20 21 21 … 59, or 20…59 then 20…59 again by sex), decodes to ASCII that reads
    as text, while text written as bytes goes down about as often as up."""
    pairs = re.findall(r"[0-9A-Fa-f]{2}", s)
    values = [int(x, 16) for x in pairs]
    descents = sum(1 for a, b in zip(values, values[1:]) if b < a)
    ascents = sum(1 for a, b in zip(values, values[1:]) if b > a)
    if 8 * min(descents, ascents) < len(values):     # in order, up or down
        return False
    try:
        return reads_as_data(_hex(s), dense=False)
    except ValueError:
        return False


def _uuencoded(text: str, min_bytes: int) -> list[Run]:
    """Blocks of full uuencoded lines ('M' + 60 characters) and the short line closing one;
    two full lines (90 bytes) or data decoded are encoding."""
    out: list[Run] = []
    for m in _UU_BEGIN.finditer(text):   # framed: begin <mode> <name> ... end
        body, _, _ = text[m.end():].partition("\nend")
        try:
            b = b"".join(binascii.a2b_uu(line) for line in body.strip("\r\n").splitlines()
                         if line.strip("\r") not in ("", "`"))
        except binascii.Error:
            continue
        if len(b) >= min_bytes:
            out.append(Run(m.start(), m.end() + len(body), "uuencode", b))
    text = text.replace("\\r\\n", "\r\n\r\n").replace("\\n", "\r\n")   # escaped breaks, same length
    block: list[re.Match] = []
    for m in _UU_FULL.finditer(text):
        if block and text[block[-1].end():m.start()].strip("\r\n") != "":
            out += _uu_block(text, block, min_bytes)
            block = []
        block.append(m)
    out += _uu_block(text, block, min_bytes)
    return out


def _uu_block(text: str, block: list[re.Match], min_bytes: int) -> list[Run]:
    if not block:
        return []
    lines = [m.group().rstrip("\r") for m in block]
    end = block[-1].end()
    nxt = text[end:].lstrip("\r\n").split("\n", 1)[0]
    if _UU_LAST.fullmatch(nxt):
        lines.append(nxt.rstrip("\r"))
    try:
        b = b"".join(binascii.a2b_uu(line) for line in lines)
    except binascii.Error:
        b = b"".join(binascii.a2b_uu(line) for line in lines[:len(block)])
    if len(b) < min_bytes or not (len(block) >= 2 or reads_as_data(b)):
        return []
    return [Run(block[0].start(), end, "uuencode", b)]
def _base85(text: str, min_bytes: int) -> list[Run]:
    out: list[Run] = []
    for m in _A85_MARKED.finditer(text):
        try:
            b = base64.a85decode(m.group(), adobe=True, ignorechars=b" \t\r\n")
        except ValueError:
            continue
        if len(b) >= min_bytes:
            out.append(Run(m.start(), m.end(), "ASCII85 (<~ ~>)", b))
    for rx, decode, name in ((_B85_RUN, base64.b85decode, "base85"), (_A85_RUN, base64.a85decode, "ASCII85")):
        for m in rx.finditer(text):
            s = m.group()
            if _entropy(s.encode()) < 5.0:
                continue
            try:
                b = decode(s.encode())
            except ValueError:
                continue
            if len(b) >= min_bytes and reads_as_data(b):
                out.append(Run(m.start(), m.end(), name, b))
    return out
