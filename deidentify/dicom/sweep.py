"""The header sweep after the profile: the patient's own strings in every written form, dummy
values, and binary values read as text.

A value the profile keeps (a description, a code meaning, a byte blob of a vendor) may still
repeat the patient's name, ID or birth date; the sweep removes any such element.  Birth dates
are looked for in every calendar and separator a Taiwanese record uses: Western (1950-03-04,
1950/3/4, 19500304) and the Republic-of-China (民國) era, year − 1911 (39.03.04, 039/03/04,
0390304, 民國39年3月4日).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

import pydicom
from pydicom.dataset import Dataset

from deidentify.identifiers.normalise import to_halfwidth

BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
ROC_OFFSET = 1911
_IDENTITY_KEYWORDS = ("PatientName", "PatientID", "OtherPatientIDs", "PatientBirthDate", "PatientBirthName",
                      "PatientMotherBirthName", "OtherPatientNames", "PatientAddress",
                      "PatientTelephoneNumbers", "MedicalRecordLocator", "PatientBirthTime")
_SEPARATORS = re.compile(r"[\s\-./_·‧•^,，、]+")


def parse_birth_date(value: str) -> dt.date | None:
    """A birth date written as DICOM DA (19500304), with separators, or in the ROC calendar
    (0390304, 39.03.04, 民國39年3月4日)."""
    s = to_halfwidth(str(value)).strip()
    s = re.sub(r"^(?:民國|民国|ROC\s*)", "", s, flags=re.IGNORECASE)
    parts = [p for p in re.split(r"[^0-9]+", s) if p]
    candidates: list[tuple[int, int, int]] = []
    if len(parts) == 1 and parts[0].isdigit():
        d = parts[0]
        if len(d) == 8:
            candidates.append((int(d[:4]), int(d[4:6]), int(d[6:])))
        elif len(d) in (6, 7):
            candidates.append((int(d[:-4]) + ROC_OFFSET, int(d[-4:-2]), int(d[-2:])))
    elif len(parts) == 3:
        y, m, d = (int(p) for p in parts)
        candidates.append((y if y >= 1000 else y + ROC_OFFSET, m, d))
    for y, m, d in candidates:
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    return None


def birth_date_forms(day: dt.date) -> set[str]:
    """The written forms of ``day`` a note or a header may hold (compared without case)."""
    y, m, d = day.year, day.month, day.day
    out = {f"{y}{m:02d}{d:02d}"}
    for sep in "-/.":
        out |= {f"{y}{sep}{m:02d}{sep}{d:02d}", f"{y}{sep}{m}{sep}{d}",
                f"{m:02d}{sep}{d:02d}{sep}{y}", f"{d:02d}{sep}{m:02d}{sep}{y}"}
    out |= {f"{y}年{m}月{d}日", f"{y}年{m:02d}月{d:02d}日"}
    r = y - ROC_OFFSET
    if r > 0:
        out |= {f"{r:03d}{m:02d}{d:02d}", f"民國{r}年{m}月{d}日", f"民国{r}年{m}月{d}日", f"{r}年{m}月{d}日",
                f"民國{r:03d}年{m:02d}月{d:02d}日"}
        for sep in "-/.":
            out |= {f"{r}{sep}{m:02d}{sep}{d:02d}", f"{r:03d}{sep}{m:02d}{sep}{d:02d}", f"{r}{sep}{m}{sep}{d}"}
    return out


def identity_strings(ds: Dataset) -> list[str]:
    """The patient's own identifying strings, to sweep the cleaned header for leftovers
    (longest first, lower case)."""
    out: set[str] = set()
    for kw in _IDENTITY_KEYWORDS:
        value = ds.get(kw)
        if value in (None, ""):
            continue
        values = value if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
        for v in values:
            s = to_halfwidth(str(v)).strip()
            if not s:
                continue
            out.add(s)
            if "Name" in kw:
                out.add(s.replace("^", "").replace(" ", ""))
                out.update(p.strip() for p in s.replace("=", "^").split("^") if len(p.strip()) >= 2)
            if kw == "PatientBirthDate":
                day = parse_birth_date(s)
                if day is not None:
                    out |= birth_date_forms(day)
            if kw in ("PatientID", "OtherPatientIDs"):
                out.add(_SEPARATORS.sub("", s))
    return sorted({s.lower() for s in out if len(s) >= 2}, key=len, reverse=True)


def _text_like(text: str) -> bool:
    """Does a 16-bit decoding read as text rather than samples?  Nine in ten of its characters
    printable letters, digits, punctuation or spaces (NUL padding aside)."""
    chars = [c for c in text if c != "\x00"]
    if len(chars) < 2:
        return False
    ok = sum(1 for c in chars if (c.isprintable() or c.isspace()) and not 0xE000 <= ord(c) <= 0xF8FF)
    # 16-bit samples (a lookup table's ramp) read as rare ideographs; text uses common ones
    cjk = [c for c in chars if ord(c) >= 0x2E80]
    common = sum(1 for c in cjk if _encodes(c, "big5") or _encodes(c, "gb2312"))
    return ok * 10 >= len(chars) * 9 and common * 10 >= len(cjk) * 9


def _encodes(c: str, codec: str) -> bool:
    try:
        c.encode(codec)
        return True
    except UnicodeEncodeError:
        return False


def decoded_binary(value) -> str:
    """A byte value read as text: as UTF-8, Big5 (Taiwanese legacy systems) and GB18030 where
    each decodes, else Latin-1; and UTF-16 either way round where that reads as text (Windows
    tools; CJK in UTF-16 has no zero bytes to give it away).  NULs and controls become spaces."""
    raw = bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else b"".join(
        bytes(v) for v in value) if isinstance(value, (list, tuple)) else str(value).encode("utf-8", "replace")
    texts = []
    for codec in ("utf-8", "big5", "gb18030"):   # every one that decodes: Big5 bytes can pass as GB
        try:
            texts.append(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    texts = texts or [raw.decode("latin-1")]
    if len(raw) % 2 == 0 and raw:
        for codec in ("utf-16-le", "utf-16-be"):
            wide = raw.decode(codec, "replace")
            if "\ufffd" not in wide and _text_like(wide):
                texts.append(wide)
    return " ".join(re.sub(r"[\x00-\x1f\x7f]+", " ", t) for t in texts)


_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def unreadable(value, vr: str, plain: bool) -> bool:
    """Is a text value not what it claims to be, so that no check can read it?

    - a byte that did not decode in the declared character set (U+FFFD), or any non-ASCII
      letter where none is declared (``plain``: pydicom then shows the bytes as Latin-1);
    - letters of a single-byte character set whose bytes are UTF-8 or Big5 text in CJK (a
      Taiwanese system writing Big5 under ISO_IR 100: 王小明 arrives as "¤ý¤p©ú");
    - an integer or decimal string (IS/DS) that is not a number (a name where a series number goes).
    """
    values = list(value) if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
    for v in values:
        text = str(v)
        if vr in ("IS", "DS") and text.strip() and not (_INTEGER if vr == "IS" else _NUMBER).fullmatch(text):
            return True
        if text.isascii():
            continue
        if "\ufffd" in text or plain:
            return True
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            continue   # a multi-byte character set decoded it: real text
        for codec in ("utf-8", "big5"):
            try:
                if any(ord(c) >= 0x2E80 for c in raw.decode(codec)):
                    return True
            except UnicodeDecodeError:
                continue
    return False


def value_leaks(text: str, identity: list[str], options) -> bool:
    """Does ``text`` repeat the patient's strings, or (``options`` given) hold an identifier?

    Short ASCII identity strings (an ID like "123") would match unrelated numbers as
    substrings: those must equal the whole value (or a whole token); longer or non-ASCII ones
    may appear anywhere, also with separators removed.
    """
    low = to_halfwidth(text).lower()
    squeezed = _SEPARATORS.sub("", low)
    tokens = set(re.split(r"[^0-9a-z\u3400-\u9fff]+", low))
    for s in identity:
        if len(s) >= 6 or not s.isascii():
            if s in low or (len(s) >= 6 and _SEPARATORS.sub("", s) in squeezed):
                return True
        elif low.strip() == s or s in tokens:
            return True
    if options is None:
        return False
    from deidentify.text import find_identifiers

    hits = find_identifiers(text, options=options)
    if any(h.kind != "NAME" for h in hits):
        return True
    # A name reaching the header cut-off anywhere, or any name that is most of a short value
    # (a value that *is* a name needs no context to be one).
    return any(h.score >= options.name_mask_min_score
               or (h.end - h.start) * 2 >= len(text.strip()) for h in hits)


def dummy_value(vr: str, new_uid: Callable[[str], str]):
    """A value for the profile's D action: valid for the VR, carrying nothing."""
    if vr in ("DA",):
        return "19000101"
    if vr == "DT":
        return "19000101000000"
    if vr == "TM":
        return "000000"
    if vr == "UI":
        return new_uid("dummy")
    if vr in ("IS", "DS"):
        return "0"
    if vr == "AS":
        return "000Y"
    if vr in ("US", "SS", "UL", "SL", "UV", "SV", "FL", "FD", "AT"):
        return 0
    if vr in BINARY_VRS:
        return b""
    if vr == "CS":
        return "REMOVED"
    return "REMOVED"
