"""Bed numbers written without a bed label (D1, round 4).

``labelled`` masks what follows 床號/床位/病床/bed; notes also write the bed after it (7B-12床,
住 7B-12 床, 10B 12床, ICU-3 床) or only its ward-and-bed shape (病人 7B12 夜間躁動, 轉 5A-07).
A bed names the one patient lying in it on the day of the note, so it is masked like the labelled one.
- with 床 after it: a ward letter or a dash makes it a bed (7B-12床, 12-1床, RCW-5床); digits
  alone (12床) only after a word of lying or moving there (住 12 床, 轉入12床): 共12床, 3床病人
  count beds or say which one, and 13床王小明's name is name_scans' business;
- without 床: floor digits, a ward letter (upper case, as wards are printed), then the bed's two or
  three digits (7B12, 7B-12, 12A-03); a letter before the digits (CYP3A4, B12) makes it a gene or a
  vitamin, and one digit after the letter (3A4) is not a bed.
Runs on normalised text (half-width, Simplified; same offsets); case is kept there.
"""
from __future__ import annotations

import re

_NOT_AFTER_BED = r"(?!号|位|边|旁|头|尾|上|下|单|栏|垫|帘|数|次)"
WITH_BED = re.compile(
    r"(?<![0-9A-Za-z\-])(?:(?:[A-Z]{2,4}[ \t\-]?|[0-9]{1,2}[A-Z]{1,2}[ \t\-]?)[0-9]{1,3}|[0-9]{1,2}[A-Z]{1,2}"
    r"|[0-9]{1,3}[ \t]*-[ \t]*[0-9]{1,3})[ \t]*床" + _NOT_AFTER_BED)
# digits alone before 床 after a word of lying or moving there
MOVED_TO = re.compile(r"(?:住|住在|转|转入|转至|转到|入住|移至|移到|换到|换至|送回|回到|位于)[ \t]*(?P<v>[0-9]{1,3}[ \t]*床)"
                      + _NOT_AFTER_BED)
WARD_BED = re.compile(r"(?<![0-9A-Za-z\-.])[0-9]{1,2}[A-Z]{1,2}[ \t]?-?[ \t]?[0-9]{2,3}(?![0-9A-Za-z])(?![ \t]*(?:mg|ml|cc|kg|cm|mm|g\b|%))")
# (D1, round 8) an intensive-care or respiratory-care bed written without 床 (in ICU-5, S: CCU-12):
# such a unit's beds are few and numbered, the dash makes it a bed (ICU 3 days stays)
UNIT_BED = re.compile(r"(?<![0-9A-Za-z\-])(?:[MSNPBCE]?ICU|CVICU|CCU|RCW|RCC)[ \t]*-[ \t]*[0-9]{1,2}(?![0-9A-Za-z])")
# every match holds a digit then 床, or a digit then an upper-case ward letter, or a unit and a
# dash (prefilter, gate)
GATE = re.compile(r"[0-9](?:[ \t]*床|[A-Z])|[UWC][ \t]*-[ \t]*[0-9]")


def find(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of bed numbers (without 床)."""
    if not GATE.search(simplified):
        return []
    out = []
    for m in WITH_BED.finditer(simplified):
        out.append((m.start(), m.end() - 1))
    for m in MOVED_TO.finditer(simplified):
        out.append((m.start("v"), m.end("v") - 1))
    out += [m.span() for m in WARD_BED.finditer(simplified)]
    out += [m.span() for m in UNIT_BED.finditer(simplified)]
    # (the number without the spaces before 床)
    return [(a, a + len(simplified[a:b].rstrip())) for a, b in out]
