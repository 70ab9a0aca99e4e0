"""D1: the steward's scrub reads identifiers written in look-alike characters as a person does.

A note pasted from a web form, a phone or a word processor - or written to slip past the
finders - can carry invisible characters inside a number (zero-width space, joiners, word
joiner, byte-order mark, soft hyphen, direction marks, combining marks, variation selectors,
Hangul fillers), other scripts' digits (Arabic-Indic, Devanagari, Thai, mathematical ...), a
Cyrillic or Greek letter for the Latin letter of an ID, Chinese numerals with 〇 and dashes,
or a phone's groups split by slashes or underscores.  Each disguise is tried on each kind of
identifier through ``scrub_texts`` (what the loader calls on every free-text column); what comes
out, read as a person reads it, holds none of the identifier.  Ordinary clinical texts with
such characters are left as they were.
"""
from __future__ import annotations

import re

import pytest

from deidentify.identifiers.lookalike import fold
from deidentify.text import find_identifiers, find_identifiers_batch, scrub_texts

# (kind, sentence, the identifier as written in it, its placeholder)
IDENTIFIERS = [
    ("id", "病人身分證字號{}，今日回診。", "A123456789", "<ID>"),
    ("mobile", "家屬聯絡電話{}（女兒）。", "0912345678", "<PHONE>"),
    ("landline", "住家電話{}，晚上可聯絡。", "0223456789", "<PHONE>"),
    ("email", "Patient email: {} (son).", "chen.tm@gmail.com", "<EMAIL>"),
]


def _between(sep: str):
    return lambda s: sep.join(s)


def _digits(table: str):
    def swap(s: str) -> str:
        return "".join(table[int(c)] if c.isdigit() else c for c in s)
    return swap


def _letter(lookalike: str):
    return lambda s: lookalike + s[1:] if s[0] == "A" else s


DISGUISES = {
    "zero-width space": _between("\u200b"),
    "zero-width non-joiner": _between("\u200c"),
    "zero-width joiner": _between("\u200d"),
    "word joiner": _between("\u2060"),
    "byte-order mark": _between("\ufeff"),
    "soft hyphen": _between("\u00ad"),
    "left-to-right mark": _between("\u200e"),
    "Mongolian vowel separator": _between("\u180e"),
    "combining low line": lambda s: "".join(c + "\u0332" for c in s),
    "variation selector": _between("\ufe0f"),
    "Hangul filler": _between("\u3164"),
    "Braille blank": _between("\u2800"),
    "one zero-width space in the middle": lambda s: s[:4] + "\u200b" + s[4:],
    "Arabic-Indic digits": _digits("٠١٢٣٤٥٦٧٨٩"),
    "Extended Arabic-Indic digits": _digits("۰۱۲۳۴۵۶۷۸۹"),
    "Devanagari digits": _digits("०१२३४५६७८९"),
    "Bengali digits": _digits("০১২৩৪৫৬৭৮৯"),
    "Thai digits": _digits("๐๑๒๓๔๕๖๗๘๙"),
    "Myanmar digits": _digits("၀၁၂၃၄၅၆၇၈၉"),
    "mathematical bold digits": _digits("𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"),
    "mathematical double-struck digits": _digits("𝟘𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠𝟡"),
    "mathematical monospace digits": _digits("𝟶𝟷𝟸𝟹𝟺𝟻𝟼𝟽𝟾𝟿"),
    "full-width digits and a zero-width space": lambda s: "\u200b".join(_digits("０１２３４５６７８９")(s)),
}
LETTER_DISGUISES = {
    "Cyrillic A": _letter("А"),
    "Greek Alpha": _letter("Α"),
    "mathematical bold A": _letter("𝐀"),
    "Cyrillic A and a zero-width space": lambda s: "А" + "\u200b".join(s[1:]),
}


def _read(text: str) -> str:
    """``text`` as a person reads it."""
    return fold(text)[0]


def _leaks(out: str, ident: str) -> list[str]:
    """Pieces of ``ident`` (runs of 5 of its characters) readable in ``out``."""
    seen = re.sub(r"[\s\-]", "", _read(out)).lower()
    plain = ident.lower()
    return [plain[i:i + 5] for i in range(len(plain) - 4) if plain[i:i + 5] in seen]


def _members():
    for kind, sentence, ident, placeholder in IDENTIFIERS:
        for name, disguise in DISGUISES.items():
            if kind == "email" and "digits" in name:
                continue    # an e-mail address in other digits is not an address anyone can use
            yield pytest.param(sentence.format(disguise(ident)), ident, placeholder, id=f"{kind}-{name}")
    for name, disguise in LETTER_DISGUISES.items():
        yield pytest.param(IDENTIFIERS[0][1].format(disguise("A123456789")), "A123456789", "<ID>",
                           id=f"id-{name}")


@pytest.mark.parametrize("text, ident, placeholder", list(_members()))
def test_a_disguised_identifier_is_masked(text, ident, placeholder):
    """D1"""
    [out] = scrub_texts([text])
    assert placeholder in out, out
    assert _leaks(out, ident) == [], (out, _leaks(out, ident))


@pytest.mark.parametrize("text, ident, placeholder", list(_members())[::7])
def test_the_same_hits_for_egress_and_import_checks(text, ident, placeholder):
    """E7/D4 read through the same finders: one text alone and in a batch."""
    one = find_identifiers(text)
    [batch] = find_identifiers_batch([text, "無關的一句話。"])[:1]
    assert one and batch
    assert [(h.start, h.end) for h in one] == [(h.start, h.end) for h in batch]


HAN_NUMERAL_PHONES = [
    "聯絡電話〇九一二-三四五-六七八。",
    "聯絡電話〇九一二三四五六七八。",
    "家屬手機○九三三 一二三 四五六。",
    "電話：零二-二三四五-六七八九（住家）",
]


@pytest.mark.parametrize("text", HAN_NUMERAL_PHONES)
def test_a_phone_in_chinese_numerals_with_dashes_or_circles_is_masked(text):
    """D1"""
    [out] = scrub_texts([text])
    assert "<PHONE>" in out, out
    assert not re.search(r"[〇○零一二三四五六七八九]{3}", out), out


SPLIT_PHONES = [
    ("手機:0912/345/678", "0912345678"),
    ("手機 0912_345_678", "0912345678"),
    ("電話(02)2345/6789", "0223456789"),
    ("宅電 02/2345/6789", "0223456789"),
    ("家屬 0933/123/456（兒子）", "0933123456"),
    ("聯絡 0912/345678", "0912345678"),
]


@pytest.mark.parametrize("text, number", SPLIT_PHONES)
def test_a_phone_split_by_slashes_or_underscores_is_masked(text, number):
    """D1"""
    [out] = scrub_texts([text])
    assert "<PHONE>" in out and _leaks(out, number) == [], out


ORDINARY = [
    "就診日期 2023/01/15 08:30，血壓 120/80 mmHg，心跳 88/min。",
    "04/15/2023 10:20 抽血，WBC 12000/uL。",
    "07/12/2023 08:30 回診；民國112/01/15 追蹤。",
    "HbA1c 7.2/6.8/6.5，Cr 1.2/1.3/1.1/0.9/1.0 mg/dL。",
    "2023/12/01-2023/12/15 住院；劑量 500/125 mg q8h x 7/7 天。",
    "β-blocker 與 α-fetoprotein 12.3 ng/mL；γ-GT 45 U/L。",
    "Ранние данные; Ελληνικά δεδομένα; 數值 ١٢٣ mg。",
    "第一二章的結果；共三百四十五人，其中一百二十人為女性。",
    "體重 65\u200bkg，身高 170\u00adcm，BMI 22.5。",
    "file_2023_01_15_093012.csv 已上傳。",
    "分數 12/15/18/20/22，1/2/3/4/5/6/7/8/9。",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_clinical_text_with_such_characters_is_kept(text):
    [out] = scrub_texts([text])
    assert out == text
