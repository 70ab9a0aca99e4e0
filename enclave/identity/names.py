"""How a person's name is compared when the comparison decides a conflict (A1, E4).

A name typed into something filed - an IRB certificate's investigators, most of all - is compared
with accounts' user names and display names to find who is *not* independent of a case.  The
filer chooses the spelling, so a comparison that a look-alike spelling defeats would make the
filer's choice a grant of independence: "Rіta Lin" with a Cyrillic і, a full-width "Ｒita",
"Rita  Lin" with two spaces, "Rita\u200bLin" with a zero-width space.  ``skeleton`` folds all of
those to one form (compatibility forms, case, spaces and punctuation, invisible characters and
the Cyrillic and Greek letters that look Latin), so a look-alike counts as the same name.  Used
only where a wider match refuses more (a conflict), never where it would let more through.
"""
from __future__ import annotations

import unicodedata

# Cyrillic and Greek letters (after casefold) that a reader takes for Latin ones
_LOOK_ALIKE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
    "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "г": "r", "ɡ": "g", "ı": "i",
    "α": "a", "β": "b", "ε": "e", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ζ": "z",
})


def skeleton(name: str) -> str:
    """``name`` folded so look-alike spellings compare equal ("" for a name of no letters)."""
    s = unicodedata.normalize("NFKC", name or "").casefold()
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if unicodedata.category(c)[0] not in "MZPC")  # marks, spaces, punct, invisible
    return s.translate(_LOOK_ALIKE)
