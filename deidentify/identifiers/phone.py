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

# Longest area codes first so 0826 wins over 082 and 037 over 03.
_AREAS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("826", (5,)), ("836", (5,)),
    ("37", (6,)), ("49", (7,)), ("89", (6,)), ("82", (6,)),
    ("2", (8,)), ("3", (7,)), ("4", (7, 8)), ("5", (7,)), ("6", (7,)), ("7", (7,)), ("8", (7,)),
)
_NON_DIGIT = re.compile(r"\D")


def national_number(text: str) -> str | None:
    """The digits after 0/+886 when ``text`` is a well-formed Taiwan number, else None.

    Extensions (``#123``, ``ext 12``, ``分機12``) must be cut off by the caller.
    """
    raw = text.strip()
    digits = _NON_DIGIT.sub("", raw)
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
    return nsn if _valid_nsn(nsn) else None


def _valid_nsn(nsn: str) -> bool:
    if not nsn or nsn[0] == "0":
        return False
    if nsn[0] == "9":
        return len(nsn) == 9
    for area, lengths in _AREAS:
        if nsn.startswith(area):
            rest = nsn[len(area):]
            return len(rest) in lengths and rest[0] in "23456789"
    return False


def kind(text: str) -> str | None:
    """'mobile', 'landline' or None."""
    nsn = national_number(text)
    if nsn is None:
        return None
    return "mobile" if nsn[0] == "9" else "landline"


def is_valid(text: str) -> bool:
    return national_number(text) is not None
