"""Taiwan national IDs and resident certificate numbers: checksum, validation, generation.

Formats (all one letter for the place of registration, then digits):
- national ID: ``A123456789``; the first digit is 1 (male) or 2 (female);
- resident certificate since 2021: the first digit is 8 (male) or 9 (female);
- old resident certificate: a second letter A–D (A/C male, B/D female), then 8 digits.

Checksum: the place letter's two-digit value n1 n2 and the nine following digits d1..d9
satisfy n1 + 9·n2 + 8·d1 + 7·d2 + … + 1·d8 + d9 ≡ 0 (mod 10).  In the old form the second
letter counts as the units digit of its letter value.
"""
from __future__ import annotations

import random
import re

LETTER_VALUE = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18,
    "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27,
    "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
# Letters issued for current registrations (others are historical but still valid).
ID_SHAPE = re.compile(r"[A-Z][A-D0-9]\d{8}")
NATIONAL = re.compile(r"[A-Z][12]\d{8}")
RESIDENT_NEW = re.compile(r"[A-Z][89]\d{8}")
RESIDENT_OLD = re.compile(r"[A-Z][A-D]\d{8}")


def _digits(s: str) -> list[int] | None:
    s = s.upper()
    if not ID_SHAPE.fullmatch(s):
        return None
    n = LETTER_VALUE[s[0]]
    second = LETTER_VALUE[s[1]] % 10 if s[1].isalpha() else int(s[1])
    return [n // 10, n % 10, second] + [int(c) for c in s[2:]]


def checksum_ok(s: str) -> bool:
    d = _digits(s)
    return d is not None and sum(w * x for w, x in zip(WEIGHTS, d)) % 10 == 0


# The checksum's terms read off a table (the scrubber asks this of every ID-shaped token):
# the place letter's two digits weighted 1 and 9, the second character's value weighted 8.
_PLACE_TERM = {c: n // 10 + 9 * (n % 10) for c, n in LETTER_VALUE.items()}
_SECOND = {**{d: (int(d), None) for d in "0123456789"}, "1": (1, "national"), "2": (2, "national"),
           "8": (8, "resident_new"), "9": (9, "resident_new"),
           **{c: (LETTER_VALUE[c] % 10, "resident_old") for c in "ABCD"}}


def kind(s: str) -> str | None:
    """'national', 'resident_new', 'resident_old' or None when not a valid number (the
    shapes and checksum of ``checksum_ok`` and the three forms; test_taiwan_id compares)."""
    s = s.upper()
    if len(s) != 10:
        return None
    place, second = _PLACE_TERM.get(s[0]), _SECOND.get(s[1])
    rest = s[2:]
    if place is None or second is None or second[1] is None or not rest.isdecimal():   # (\d: Unicode Nd)
        return None
    total = place + 8 * second[0] + sum(w * int(c) for w, c in zip(WEIGHTS[3:], rest))
    return second[1] if total % 10 == 0 else None


def is_valid(s: str) -> bool:
    return kind(s) is not None


def sex_of(s: str) -> str | None:
    k = kind(s)
    if k is None:
        return None
    c = s[1].upper()
    return "M" if c in "18AC" else "F"


def _complete(prefix: str) -> str:
    """Append the check digit to a 9-character prefix (letter, second char, 7 digits)."""
    partial = _digits(prefix + "0")
    assert partial is not None
    total = sum(w * x for w, x in zip(WEIGHTS[:-1], partial[:-1]))
    return prefix + str((10 - total % 10) % 10)


def generate(rng: random.Random, form: str = "national", sex: str | None = None) -> str:
    """A random valid number of the given form ('national', 'resident_new', 'resident_old')."""
    sex = sex or rng.choice("MF")
    letter = rng.choice(list(LETTER_VALUE))
    if form == "national":
        second = "1" if sex == "M" else "2"
    elif form == "resident_new":
        second = "8" if sex == "M" else "9"
    elif form == "resident_old":
        second = rng.choice("AC" if sex == "M" else "BD")
    else:
        raise ValueError(f"unknown ID form {form!r}")
    return _complete(letter + second + "".join(rng.choice("0123456789") for _ in range(7)))


# ---- finding numbers in text (normalised: half-width, same offsets) ---------------------------

# Separators people put inside a number: spaces, dots, hyphens, underscores, middle dots, up
# to three in a row (A123 - 456 - 789).  Never a line break.
_SEP = r"[ \t.\-_·‧•・]{0,3}"
# (the letter first, then the look-behind that no letter stands before it: a pattern opening
# with a character set is skipped to at C speed, one opening with a look-behind is tried at
# every character; PLAIN_FIND is the plain form, tests/deidentify/test_finder_gates.py)
PLAIN_FIND = r"(?<![A-Za-z])[A-Za-z]" + _SEP + r"[0-9A-Da-d](?:" + _SEP + r"[0-9]){8}(?![0-9])"
FIND = re.compile(r"[A-Za-z](?<![A-Za-z][A-Za-z])" + _SEP + r"[0-9A-Da-d](?:" + _SEP + r"[0-9]){8}(?![0-9])")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")
# NHI drug codes: a maker letter (A domestic, B imported, N, K …), a second letter, then eight
# digits; about one in ten of those with A–D second also passes the old resident checksum.
DRUG_CODE_SHAPE = re.compile(r"[ABNKJX][A-D][0-9]{8}")


def compact(s: str) -> str:
    """The ten characters of a written number, upper case, separators removed."""
    return _NON_ALNUM.sub("", s).upper()


def find(simplified: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of checksum-valid numbers, however separated or cased."""
    out = []
    for m in FIND.finditer(simplified):
        k = kind(compact(m.group()))
        if k is not None:
            out.append((m.start(), m.end(), k))
    return out


# ---- numbers read by OCR with letters for digits (D1, round 4) ---------------------------------
# A scanned form read by OCR writes O for 0, I or l for 1, S for 5, B for 8 (SII4I7776I for
# S114177761).  A token of the ID's length whose swapped letters read back as digits and then pass
# the checksum is the number.  At least five real digits stay (a word has none), and at least one
# letter among the last eight was swapped (the plain number is ``find``'s).  The second place
# reads B as 8 (the 2021 resident form) unless B itself makes a valid old resident number.
_OCR_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8"}
OCR_FIND = re.compile(r"[A-Za-z](?<![A-Za-z][A-Za-z])[0-9A-DOoIl|S][0-9OoIl|SB]{8}(?![0-9A-Za-z])")


def ocr_reading(token: str) -> str | None:
    """The valid number ``token`` stands for when OCR swapped letters for digits, else None."""
    # (a letter among the eight digits: B in the second place alone is the old resident form or
    # an NHI drug code, BB06127100, which find and old_form_score weigh)
    if len(token) != 10 or sum(c.isdigit() for c in token[1:]) < 5 or token[2:].isdigit():
        return None
    head = token[0].upper()
    tail = "".join(_OCR_DIGIT.get(c, c) for c in token[2:])
    for second in dict.fromkeys((token[1].upper() if token[1] in "B" else "", _OCR_DIGIT.get(token[1], token[1]))):
        if second and is_valid(head + second + tail):
            return head + second + tail
    return None


def find_ocr(simplified: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of OCR-garbled numbers (``ocr_reading``)."""
    out = []
    for m in OCR_FIND.finditer(simplified):
        reading = ocr_reading(m.group())
        if reading is not None:
            out.append((m.start(), m.end(), kind(reading)))
    return out
