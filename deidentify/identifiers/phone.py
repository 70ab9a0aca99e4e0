"""Taiwan telephone numbers: structural validation of mobile and landline numbers.

National significant numbers (after the trunk prefix 0 or the country code +886):
- mobile: 9 + 8 digits (written 09xx-xxx-xxx);
- landline: an area code then a subscriber number whose first digit is 2–9 (subscriber numbers
  never start with 0 or 1), with the subscriber length fixed by the area:
  02 → 8, 03 → 7, 037 → 6, 04 → 7 or 8, 049 → 7, 05 → 7, 06 → 7, 07 → 7, 08 → 7,
  089 → 6, 082 → 6, 0826 → 5, 0836 → 5.
This rejects 10-digit codes such as hospital IDs (``0401180014``: after 04 comes a 0).
"""
from __future__ import annotations

import re
from itertools import accumulate

# Longest area codes first so 0826 wins over 082 and 037 over 03.
_AREAS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("826", (5,)), ("836", (5,)),
    ("37", (6,)), ("49", (7,)), ("89", (6,)), ("82", (6,)),
    ("2", (8,)), ("3", (7,)), ("4", (7, 8)), ("5", (7,)), ("6", (7,)), ("7", (7,)), ("8", (7,)),
)
_NON_DIGIT = re.compile(r"\D")


def national_number(text: str, *, loose: bool = False) -> str | None:
    """The digits after 0/+886 when ``text`` is a well-formed Taiwan number, else None.
    ``loose``: a subscriber number may start with 0 or 1 (numbers made up for a form, 07-123-4567;
    the caller uses it only for numbers written in phone groups).

    Extensions (``#123``, ``ext 12``, ``分機12``) must be cut off by the caller.
    """
    raw = text.strip().lstrip("(")
    digits = _NON_DIGIT.sub("", raw)
    if digits.startswith("00886"):       # international prefix dialled from Taiwan: 00 886 …
        digits = digits[2:]
    if raw.startswith("+") or digits.startswith("886"):
        if not digits.startswith("886"):
            return None
        nsn = digits[3:]
        if nsn.startswith("0"):  # "+886 (0)2 …" written with the trunk 0
            nsn = nsn[1:]
    elif digits.startswith("0"):
        nsn = digits[1:]
    else:
        return None
    return nsn if _valid_nsn(nsn, loose) else None


def _valid_nsn(nsn: str, loose: bool = False) -> bool:
    if not nsn or nsn[0] == "0":
        return False
    if nsn[0] == "9":
        return len(nsn) == 9
    # 037 + 6 digits and 03 + 7 digits both exist: any area that fits makes the number valid
    first = "0123456789" if loose else "23456789"
    return any(nsn.startswith(area) and len(nsn) - len(area) in lengths and nsn[len(area)] in first
               for area, lengths in _AREAS)


def kind(text: str) -> str | None:
    """'mobile', 'landline' or None."""
    nsn = national_number(text)
    if nsn is None:
        return None
    return "mobile" if nsn[0] == "9" else "landline"


def is_valid(text: str) -> bool:
    return national_number(text) is not None


# ---- finding numbers in text (normalised: half-width, same offsets) ---------------------------

# (led by its possible first characters: the engine skips to them instead of trying each position)
_RUN_REST = r"(?:[0-9]|[ \t.\-()‧·•/_]{1,4}(?=[0-9(]))*[0-9)]?"   # (4: a hyphen, a wrapped line's blanks)
PLAIN_RUN = r"(?=[0-9(+])(?<![0-9A-Za-z])(?:\(?\+|\()?[0-9]" + _RUN_REST
# The same, opening with its first character ( ( + or a digit, then the look-behind on what
# stands before it): a pattern opening with a look-around is tried at every position.
_RUN = re.compile(r"[0-9(+](?:(?<=\()(?<![0-9A-Za-z]\()\+?[0-9]|(?<=\+)(?<![0-9A-Za-z]\+)[0-9]"
                  r"|(?<=[0-9])(?<![0-9A-Za-z][0-9]))" + _RUN_REST)
PLAIN_GROUP = r"[0-9]+"
_GROUP = re.compile(r"[0-9][0-9]*")     # (opening with a set, not a repeat: skipped to)
_EXT = re.compile(r"[ \t]*(?:#|ext\.?|x|分机|转|分機|轉)[ \t]*[0-9]{1,5}(?![0-9])", re.IGNORECASE)
# A slash or underscore between groups (0912/345/678, a file name's 0912_345_678) separates
# a phone's groups only when no other separator joins in (a date then a time: 04/15/2023 10:20).
_SLASHED_OTHERWISE = re.compile(r"[/_](?=.*[ \t.\-‧·•])|[ \t.\-‧·•](?=.*[/_])", re.S)
# (D1, round 8) a date (2026/12/03, 112-03-05) after a phone word is the call's date, not a local number
_DATE_SHAPE = re.compile(r"(?:19|20)?[0-9]{2,3}([/\-.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])")
LOCAL_CONTEXT = re.compile(r"(?:电话|手机|联络|联系|tel|phone|市话|家电|宅电|住家|公司|传真|fax|分机|call|拨|行动|mobile|contact"
                           r"|cell|号码)[^0-9\n]{0,8}$", re.IGNORECASE)


def find(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of Taiwan phone numbers: the longest prefix of each run of digit groups
    that is a valid number (a run may glue a number to a following one: '02-2345-6789 123');
    local numbers without an area code (7–8 digits, first 2–9) only after a phone word."""
    out = []
    for m in _RUN.finditer(simplified):
        if m.end() - m.start() < 7:
            continue       # fewer than 7 digits: no number below is one (lab values, doses, dates)
        # a number has at most 6 groups, or 10 when written a digit at a time (0 9 1 2 …)
        groups = list(_GROUP.finditer(simplified, m.start(), m.end()))[:12]
        found = _longest(simplified, m.start(), m.end(), groups)
        # (round 8) a number glued by a slash to a number before it (… City 110/0933610225/…):
        # tried again from the group after each slash
        for g in range(1, len(groups)):
            if found:
                break
            if simplified[groups[g].start() - 1] == "/":
                found = _longest(simplified, groups[g].start(), m.end(), groups[g:])
        if found:
            out.append(found)
    return out


def _longest(simplified: str, start: int, stop: int, groups: list) -> tuple[int, int] | None:
    """The longest prefix of the run at ``start`` (its ``groups``) that is a valid number."""
    # digits in the first k groups; every number accepted below has at least 7 (local numbers
    # 7, others 9+), so a shorter prefix is never tried
    held = list(accumulate(g.end() - g.start() for g in groups))
    for k in range(len(groups), 0, -1):
        if held[k - 1] < 7:
            break
        end = groups[k - 1].end()
        if end < stop and simplified[end] == ")":
            end += 1
        piece = simplified[start:end]
        if _SLASHED_OTHERWISE.search(piece):
            continue    # 04/15/2023 10:20 - a date and a time, not one number
        digits = "".join(g.group() for g in groups[:k])
        ok = national_number(piece) is not None
        # written in phone groups (07-123-4567, +886-7-123-4567, (07)123-4567): a number even
        # when its subscriber part starts with 1 - an unbroken 10-digit code still is not one
        if not ok and k >= 2 and (k >= 3 or piece.startswith(("+", "("))):
            ok = national_number(piece, loose=True) is not None
        if not ok and 7 <= len(digits) <= 8 and digits[0] in "23456789" and not piece.startswith(("+", "(")) \
                and not _DATE_SHAPE.fullmatch(piece):
            ok = bool(LOCAL_CONTEXT.search(simplified, max(0, start - 16), start))
        if ok:
            ext = _EXT.match(simplified, end)
            return start, ext.end() if ext else end
    return None


# (D1, round 10) An extension told without its number (請撥分機 23, 轉分機：5566, 內線#1234,
# ext. 123): the digits reach the person at the desk as a number does.  Two to six digits after
# the word, not a floor, a bed or a count after them (分機在 2 樓 is no extension's number).
EXTENSION = re.compile(r"(?:分机|内线|(?<![A-Za-z])ext(?:ension)?\.?)[ \t]*(?:号码|号)?[ \t]*[:：#]?[ \t]*"
                       r"(?P<n>[0-9]{2,6})(?![0-9])(?![ \t]*(?:楼|层|床|台|支|个|次|分钟|min|F(?![A-Za-z])))",
                       re.IGNORECASE)
EXTENSION_GATE = re.compile(r"分机|内线|(?i:ext)")


def find_extensions(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of the digits of extensions written without a full number before them (a
    full number's extension is part of its span already)."""
    return [m.span("n") for m in EXTENSION.finditer(simplified)]


# A number written in Chinese numerals (零九一二三四五六七八, 〇二二七七一二一七一): read digit
# by digit; a mobile number anywhere, a landline after a phone word.
_HAN_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")
HAN_RUN = re.compile(r"[零〇][零〇一二三四五六七八九]{6,11}(?![零〇一二三四五六七八九])")


def find_han(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of Taiwan phone numbers written in Chinese numerals."""
    out = []
    for m in HAN_RUN.finditer(simplified):
        digits = m.group().translate(_HAN_DIGITS)
        nsn = national_number(digits)
        if nsn and (nsn[0] == "9" or LOCAL_CONTEXT.search(simplified, max(0, m.start() - 16), m.start())):
            out.append(m.span())
    return out


# (D1, round 3) A number someone half-hid (0912-xxx-678, 0912345xxx, (02)2xxx-5678): the digits
# left still narrow the holder down, as the last digits told alone do (手机后三码).  The shape of
# a mobile or an area-coded line, 9-10 places with at least two of them x or *; led by 0 or (.
PARTLY_HIDDEN = re.compile(r"[0(](?<![0-9A-Za-z][0(])(?:(?<=\()0[0-9]{1,2}\)|(?<=0)[0-9]{1,3})[ \t\-]?[0-9xX*]{2,4}"
                           r"[ \t\-]?[0-9xX*]{3,4}(?![0-9A-Za-z*])")


def find_partly_hidden(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of phone numbers with some digits written x or * (PARTLY_HIDDEN)."""
    out = []
    for m in PARTLY_HIDDEN.finditer(simplified):
        g = m.group()
        hidden = sum(c in "xX*" for c in g)
        places = hidden + sum(c.isdigit() for c in g)
        if hidden >= 2 and 9 <= places <= 10 and (g.startswith("09") or g.startswith("(0") or places == 9 or g[1] in "2345678"):
            out.append(m.span())
    return out

