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
import struct
import zlib
from typing import Callable

import numpy as np
import pydicom
from pydicom.dataset import Dataset

from deidentify.identifiers.normalise import to_halfwidth

BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
NUMERIC_VRS = {"US", "SS", "UL", "SL", "UV", "SV", "FL", "FD", "AT"}
_NUMERIC_DTYPE = {"US": "<u2", "SS": "<i2", "UL": "<u4", "SL": "<i4", "UV": "<u8", "SV": "<i8", "FL": "<f4",
                  "FD": "<f8"}
ROC_OFFSET = 1911
_IDENTITY_KEYWORDS = ("PatientName", "PatientID", "OtherPatientIDs", "PatientBirthDate", "PatientBirthName",
                      "PatientMotherBirthName", "OtherPatientNames", "PatientAddress",
                      "PatientTelephoneNumbers", "MedicalRecordLocator", "PatientBirthTime")
_RECORD_KEYWORDS = ("AccessionNumber", "AdmissionID", "ServiceEpisodeID", "StudyID", "RequestedProcedureID",
                    "ScheduledProcedureStepID", "PerformedProcedureStepID", "PlacerOrderNumberImagingServiceRequest",
                    "FillerOrderNumberImagingServiceRequest", "PlacerOrderNumberProcedure",
                    "FillerOrderNumberProcedure")
_SEPARATORS = re.compile(r"[\s\-./_·‧•^,，、]+")
# Prefixes and suffixes of a person name (its fourth and fifth components): not the person.
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "prof", "md", "phd", "rn", "jr", "sr", "ii", "iii"}


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
    # at any depth: a second ID or an earlier name sits in an item (OtherPatientIDsSequence,
    # a source patient's group) and may be repeated in a kept label elsewhere (round 3)
    found = [(e.keyword, e.value) for e in ds.iterall() if e.keyword in _IDENTITY_KEYWORDS and e.VR != "SQ"]
    # every person the file names (operators, physicians, observers, a private person name, each
    # group: alphabetic = ideographic = phonetic): their names repeated in a kept value went out
    # in any form no rule reads ("Chidi" for OKAFOR^CHIDI, 山田 for YAMADA^TARO=山田^太郎, round 5)
    found += [("PersonName", e.value) for e in ds.iterall() if e.VR == "PN" and e.keyword not in _IDENTITY_KEYWORDS]
    # the hospital's keys to the patient's visit and order (an accession number in a kept value or
    # its digits in a UID written there, round 5): five characters or more (a StudyID "1" is not)
    found += [("RecordID", e.value) for e in ds.iterall() if e.keyword in _RECORD_KEYWORDS
              and len(str(e.value or "").strip()) >= 5]
    for kw, value in found:
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
                for group in s.split("="):   # each group's family and given name, and both joined
                    parts = [p.strip() for p in group.split("^")[:3] if p.strip()]
                    out.update(p for p in parts if len(p) >= 2 and p.lower().strip(".") not in _TITLES)
                    out.update(w for p in parts for w in p.split() if len(w) >= 3 and w.lower() not in _TITLES)
                    if len(parts) >= 2:
                        out.add(parts[0] + parts[1])
                if kw != "PersonName":   # the patient's: every component, as before
                    out.update(p.strip() for p in s.replace("=", "^").split("^") if len(p.strip()) >= 2)
            if kw == "PatientBirthDate":
                day = parse_birth_date(s)
                if day is not None:
                    out |= birth_date_forms(day)
            if kw in ("PatientID", "OtherPatientIDs", "RecordID"):
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


def decoded_binary(value, _depth: int = 0) -> str:
    """A byte value read as text: as UTF-8, Big5 (Taiwanese legacy systems) and GB18030 where
    each decodes, else Latin-1; and UTF-16 either way round where that reads as text (Windows
    tools; CJK in UTF-16 has no zero bytes to give it away); deflated streams inside it (a PDF's
    FlateDecode, gzip) inflated and read the same way.  NULs and controls become spaces."""
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
    if b"\x1b" in raw:   # ISO 2022 escapes (JIS, KS X 1001, GB 2312): all their bytes are ASCII
        texts.append(raw.decode("iso2022_jp_2", "replace"))
    if _depth < 2:
        texts += [decoded_binary(inner, _depth + 1) for inner in _inflated(raw)]
    return " ".join(re.sub(r"[\x00-\x1f\x7f]+", " ", t) for t in texts)


_DEFLATE_HEADERS = re.compile(rb"\x78[\x01\x5e\x9c\xda]|\x1f\x8b\x08")


def _inflated(raw: bytes, limit: int = 1 << 20) -> list[bytes]:
    """The streams that inflate from a zlib or gzip header in ``raw`` (the first 32 headers;
    at most ``limit`` bytes each: a bomb is not expanded)."""
    out = []
    for m in list(_DEFLATE_HEADERS.finditer(raw))[:32]:
        wbits = 31 if raw[m.start()] == 0x1F else 15
        try:
            data = zlib.decompressobj(wbits).decompress(raw[m.start():], limit)
        except zlib.error:
            continue
        if data:
            out.append(data)
    return out


_BASE64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])")
_HEX = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){6,}(?![0-9A-Fa-f])")


def encoded_readings(text: str) -> list[str]:
    """Base64 and hex runs in a text value decoded, where they decode to text (a vendor's tool
    may store a name or an XML block that way): read like the value itself."""
    import base64
    import binascii

    out = []
    for rx, decode in ((_BASE64, lambda t: base64.b64decode(t + "=" * (-len(t) % 4), validate=True)),
                       (_HEX, bytes.fromhex)):
        for token in rx.findall(text)[:32]:
            try:
                raw = decode(token)
            except (binascii.Error, ValueError):
                continue
            for codec in ("utf-8", "utf-16-le", "utf-16-be"):   # text, not bytes that pass as Big5
                try:
                    reading = raw.decode(codec).strip("\0")
                except UnicodeDecodeError:
                    continue
                if reading.isprintable() and sum(c.isalpha() for c in reading) >= 2:
                    out.append(reading)
                    break
    return out


def numeric_bytes(value, vr: str) -> bytes:
    """The bytes a numeric value is written as (little endian): text can ride in them (eight
    letters make four US values), so they are read like a binary value."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)   # left unconverted by the reader: the bytes themselves
    values = list(value) if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
    values = [v for v in values if v is not None]
    try:
        if vr == "AT":
            return b"".join(struct.pack("<HH", int(v) >> 16 & 0xFFFF, int(v) & 0xFFFF) for v in values)
        return np.asarray(values, dtype=_NUMERIC_DTYPE[vr]).tobytes()
    except (TypeError, ValueError, OverflowError, struct.error):   # not numbers of that type: their text
        return " ".join(str(v) for v in values).encode("utf-8", "replace")


def too_many_values(tag: int, count: int) -> bool:
    """More values than the dictionary allows the attribute (a number element stretched to
    carry something else)."""
    from pydicom.datadict import dictionary_has_tag, dictionary_VM

    if not dictionary_has_tag(tag):
        return False
    vm = dictionary_VM(tag).replace(" or ", "-")
    if "n" in vm:
        return False
    try:
        return count > max(int(p) for p in vm.split("-"))
    except ValueError:
        return False


def other_readings(text: str, encodings: list[str]) -> list[str]:
    """A decoded value re-encoded in its declared character set and read in the others a
    Taiwanese or Chinese system writes (Big5 bytes under a GB18030 or Shift-JIS label come out
    as other, real-looking ideographs): the readings that differ from ``text``."""
    if text.isascii():
        return []
    try:
        from pydicom.charset import encode_string

        raw = encode_string(text, encodings or ["iso8859"])
    except Exception:  # noqa: BLE001 - cannot be re-encoded: read as UTF-8 instead
        raw = text.encode("utf-8", "replace")
    return [r for r in decoded_binary(raw).split(" ") if r.strip() and r not in text]


_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def unreadable(value, vr: str, plain: bool) -> bool:
    """Is a text value not what it claims to be, so that no check can read it?

    - a byte that did not decode in the declared character set (U+FFFD), or any non-ASCII
      letter where none is declared (``plain``: pydicom then shows the bytes as Latin-1);
    - letters of a single-byte character set whose bytes are UTF-8 or Big5 text in CJK (a
      Taiwanese system writing Big5 under ISO_IR 100: 王小明 arrives as "¤ý¤p©ú");
    - an integer or decimal string (IS/DS) that is not a number (a name where a series number goes);
    - control characters (an ISO 2022 escape no declared set decoded: JIS bytes are all ASCII);
    - a value of a default-repertoire VR (CS, DA, AS, UI …) with non-ASCII bytes or not in its
      form (a name written as an age, a date or a code string: round 3);
    - a value far longer than its VR allows (a 60 000-letter model name).
    """
    values = list(value) if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
    for v in values:
        text = str(v)
        if vr in ("IS", "DS") and text.strip() and not (_INTEGER if vr == "IS" else _NUMBER).fullmatch(text):
            return True
        if _CONTROL.search(text.rstrip("\0")) or len(text.strip()) > _MAX_LENGTH.get(vr, 1 << 62):
            return True
        if vr in _FORMAT and not _FORMAT[vr].fullmatch(text.strip(" \0")):
            return True
        if vr in _DEFAULT_REPERTOIRE and not text.isascii():
            return True
        if text.isascii():
            continue
        if "\ufffd" in text or plain:
            return True
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            continue   # a multi-byte character set decoded it: real text
        try:
            if any(ord(c) >= 0x2E80 for c in raw.decode("utf-8")):
                return True
        except UnicodeDecodeError:
            pass
        for codec in ("big5", "gb18030"):   # they pair almost any two high bytes: a run of
            try:                             # ideographs counts, not one ("Médical" stays)
                if _IDEOGRAPH_RUN.search(raw.decode(codec)):
                    return True
            except UnicodeDecodeError:
                continue
    return False


_IDEOGRAPH_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]{2}")
# C0 controls (an escape no character set consumed) and invisible format characters that split
# a name from any matcher (zero-width space and joiners, soft hyphen, BOM); none is written by a device
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_DEFAULT_REPERTOIRE = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "TM", "UI"}
_FORMAT = {"AS": re.compile(r"\d{3}[DWMY]"), "DA": re.compile(r"[0-9.\-]*"), "TM": re.compile(r"[0-9.:\-]*"),
           "DT": re.compile(r"[0-9.+\-]*"), "UI": re.compile(r"[0-9.]*")}
# twice the standard's maximum (vendors overrun it a little; PS3.5 Table 6.2-1)
_MAX_LENGTH = {vr: 2 * n for vr, n in {"AE": 16, "CS": 16, "DS": 16, "IS": 12, "LO": 64, "SH": 16, "UI": 64,
                                       "DA": 18, "TM": 28, "DT": 54, "AS": 4, "ST": 1024, "LT": 10240}.items()}


def age_over_band(value, top: int) -> bool:
    """An age string (AS) at or over the policy's open band (85+: "096Y", "1150M")."""
    values = list(value) if isinstance(value, (list, tuple, pydicom.multival.MultiValue)) else [value]
    per_year = {"Y": 1, "M": 12, "W": 52, "D": 365}
    for v in values:
        m = re.fullmatch(r"\s*(\d{3})([DWMY])\s*", str(v))
        if m and int(m.group(1)) >= top * per_year[m.group(2)]:
            return True
    return False


_LATIN1_SIGNS = re.compile(r"[\u0080-\u00ff]")


def value_leaks(text: str, identity: list[str], options, binary: bool = False) -> bool:
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
    # five digits or more of an ID of the file, cut from it ("ref 887766" for 0099887766)
    for run in re.findall(r"\d{5,}", low):
        if any(len(s) > len(run) and run in s for s in identity):
            return True
    if options is None:
        return False
    from deidentify.text import find_identifiers

    hits = find_identifiers(text, options=options)
    # in a binary value read as text, sample bytes show as Latin-1 signs ("ÿ_ÿNÿ" read as a handle):
    # an identifier a tool wrote there is ASCII or CJK text
    if any(h.kind != "NAME" and not (binary and _LATIN1_SIGNS.search(text[h.start:h.end])) for h in hits):
        return True
    # A name reaching the header cut-off anywhere, or any name that is most of a short value
    # (a value that *is* a name needs no context to be one).
    return any(h.score >= options.name_mask_min_score
               or (h.end - h.start) * 2 >= len(text.strip()) for h in hits if h.kind == "NAME")


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
