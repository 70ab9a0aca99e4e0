"""Identifiers where none belong: a kept text column that carries one (D1).

Most columns are checked by their type (a date, a code of a domain, an integer), and
identifying ones are re-coded, dropped or scrubbed.  A few are kept as short text because
their values are words and figures - a lab result ("Negative", "2+", "5.6"), its unit or
reference range, an item or drug name, a body part.  Nothing stops a source system from
putting a person's national ID, phone number or e-mail address there (a result typed into
the wrong field, a remark appended to a value), and a kept column is released as it is.

So every kept text column is checked, in the load's single scan, for the identifiers that can
be told by their shape without guessing: a checksum-valid national ID or resident certificate
number, a Taiwanese mobile or landline number, an e-mail address, a web address.  A row with
one is not loaded: it goes to the quarantine with its line and column - never the value - for
the steward to correct at the source (default deny: a kept column is not a place to mask).
Names cannot be told by shape in a column of Chinese item names (drug and test names contain
surname characters): they are the free-text scrubber's job, in the columns declared as text.

Full-width characters (０-９, Ａ-Ｚ, the ideographic space and full-width dash) are read as
their ASCII forms, and spaces, dashes and brackets inside a number are ignored, so ``A１２３
456789`` and ``(02) 2345-6789`` are found as written.
"""
from __future__ import annotations

from datasets.load import sql as S

_FULL = "".join(chr(0xFF10 + i) for i in range(10)) + "".join(chr(0xFF21 + i) for i in range(26)) \
    + "".join(chr(0xFF41 + i) for i in range(26)) + "\u3000\uff0d\uff08\uff09\u2010\u2011\u2012\u2013\u2014\uff0b"
_HALF = "0123456789" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "abcdefghijklmnopqrstuvwxyz" + " -()-----+"

# What each shape is called in the quarantine's reason.
NATIONAL_ID = "a national ID / resident certificate number"
PHONE = "a phone number"
EMAIL = "an e-mail address"
WEB = "a web address"


def _ascii(v: str) -> str:
    return f"upper(translate({v}, {S.lit(_FULL)}, {S.lit(_HALF)}))"


def _joined(v: str) -> str:
    """The value with spaces, dashes and brackets taken out (they split numbers for reading)."""
    return f"regexp_replace({_ascii(v)}, '[ \\t()+-]', '', 'g')"


def conditions(v: str) -> list[tuple[str, str]]:
    """(SQL condition, what it found) for one kept text column's value ``v``; each condition is
    true when the value carries that identifier."""
    j = _joined(v)
    ids = (f"list_bool_or(list_transform(regexp_extract_all({j}, "
           f"'([A-Z][A-D0-9][0-9]{{8}})', 1), lambda x: {S.twid_ok('x')}))")
    # a number of its own (not inside a longer run of digits or a decimal): mobile 09 + 8
    # digits; landline 0 + area code 2-8 + 7 or 8 digits (with 886 for 0 as well)
    phone = (f"regexp_matches({j}, '(^|[^0-9.])(0|886)(9[0-9]{{8}}|[2-8][0-9]{{7,8}})($|[^0-9.])')")
    email = f"regexp_matches({_ascii(v)}, '[A-Z0-9._%+-]+@[A-Z0-9-]+(\\.[A-Z0-9-]+)*\\.[A-Z]{{2,}}')"
    web = f"regexp_matches({_ascii(v)}, '(HTTPS?://|WWW\\.)[A-Z0-9]')"
    return [(f"coalesce({ids}, false)", NATIONAL_ID), (phone, PHONE), (email, EMAIL), (web, WEB)]


def checks(column: str, v: str) -> list[tuple[str, str]]:
    """(condition, quarantine reason) pairs in the loader's ``column<TAB>message`` form."""
    return [(f"{v} IS NOT NULL AND {cond}",
             f"{column}\tholds what looks like {what} (D1): a kept column must not carry an "
             f"identifier; the row is not loaded - correct the source")
            for cond, what in conditions(v)]
