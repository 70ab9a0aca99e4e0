"""Characters no one types into a form, refused wherever people's words come in (A3, A5, E4).

Names, purposes, titles, comments and reasons are shown on pages to reviewers, stewards and
auditors, written into the audit log and printed by the CLI.  A few invisible characters let
such a string lie about itself there:

- terminal control (C0 other than tab/newline/carriage return - NUL has the apps' own filter -, DEL, C1 - ESC starts the ANSI
  sequences that recolour, move the cursor or clear a reviewer's terminal);
- bidirectional embeddings, overrides and isolates (U+202A-E, U+2066-9): ``file<U+202E>txt.exe``
  reads backwards, a reason can show words in another order than they were written;
- line and paragraph separators (U+2028/9), which some viewers break lines on, forging a
  log line the way a raw newline would in a one-line field.

Ordinary text passes: every script (Chinese, full-width forms), emoji with their joiners,
tab, newline, the left-to-right and right-to-left marks (U+200E/F, used in mixed text).
Refused, not stripped: what was said is either kept as written or not taken (default deny).
"""
from __future__ import annotations

import re

_UNSAFE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def unsafe_char(text: str) -> str | None:
    """The first refused character of ``text`` as ``U+XXXX`` (None: the text is acceptable)."""
    m = _UNSAFE.search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def unsafe_in(value) -> str | None:
    """:func:`unsafe_char` over every string (keys too) of a decoded JSON value."""
    if isinstance(value, str):
        return unsafe_char(value)
    if isinstance(value, dict):
        for k, v in value.items():
            if (bad := unsafe_in(k) or unsafe_in(v)):
                return bad
    elif isinstance(value, list):
        for v in value:
            if (bad := unsafe_in(v)):
                return bad
    return None


def message(code: str) -> str:
    return (f"the text holds an invisible control character ({code}: terminal control, a "
            "bidirectional override or a line separator); remove it and send again")
