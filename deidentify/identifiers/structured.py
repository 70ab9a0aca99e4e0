"""Identifiers in structured text pasted into a note: a table whose header names the column
(CSV, TSV, pipe or Markdown tables: 姓名,身分證,電話 / Name | DOB), key-value records (JSON,
dicts, YAML: "birthday": "1970-01-15") and HL7 v2 patient segments (PID|…, NK1|…).  The header,
key or segment field says what a value is, so the whole value is masked whatever its shape -
a name that is also a word (林大同), a date without a birth word, a number no finder accepts.

Matching runs on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

import re

from deidentify.identifiers.regex_gate import literal_led
from deidentify.regex_cache import compiled

# header or key words (lower case, normalised) -> kind
_WORDS = {
    "NAME": ("姓名", "名字", "病人姓名", "患者姓名", "病患姓名", "个案姓名", "联络人", "联络人姓名", "家属", "家属姓名",
             "name", "patient name", "full name", "patient", "pt name", "contact", "contact name", "next of kin",
             "first name", "last name", "surname", "given name", "family name", "firstname", "lastname"),
    "ID": ("身分证", "身份证", "身分证号", "身份证号", "身分证字号", "身份证字号", "身分证号码", "统一编号", "证号", "居留证号",
           "护照号码", "id", "idno", "id no", "id_no", "national id", "id number", "nid", "passport", "arc",
           # (D1, round 5) a device list pasted from Excel: the machine's network card and serial
           # lead to the bed and day it served
           "mac", "mac address", "序号", "机身序号", "serial", "serial no", "s/n", "sn", "imei", "ip", "ip address"),
    "PHONE": ("电话", "手机", "联络电话", "行动电话", "市话", "连络电话", "tel", "phone", "mobile", "cell", "telephone",
              "phone number", "contact number"),
    "ADDRESS": ("地址", "住址", "户籍", "户籍地址", "通讯地址", "居住地址", "address", "addr", "home address"),
    "DOB": ("生日", "出生日期", "出生年月日", "出生", "dob", "birthday", "birth date", "birthdate", "date of birth",
            "birth_date", "date_of_birth"),
    "EMAIL": ("email", "e-mail", "电子邮件", "电子信箱", "信箱", "mail"),
    "MRN": ("病历号", "病历号码", "病历编号", "mrn", "chart no", "chart number", "medical record number", "record no"),
}
_KIND = {w: kind for kind, words in _WORDS.items() for w in words}
_DELIMS = (",", "\t", "|", ";", "；", "，")
_CELL_CLEAN = compiled(r"^[ \t*_`\"'#:：]+|[ \t*_`\"'#:：]+$")

# "key": "value" / 'key': value / key: value (one line) for the same words
# (a quoted key or value is a record; an unquoted one may be prose - "Patient: stable" - so only
# the kinds whose values have a shape of their own are taken unquoted, up to a blank or a
# sentence's punctuation)
_KEY_VALUE = compiled(r"(?P<kq>[\"'])?(?P<k>[a-z_][a-z _\-]{1,24}|[\u4e00-\u9fff]{2,6})(?(kq)[\"'])[ \t]*[:：=][ \t]*"
                      r"(?:\"(?P<q>[^\"\n]{1,120})\"|'(?P<s>[^'\n]{1,120})'|(?P<v>[^\s,;|}\]。；，、）)]{1,40}))",
                      re.IGNORECASE)
_UNQUOTED_KINDS = {"ID", "PHONE", "DOB", "EMAIL", "MRN"}
_NUMBER_KINDS = {"ID", "PHONE", "DOB", "MRN"}
# HL7 v2: the fields of a patient (PID) or next-of-kin (NK1) segment that identify a person
# (segments end at a line break, which normalise.join_broken_lines may have turned into blanks
# or hyphens: the next segment's name ends a field too)
_HL7_SEGMENT = compiled(r"(?:^|[\r\n \t\-])(?P<seg>PID|NK1|PV1|IN1|GT1)\|(?P<rest>(?:(?![\r\n \t\-][A-Z][A-Z0-9]{2}\|)[^\r\n])*)",
                        re.IGNORECASE)
_HL7_FIELDS = {
    "PID": {2: "ID", 3: "ID", 4: "ID", 5: "NAME", 6: "NAME", 7: "DOB", 9: "NAME", 11: "ADDRESS", 12: "ID",
            13: "PHONE", 14: "PHONE", 18: "ID", 19: "ID", 20: "ID"},
    "NK1": {2: "NAME", 4: "ADDRESS", 5: "PHONE", 6: "PHONE", 13: "NAME"},
    "PV1": {7: "NAME", 8: "NAME", 9: "NAME", 17: "NAME", 52: "NAME"},
    "IN1": {16: "NAME", 18: "DOB", 19: "ADDRESS", 36: "ID", 49: "ID"},
    "GT1": {3: "NAME", 5: "ADDRESS", 6: "PHONE", 7: "PHONE", 8: "DOB", 12: "ID"}}
# A header or key word with a delimiter after it (a table header, a record key), each branch
# opening with a literal so the engine skips to first characters at C speed; every table and
# record finding starts at one.
_WORD_ALTERNATION = "|".join(sorted((re.escape(w) for w in _KIND), key=len, reverse=True))
WORD_GATE = compiled(literal_led(_WORD_ALTERNATION) + r"[\"'* \t]*[,\t|;；，:：=]")
_HL7_GATE = compiled(r"(?i:pid|nk1|pv1|in1|gt1)\|")
_RECORD_MARK = compiled(r"[\"'\t|\r\n]")
# for the scrubber's prefilter: every finding is in a text with one of these (a header/key word
# scan over a whole column costs ~20x this character set, and most texts are one-line prose)
PREFILTER = _RECORD_MARK


def _kind_of(cell: str) -> str | None:
    return _KIND.get(_CELL_CLEAN.sub("", cell).lower())


def _header(cells: list[str]) -> bool:
    """A table's header: two or more cells naming identifiers, or one beside short column labels
    (Age, Sex, 診斷); a sentence with commas is none."""
    named = [c for c in cells if c.strip()]
    kinds = sum(1 for c in named if _kind_of(c))
    others = [c.strip() for c in named if not _kind_of(c)]
    return len(named) >= 2 and kinds >= 1 and (kinds >= 2 or all(
        len(c) <= 12 and len(c.split()) <= 2 and not any(ch.isdigit() for ch in c) for c in others))


def _tables(text: str) -> list[tuple[int, int, str]]:
    out = []
    lines, pos = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, line.rstrip("\r\n")))
        pos += len(line)
    k = 0
    while k < len(lines):
        start, line = lines[k]
        delim = next((d for d in _DELIMS if d in line and _header(line.split(d))), None)
        if delim is None:
            k += 1
            continue
        kinds = {i: kd for i, c in enumerate(line.split(delim)) if (kd := _kind_of(c))}
        k += 1
        while k < len(lines) and lines[k][1].count(delim) == line.count(delim):
            start, row = lines[k]
            col_at = start
            for i, cell in enumerate(row.split(delim)):
                value = cell.strip(" \t\"'")
                if i in kinds and value and not set(value) <= set("-:= "):
                    a = col_at + cell.index(value)
                    out.append((a, a + len(value), kinds[i]))
                col_at += len(cell) + len(delim)
            k += 1
    return out


def _key_values(text: str) -> list[tuple[int, int, str]]:
    out = []
    for w in WORD_GATE.finditer(text):
        at = w.start() - 1 if w.start() and text[w.start() - 1] in "\"'" else w.start()
        if at and (text[at - 1].isascii() and text[at - 1].isalnum()):
            continue      # inside a word (username:, telephone is its own key)
        m = _KEY_VALUE.match(text, at)
        if m is None:
            continue
        kind = _KIND.get(m.group("k").strip().lower())
        if kind is None:
            continue
        g = next(g for g in ("q", "s", "v") if m.group(g) is not None)
        if g == "v" and m.group("kq") is None and kind not in _UNQUOTED_KINDS:
            continue
        if kind in _NUMBER_KINDS and sum(c.isnumeric() for c in m.group(g)) < 3:
            continue      # program text (dtype={'ID': str}, {'DOB': 'datetime64[ns]'}), not a number
        value = m.group(g).strip()
        if value and any(c.isalnum() for c in value):
            a = m.start(g) + m.group(g).index(value)
            out.append((a, a + len(value), kind))
    return out


def _hl7(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _HL7_SEGMENT.finditer(text):
        wanted = _HL7_FIELDS[m.group("seg").upper()]
        at = m.start("rest")
        for n, field in enumerate(m.group("rest").split("|"), start=1):
            if n in wanted and field.strip("^~& "):
                out.append((at, at + len(field), wanted[n]))
            at += len(field) + 1
    return out


def find(simplified: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of values a header, key or HL7 field names; kind is one of NAME, ID,
    PHONE, ADDRESS, DOB, EMAIL, MRN."""
    out = []
    # (a one-line text with no quote, tab or pipe is prose: its "DOB: …" is the labelled and
    # date finders' work, and skipping the scan keeps the common case cheap)
    if _RECORD_MARK.search(simplified) and WORD_GATE.search(simplified):
        out += _key_values(simplified)
        if "\n" in simplified or "\r" in simplified or "|" in simplified:
            out += _tables(simplified)
    if "|" in simplified and _HL7_GATE.search(simplified):
        out += _hl7(simplified)
    return out
