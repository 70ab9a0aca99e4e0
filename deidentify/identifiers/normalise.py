"""Length-preserving text normalisation, so offsets found on the normalised text map back 1:1.

- full-width ASCII (ＡＢＣ１２３＠－) → half-width, the full-width space → a space;
- Latin letters with diacritics → the plain letter (Nguyễn → Nguyen);
- Traditional → Simplified Chinese, one character for one character (from OpenCC's
  TSCharacters table).  OpenCC's own converter also applies phrase tables that may change the
  length and runs in pure Python (~70 µs per short text here); a character table applied
  with ``str.translate`` (short texts) or a numpy lookup (whole columns) does not.
"""
from __future__ import annotations

import functools
import os
import re

import numpy as np
import opencc

from deidentify.regex_cache import compiled

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Dashes and minus signs written inside numbers (0912–345–678) → '-'; no-break spaces → ' '.
_FULLWIDTH.update({c: 0x2D for c in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63)})
_FULLWIDTH.update({0x00A0: 0x20, 0x2007: 0x20, 0x202F: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})


@functools.cache
def _nfkc_single() -> dict[int, int]:
    """NFKC compatibility mappings that turn one BMP character into one other character
    (circled and styled digits and letters, compatibility ideographs); the ones that expand a
    character (™ → TM) are left out to keep offsets aligned."""
    import unicodedata

    out = {}
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        norm = unicodedata.normalize("NFKC", ch)
        if len(norm) == 1 and norm != ch and not unicodedata.combining(norm):
            out[cp] = ord(norm)
    return out


@functools.cache
def _plain_latin() -> dict[int, int]:
    """Precomposed Latin letters (Latin-1, Extended-A/B, Extended Additional) → their ASCII
    base letter; đ/Đ and ø/Ø, which do not decompose, by hand."""
    import unicodedata

    out = {ord("đ"): ord("d"), ord("Đ"): ord("D"), ord("ø"): ord("o"), ord("Ø"): ord("O"),
           ord("ł"): ord("l"), ord("Ł"): ord("L")}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base != chr(cp) and base.isascii() and base.isalpha():
            out[cp] = ord(base)
    return out


@functools.cache
def _t2s_array() -> np.ndarray:
    """The mapping as a lookup array over the Basic Multilingual Plane."""
    table = np.arange(0x10000, dtype=np.uint32)
    for src, dst in _t2s_mapping().items():
        if src < 0x10000:
            table[src] = dst
    return table


@functools.cache
def _t2s_mapping() -> dict[int, int]:
    table: dict[int, int] = dict(_nfkc_single())
    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            src, dst = parts[0], parts[1].split(" ")[0]
            # Only single code point → single code point keeps offsets aligned; sources are
            # kept to the BMP so the dict and the array paths agree.
            if len(src) == 1 and len(dst) == 1 and ord(src) < 0x10000:
                table[ord(src)] = ord(dst)
    # the T2S step applies after NFKC (a compatibility ideograph maps to its Traditional form first)
    for cp, target in list(table.items()):
        if target in table and table[target] != target and cp not in _FULLWIDTH:
            table[cp] = table[target]
    # Latin letters with diacritics → the plain letter (Nguyễn Thị Lan, José, Müller): the Latin
    # name finders' lists and shapes are ASCII; one letter for one, so offsets stay aligned.
    table.update(_plain_latin())
    # Bopomofo ㄚ written for 阿 in informal Taiwanese notes (林ㄚ嬤, ㄚ明)
    table[ord("ㄚ")] = ord("阿")
    # Taiwanese usage: 臺 → 台 is already in the table; keep a guard for it anyway.
    table.setdefault(ord("臺"), ord("台"))
    table.update(_FULLWIDTH)
    return table


_ID_SEPARATORS = compiled(r"[ \-]")


def compact_id(s: str) -> str:
    """An ID written with spaces or hyphens (A123-456-789) without them."""
    return _ID_SEPARATORS.sub("", s)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms to half-width, dashes to '-'; same length."""
    return text.translate(_FULLWIDTH)


def to_simplified(text: str) -> str:
    """Traditional → Simplified per character plus full-width → half-width; same length.

    Long strings (a whole joined column) go through numpy on UTF-32 code points, ~10× faster
    than ``str.translate`` with a dict; code points beyond the BMP are left unchanged.
    """
    if len(text) < 4096:
        return text.translate(_t2s_mapping())
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table = _t2s_array()
    out = np.where(cps < 0x10000, table[np.minimum(cps, 0xFFFF)], cps)
    return out.astype("<u4").tobytes().decode("utf-32-le")


# A line break inside an identifier (a phone, ID or record number wrapped by a form, a narrow
# column or OCR): a break between a letter/digit/hyphen and a letter/digit/hyphen, with the
# blanks around it, is read as a separator of one value.  Where a digit touches it
# (MR-2023|0451, 0912-345|678, A123|456789) and the run is short, it becomes hyphens, a separator
# every number finder accepts; otherwise blanks (a wrap at a hyphen, a wrapped name or address).  Not where the line
# before is a bare number or word: a column of values, one a line, is not one value.
_BROKEN_LINE = compiled(r"[0-9A-Za-z\-][ \t]*(?:\r\n|\r|\n)[ \t]*(?=[0-9A-Za-z\-])")
_BARE_LINE = compiled(r"[ \t]*[0-9A-Za-z.]+[ \t]*")
_BREAKS_TO_BLANK = str.maketrans("\r\n", "  ")
# a line opening with a label: a word or a few, then a colon (Diagnosis:, Patient:, Chart No.:)
_NEXT_LABEL = compiled(r"[A-Za-z][A-Za-z .#/()\-]{0,30}?[ \t]*[:：]")
# a line opening with a word of letters and a blank, a colon or a Han character after it
_NEXT_WORD = compiled(r"[A-Za-z]{2,}(?=[ \t:：\u4e00-\u9fff]|$)")


# (D1, round 7) a value broken over three lines (0906⏎671⏎723, X⏎2394⏎36999): the middle line
# is a short run of digits that itself continues a value broken from the line before it.
_SHORT_PIECE = compiled(r"[ \t]*[0-9]{2,5}[ \t]*")
_PIECE_BEFORE = compiled(r"[^\r\n\x00]*?[0-9A-Za-z\-][ \t]*(?:\r\n|\r|\n)$")


def _continues(s: str, line_start: int, line: str) -> bool:
    """Is ``line`` (a bare line) a short piece of digits whose own break joins the value
    of the line before, which is no bare line?"""
    if not _SHORT_PIECE.fullmatch(line) or line_start <= 0:
        return False
    lo = max(0, line_start - 60)
    prev = _PIECE_BEFORE.search(s, lo, line_start)
    if prev is None or prev.end() != line_start:
        return False
    text = prev.group().rstrip("\r\n")
    cut = max(text.rfind("\n"), text.rfind("\r"), text.rfind("\x00"))
    before = text[cut + 1:]
    return not _BARE_LINE.fullmatch(before) and s[line_start].isdigit()


def _join(m: re.Match[str]) -> str:
    # the line before (within 200 characters; a joined column separates texts with NUL)
    before = m.string[max(0, m.start() - 200):m.start() + 1]
    line = before[max(before.rfind("\n"), before.rfind("\r"), before.rfind("\x00")) + 1:]
    if not (line.rstrip().endswith("-") or not _BARE_LINE.fullmatch(line) or _continues(m.string, m.start() - len(line) + 1, line)):
        return m.group()
    if _NEXT_LABEL.match(m.string, m.end()):
        return m.group()    # (D1, round 6) the next line opens a field (Chart No.: 123⏎Diagnosis: …)
    gap = m.group()[1:]
    first, nxt = m.group()[0], m.string[m.end()]
    if first.isdigit() and _NEXT_WORD.match(m.string, m.end()):
        return m.group()    # (round 11) a number's line, then a line opening with a word (0912345678⏎CMS 等級)
    if len(gap) <= 4 and "-" not in (first, nxt) and (first.isdigit() or nxt.isdigit()):
        return first + "-" * len(gap)
    return m.group().translate(_BREAKS_TO_BLANK)


def join_broken_lines(text: str) -> str:
    """``text`` with each line break that splits a run of letters, digits and hyphens read as
    a separator inside it (same length), unless the line before is a bare number or word;
    other line breaks stay."""
    if "\n" not in text and "\r" not in text:
        return text
    return _BROKEN_LINE.sub(_join, text)


# (D1, round 3) A short value in Han characters wrapped by a form right after its label
# (姓名：童玉⏎珍  性别：女): the break becomes a blank, so the name finders read one name written
# apart (童玉 珍) as they read 王 小 明.  Only a value of two to four characters opened by a
# label's colon on the same line, and not a next label (过敏：无⏎抽烟：无 stays).
# (round 11: an OCR'd value spaced out letter by letter, 姓名：曾 志⏎成, is one value too)
# (round 12: not when the next line opens with a name already partly hidden, 岳 秀英⏎劉Ｏ玉)
_BROKEN_HAN_VALUE = compiled(r":[ \t]*(?P<a>[\u4e00-\u9fff](?: ?[\u4e00-\u9fff]){0,2})(?P<br>[ \t]*(?:\r\n|\r|\n)[ \t]*)"
                             r"(?P<b>[\u4e00-\u9fff](?: ?[\u4e00-\u9fff]){0,2})(?![\u4e00-\u9fff]| ?[\u4e00-\u9fff]|[ \t]*:|[A-Za-z0-9○〇*])")


def _join_han(m: re.Match[str]) -> str:
    if len(m.group("a").replace(" ", "")) + len(m.group("b").replace(" ", "")) > 4:
        return m.group()
    return m.group().translate(_BREAKS_TO_BLANK)


# Labels printed letter by letter in a faxed or OCR'd form (病 历 号 码 : 1234567, 电 话 :): the
# letters are packed together and the blanks moved behind them (病历号码    : 1234567), so
# labelled finders read the label; the value keeps its offsets.  Only a run that opens a line
# or stands after two blanks and ends at a colon: 陈 美 玲 性 别 : (a name before the label,
# written with one blank) is left as it is.
_SPACED_LABEL = compiled(r"[\u4e00-\u9fff](?: [\u4e00-\u9fff]){1,7}(?=[ \t]*:)")


def _pack_label(m: re.Match[str]) -> str:
    s, a = m.string, m.start()
    if a > 0 and s[a - 1] not in "\n\r\x00" and s[max(0, a - 2):a] not in ("  ", " \t", "\t ", "\t\t") \
            and not (a == 1 and s[0] in " \t"):
        return m.group()
    run = m.group()
    packed = run.replace(" ", "")
    return packed + " " * (len(run) - len(packed))


def pack_spaced_labels(text: str) -> str:
    """``text`` with labels spelt letter by letter packed (same length, see _SPACED_LABEL)."""
    if ":" not in text or " " not in text:
        return text
    return _SPACED_LABEL.sub(_pack_label, text)


def normalise_for_finders(text: str) -> str:
    """What every finder reads: ``to_simplified``, ``join_broken_lines`` (and Han values wrapped
    after a label), ``pack_spaced_labels``; same length."""
    out = join_broken_lines(to_simplified(text))
    if ("\n" in out or "\r" in out) and ":" in out:
        out = _BROKEN_HAN_VALUE.sub(_join_han, out)
    return pack_spaced_labels(out)


def led_by(pattern: str, first: str) -> str:
    """``pattern`` behind a look-ahead for its possible first characters (``first``, either
    case): Python's engine tries an alternation at every position, a character set it checks
    in one step (5-10x faster over a joined column)."""
    cls = "".join(sorted({c for ch in first for c in (ch.lower(), ch.upper())}))
    return "(?=[" + re.escape(cls) + "])(?:" + pattern + ")"
