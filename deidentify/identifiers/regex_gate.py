"""Faster scans with the same matches (the scrubber's speed, issue 14).

Python's regex engine skips at C speed to the next place where a pattern can start only when
the pattern opens with a literal or a character set; a pattern that opens with a look-around,
an optional part or a long alternation is tried at every character, each branch in turn.
``Gated`` tries the pattern only where a cheap character-set regex matches; ``by_first_char``
groups a literal alternation under its first characters.  Neither changes what matches.
"""
from __future__ import annotations

import re
from collections.abc import Iterator


class Gated:
    """``rx`` tried only where ``gate`` matches.  ``gate`` must match at every place where
    ``rx`` can start (it may match at more); ``search`` and ``finditer`` then give what
    ``rx``'s own do, since a look-behind in ``rx`` still sees the text before the place."""

    def __init__(self, rx: re.Pattern[str], gate: str) -> None:
        self.rx, self.gate, self.pattern = rx, re.compile(gate), rx.pattern

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.rx.match(text, pos, len(text) if endpos is None else endpos)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        gate, match = self.gate.search, self.rx.match
        while (g := gate(text, pos, end)) is not None:
            if (m := match(text, g.start(), end)) is not None:
                return m
            pos = g.start() + 1
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        while (m := self.search(text, pos, endpos)) is not None:
            yield m
            pos = m.end() if m.end() > m.start() else m.start() + 1


def first_char_groups(alternation: str) -> dict[str, str]:
    """{first character: the rest of each alternative opening with it, as one alternation, in
    their order} for a literal alternation (see ``by_first_char``)."""
    alts, depth, cur = [], 0, ""
    for ch in alternation:
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            alts.append(cur)
            cur = ""
        else:
            cur += ch
    alts.append(cur)
    groups: dict[str, list[str]] = {}
    for w in alts:
        if not w or w[0] in "\\[](){}.*+?^$|" or w[0].lower() != w[0]:
            raise ValueError(f"regex_gate.by_first_char: alternative {w!r} must open with a plain "
                             "character (lower case under (?i))")
        groups.setdefault(w[0], []).append(w[1:])
    return {f: "|".join(rest) for f, rest in groups.items()}


# What (?i) lets a first letter stand for besides its two ASCII cases (Python's case-insensitive
# matching; tests/deidentify/test_literal_first.py checks the table over every code point).
CASE_FORMS = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}


def literal_led(alternation: str, firsts: str | None = None) -> str:
    """A literal alternation matched case-insensitively (as ``by_first_char`` takes it), written
    so that every branch opens with a literal: one branch per form of each first character (both
    cases, and what else (?i) lets it stand for), the rest under (?i), all inside (?-i:...).
    Python's engine then reads a set of first characters off the pattern, even inside a
    case-insensitive one, and skips to them at C speed; an alternation under (?i), or behind a
    look-ahead, is tried at every position.  The same matches, in the same order.  ``firsts``:
    keep only alternatives opening with one of these (what a look-ahead in front allowed)."""
    return "(?-i:" + "|".join(f"{c}(?i:(?:{rest}))" for f, rest in first_char_groups(alternation).items()
                              if firsts is None or f in firsts
                              for c in dict.fromkeys(f + f.upper() + CASE_FORMS.get(f, ""))) + ")"


def by_first_char(alternation: str) -> str:
    """The same alternation with its alternatives grouped under their first character, in
    their order within a group.  Alternatives with different first characters never match at
    the same place, so the one that matches first is unchanged; the engine then tries one
    branch per first character instead of every alternative.  Each alternative must open with
    a plain character (no escape, set or group; lower case, for use under (?i))."""
    return "|".join(f"{f}(?:{rest})" for f, rest in first_char_groups(alternation).items())
