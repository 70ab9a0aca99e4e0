"""Scans rewritten to open with a literal first character (issue 14, speed) match exactly what
their plain forms match.  Python's engine tries a pattern that opens with a look-around, or
that is compiled case-insensitive, at every position; one whose branches open with literals it
skips to their first characters at C speed.  Each rewritten scan is compared with its plain
form on the evaluation notes, the hand-written notes, the prefilter's label texts and mixtures
of context words, titles, labels and names in odd spellings (characters that match a Latin
letter under (?i): İ ı ſ K), by every match found and by a match tried at every position."""
from __future__ import annotations

import random
import re

import pytest

from deidentify.identifiers import (address_en, chinese_names, dates, labelled, name_context, phone, record_numbers,
                                    romanised_names, western_names)
from deidentify.identifiers.normalise import led_by, to_simplified
from deidentify.text import scrub
from tests.deidentify.eval.handwritten import cases as handwritten
from tests.deidentify.eval.notes import generate
from tests.deidentify.test_finder_gates import PARTS
from tests.deidentify.test_prefilter_never_hides import _texts as label_texts

MORE = ["Dr. Smith", "dr smith", "DR. LEE", "Mr Wang", "pt: Chen", "Pt Chen", "name:", "Name: John Doe", "NAME: jane",
        "家属王小明", "病人 Lin", "son-in-law Tom", "ſon Tom", "\u212aaren", "İnitials J.S.", "ınitials: C.W.L.",
        "initials AB", "INITIALS: A.B.", "sister Amy", "Sister, Amy", "xDr. Lee", "ARe John", "Patient Name: Wu",
        "c/o Bob", "CC Jim", "名为林美", "姓名为陈", "看护 Siti", "wife Ivy", "seen by Dr. Chen", "spoke with Mary",
        "王OO", "黄O明", "李○○", "陈**", "xO", "Ox", "OO", "0O", "aOO", "O", "MRN: 12345678", "mrn12345", "M.R.N. 1234-5",
        "Chart No. 5566", "chart A1234", "PID 778899", "patient id: 55667", "Pt No. 1234", "病历号：00123456",
        "住院号 1234567", "门诊编号#A12345", "Hospital No 66554", "record # 4455", "Medical Record Number 889900",
        "Sec. 3", "section 2", "Rd", "Road", "Taipei City", "Da'an Dist.", "Xinyi Rd", "sec", "SEC", "St.", "Sts",
        "Kinmen", "Matsu", "Avenue", "Ave", "Cityx", "Rdx", "出生 1950-03-04", "DOB: 1950/3/4", "D.O.B. 3/4/1950",
        "born on Mar 4, 1950", "Born 4 March 1950", "birthday 3月4日", "生日：3/4", "生于民国39年3月4日", "b. 1950",
        "date of birth 1950.03.04", "Nguyen Van An", "NGUYEN VAN AN", "Tran Thi Mai Lan", "xNguyen Van An",
        "Le Minh Duc", "(+886)", "+886 912 345 678", "(02)2771-3456", "a(02)", "x+886", "09l2", "0912‧345‧678",
        "A123456789", "a 123 456 789", "xA123456789", "A1234567890", "王·小明", "Dr.Smith", "mr.Lee", "瓦历斯·诺干",
        "a．b", "McDonald Smith", "MacArthur Lee", "O'NEIL JOHN", "O’Brien Amy", "OBrien X.", "Mcx Y", "Ma Ying",
        "LEE, J.", "xJohn Smith",
        "电话", "Tel:", "TEL", "phone", "Phone#", "cell", "CELL", "Mobile", "fax", "contact", "ᴛel", "号码",
        "fe80::1", "2001:DB8::ff00:42:8329", "::1", "a:b:c", "1:2:3:4:5:6:7:8:9", "g::", ":::", "ABCDE:", "ip 10:20:30",
        "www.", "WWW.x", "wWw.", "ww.", "Chen-Wei", "YA-TING", "a-b", "abcdefgh-ijklmnop", "-x", "1234 5678 9012",
        "1234-5678-9012", "0000.1111·2222", "123456789012", "1234  5678", "0912", "12:30"]
SCANS = [
    ("CONTEXT_NAME", western_names.CONTEXT_NAME, re.compile(western_names.PLAIN_CONTEXT_NAME)),
    ("INITIALS", western_names.INITIALS, re.compile(western_names.PLAIN_INITIALS)),
    ("MASK_RUN", chinese_names._MASK_RUN, re.compile(chinese_names.PLAIN_MASK_RUN)),
    ("MRN", record_numbers.MRN, re.compile(record_numbers.PLAIN_MRN, re.IGNORECASE)),
    ("ANCHOR", address_en.ANCHOR, re.compile(r"(?=[A-Zs])" + address_en.ANCHOR.pattern)),
    ("DOB_BEFORE", dates.DOB_BEFORE, re.compile(dates.PLAIN_DOB_BEFORE, re.IGNORECASE)),
    ("BIRTHDAY_BEFORE", dates.BIRTHDAY_BEFORE, re.compile(dates.PLAIN_BIRTHDAY_BEFORE, re.IGNORECASE)),
    ("BARE_ID", labelled.BARE_ID, re.compile(labelled.PLAIN_BARE_ID)),
    ("SEPARATED_ID", labelled.SEPARATED_ID, re.compile(labelled.PLAIN_SEPARATED_ID)),
    ("DOT_CHARS", name_context._DOT_CHARS, re.compile(name_context.PLAIN_DOT_CHARS)),
    ("PHONE_RUN", phone._RUN, re.compile(phone.PLAIN_RUN)),
    ("PAIR", western_names.PAIR, re.compile(western_names.PLAIN_PAIR)),
    ("VIETNAMESE", western_names.VIETNAMESE, re.compile(western_names.PLAIN_VIETNAMESE)),
    ("IPV6", labelled.IPV6, re.compile(labelled.PLAIN_IPV6, re.IGNORECASE)),
    ("WWW", labelled._WWW, re.compile(labelled.PLAIN_WWW)),
    ("HYPHEN_PAIR", romanised_names.HYPHEN_PAIR, re.compile(romanised_names.PLAIN_HYPHEN_PAIR)),
    ("CARD_GATE", record_numbers.CARD_GATE, re.compile(record_numbers.PLAIN_CARD_GATE)),
    ("PHONE_GROUP", phone._GROUP, re.compile(phone.PLAIN_GROUP)),
    ("PHONE_WORDS", scrub._PREFILTERS[3], re.compile(led_by(phone.LOCAL_CONTEXT.pattern.split("[^")[0],
                                                            "电手联市家宅住公传分拨行号tpfcm"), re.IGNORECASE)),
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    base = [c.text for c in generate(40, 4242) + generate(40, 99) + handwritten()] + label_texts()
    rng = random.Random(1415)
    parts = PARTS + MORE
    mixed = ["".join(rng.choice(parts) for _ in range(rng.randint(1, 8))) for _ in range(8000)]
    return [to_simplified(t) for t in base] + base[:200] + mixed


def _spans(m: re.Match[str]) -> tuple:
    return (m.span(), *(m.span(g) for g in range(1, (m.re.groups or 0) + 1)))


@pytest.mark.parametrize("name,fast,plain", SCANS, ids=[s[0] for s in SCANS])
def test_same_matches_as_the_plain_form(texts, name, fast, plain):
    differ = [t for t in texts if [_spans(m) for m in fast.finditer(t)] != [_spans(m) for m in plain.finditer(t)]]
    assert differ == []
    for t in texts[::7]:
        for pos in range(len(t) + 1):
            a, b = fast.match(t, pos), plain.match(t, pos)
            assert (a and _spans(a)) == (b and _spans(b)), (name, t, pos)


@pytest.mark.parametrize("name,fast,plain", SCANS, ids=[s[0] for s in SCANS])
def test_the_corpus_exercises_the_scan(texts, name, fast, plain):
    # the comparison above means something only where the scans match
    assert sum(1 for t in texts if plain.search(t)) > 50


def test_case_variants_of_the_letters_listed():
    # INITIALS and MRN list what (?i) lets their first letter stand for: the two ASCII cases, and
    # for i also İ and ı; the others have no further form (s and k do, but _CONTEXT's plain form
    # allowed only ASCII letters first, and MRN's labels do not open with them)
    extra = {}
    for x in range(0x80, 0x110000):
        for c in "abcdefhimnprsw":
            if re.fullmatch("(?i)" + c, chr(x)):
                extra.setdefault(c, set()).add(chr(x))
    assert extra == {"i": {"\u0130", "\u0131"}, "s": {"\u017f"}}      # (IPV6's a-f, _WWW's w: none)


@pytest.mark.parametrize("name,fast,plain", SCANS, ids=[s[0] for s in SCANS])
def test_the_rewritten_scan_opens_with_a_literal(name, fast, plain):
    # what makes it fast: the engine reads a literal or a set of first characters off the
    # pattern (the plain form gives it none)
    def prefix(rx):
        parsed = re._parser.parse(rx.pattern, rx.flags)
        return re._compiler._get_literal_prefix(parsed, rx.flags)[0] or re._compiler._get_charset_prefix(parsed, rx.flags)
    assert prefix(fast) and not prefix(plain)


# Possessive rewrites (no giving back of a word's letters, since what may follow them cannot be one)
POSSESSIVE = [
    ("PAIR_GATE", western_names.PAIR_GATE, re.compile(r"[A-Z][A-Za-z'’\-]*\.?,?[ \t]+[A-Z]")),
]


@pytest.mark.parametrize("name,fast,plain", POSSESSIVE, ids=[s[0] for s in POSSESSIVE])
def test_possessive_scans_match_as_the_plain_form(texts, name, fast, plain):
    test_same_matches_as_the_plain_form(texts, name, fast, plain)
    assert sum(1 for t in texts if plain.search(t)) > 50


LATIN_PLAIN = re.compile(r"[A-Z][A-Za-z'’\-]*\.?[,:：]?[ \t]+[A-Z]")
CRAFTED = ["AOISB" * 200 + " X", "iPhone X and xDr. Huang", "McDonald Smith Jr. Lee", "a" + "B" * 300,
           "O'Brien, Mary-Ann", "eGFR: Normal", "pH 7.4 Wang Xiaoming", "Dr.Huang Wang"]


def test_the_latin_candidate_gates_the_same_texts_where_words_start(texts):
    """The scan is tried only where a word starts (a lower-case head skipped): it finds a match
    in exactly the lines the plain form does (the spans differ: the plain form also restarts
    inside a word whose head it consumed, CHEN CHUN HAN), so it gates the same texts; tried at every capital, a run of capitals cost the square of
    its length (bench/deid_growth.py 'capital letters')."""
    fast = scrub._LATIN_CANDIDATE
    for t in list(texts) + CRAFTED:
        for line in t.split("\n"):
            assert bool(fast.search(line)) == bool(LATIN_PLAIN.search(line)), line
    assert sum(1 for t in texts if LATIN_PLAIN.search(t)) > 50
    assert fast.pattern.startswith("(?<![A-Za-z")
