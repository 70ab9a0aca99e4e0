"""Identifiers split by a line's or a layout's break (D1, round 14).

A note wraps where its box ends, not where a word does: 姓名：王⏎大明, 病人龔⏎振遠, "Mr. Chen⏎Wei-Lun",
a table cell wrapped, a name cut by a full-width space, a zero-width character, a soft hyphen, an
HTML tag (病人<b>王</b>大明) or an entity (王&nbsp;大明).  The finders read a text as written, so a
name cut in two was read as two pieces or not at all.

The class is "a break a reader does not read inside a word".  Each text with such a break is read
a second time joined: between two Han characters (or after a label's colon) the break goes; between
two Latin words it becomes one blank; after a hyphen (Wei-⏎Lun) it goes.  To keep the cost small
only a window around each break is read again (``windows``), and only findings that cross a break
are kept (``crossing``): what lies wholly on one line the first reading already decided.
"""
from __future__ import annotations

import functools
import re

# one break element: a line end, a full-width or other wide blank, an invisible format character,
# a soft hyphen, an HTML tag or a blank entity; blanks and tabs around it go with it
_ELEMENT = (r"\r\n|[\n\r\u2028\u2029\u0085\u000b\u000c\u3000\u00a0\u2000-\u200d\u2060\ufeff\u00ad\u180e\u202f\u205f"
            r"\u1680\u2800\u3164]"
            r"|<\s*+/?\s*+[A-Za-z][A-Za-z0-9]{0,10}(?:\s[^<>\n]{0,60})?/?\s*+>"
            r"|&(?:nbsp|ensp|emsp|thinsp|shy|zwsp|#160|#12288|#8203|#173|#xa0|#x3000|#x200b|#xad);")
# Blanks are taken possessively and a break opens only where a run of blanks does: tried from
# each blank of a long run (40 000 blanks before a title), the greedy form backtracked through
# the rest of the run from every one of them - the square of its length (egress's crafted outputs).
BREAK = re.compile(rf"(?<![ \t])(?:[ \t]*+(?:{_ELEMENT})[ \t]*+)++", re.IGNORECASE)
# a weak break: a blank or two, or one mark OCR or typing leaves inside a word (王 大明, 林|美玉, 林_美玉,
# 王~大明, 王/大明), between two Han characters; read joined only right after a surname
_MARKS = "|丨_~．-/﹍＿︱｜·‧・"
_WEAK = r"(?<=[\u4e00-\u9fff])(?:[ \t]{1,2}|[ \t]?[|丨_~．\-/﹍＿︱｜][ \t]?)(?=[\u4e00-\u9fff])"
ANY_BREAK = re.compile(rf"(?P<strong>(?<![ \t])(?:[ \t]*+(?:{_ELEMENT})[ \t]*+)++)|(?P<weak>{_WEAK})",
                       re.IGNORECASE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]")
_LABEL_END = frozenset(":：")
# a field's label opening the text after a break: one to three Latin words, then a colon (a Han
# join never reads a heading word into a name; a Latin one did: Tanaka Hiroshi⏎Specimen:)
_NEXT_LABEL = re.compile(r"[A-Za-z][A-Za-z.\-/]*(?:[ \t][A-Za-z][A-Za-z.\-/]*){0,2}[ \t]*[:：]")
# how much of the joined text around a break is read again: a label and a three-character name
# before it, a name and the word that tells it is a person after it
WINDOW = 16


def _join_as(text: str, m: re.Match) -> str | None:
    """What the break ``m`` reads as ('' or ' '), or None when it stays (it ends a text, or
    stands between a digit and a word: a table's cells, a list's items)."""
    a, b = m.start(), m.end()
    if a == 0 or b >= len(text):
        return None
    left, right = text[a - 1], text[b]
    if _NEXT_LABEL.match(text, b):
        return None                         # the next line is a field in Latin letters (Specimen: …)
    if _HAN.match(right) and (_HAN.match(left) or left in _LABEL_END):
        return ""
    if _HAN.match(right) and _LATIN.match(left):
        return ""                           # Budi Santoso⏎陪同: the Han act after a Latin name
    if _LATIN.match(right):
        if left == "-" and a >= 2 and _LATIN.match(text[a - 2]):
            return ""                       # Wei-⏎Lun
        if _LATIN.match(left) or left in ".,":
            return " "                      # Chen⏎Wei-Lun, Mr.⏎Chen
        if left in _LABEL_END:
            return " "
    return None


def join(text: str) -> tuple[str, list[int], list[int], frozenset[int]] | None:
    """``text`` with its reading breaks joined, the index of each kept character in ``text``
    (a blank put for a break points at the break's first character), the joined text's
    positions where a break was taken out, and those of them that were weak breaks (a blank or
    a mark).  None when no break joins."""
    if not ANY_BREAK.search(text):
        return None
    out: list[str] = []
    where: list[int] = []
    cuts: list[int] = []
    weak: list[int] = []
    pos = 0
    for m in ANY_BREAK.finditer(text):
        if m.lastgroup == "weak":
            # (text spaced out character by character, 高 血 壓, is split_names' to read)
            a, b = m.start(), m.end()
            if not _after_surname(text, a) or any(c.isspace() or c in _MARKS for c in text[a - 2:a - 1] + text[b + 1:b + 2]):
                continue
            joined = ""
            weak.append(len(where) + (m.start() - pos))
        else:
            joined = _join_as(text, m)
        if joined is None:
            continue
        out.append(text[pos:m.start()])
        where.extend(range(pos, m.start()))
        if joined:
            out.append(joined)
            where.append(m.start())
        cuts.append(len(where))        # (after a blank put for the break: 外籍看護：⏎Siti opens right there)
        pos = m.end()
    if not cuts:
        return None
    out.append(text[pos:])
    where.extend(range(pos, len(text)))
    return "".join(out), where, cuts, frozenset(weak)


def _after_surname(text: str, a: int) -> bool:
    """Is one of the two characters before ``a`` a surname (王 大明, 歐陽 娜娜, 林美|玉)?"""
    from deidentify.identifiers.chinese_names import _SURNAMES_S
    from deidentify.identifiers.given_chars import SPACED_SURNAMES
    from deidentify.identifiers.normalise import to_simplified

    before = to_simplified(text[max(0, a - 2):a])
    return any(c in _SURNAMES_S or c in SPACED_SURNAMES for c in before) or before in _SURNAMES_S


def windows(joined: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Spans of ``joined`` to read again: ``WINDOW`` characters either side of each cut, spans
    that touch merged."""
    spans: list[tuple[int, int]] = []
    for c in cuts:
        a, b = max(0, c - WINDOW), min(len(joined), c + WINDOW)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def crossing(joined: str, start: int, end: int, cuts: list[int], weak: frozenset[int] = frozenset()) -> bool:
    """Whether a finding ``[start, end)`` of the joined text holds a cut inside it, or touches one
    (opens right after it or ends right before it): the words across the break told it is a name
    (姓名：⏎王大明, 病人⏎湯如意　自述, 湯如意⏎自述聽到聲音).  A weak break only counts inside a
    finding (王 先生 stays: the title beside a surname is no part of a name cut in two)."""
    return any((start < c < end) if c in weak else (start <= c <= end and 0 < c < len(joined)) for c in cuts)


def opens_a_name(joined: str, start: int, end: int, cuts: list[int]) -> bool:
    """Does a Han finding that crosses a cut open with a surname (共 30 顆⏎邱成鑫主訴 read joined gave
    顆邱成鑫: the line's last word is no part of the name)?  A finding opening at the cut, or in
    Latin letters, is asked nothing more."""
    if start in cuts or not _HAN.match(joined[start:start + 1]):
        return True
    from deidentify.identifiers.chinese_names import _SURNAMES_S
    from deidentify.identifiers.given_chars import SPACED_SURNAMES
    from deidentify.identifiers.layout_names import _MORE_SURNAMES
    from deidentify.identifiers.normalise import to_simplified
    from deidentify.identifiers.rare_surnames import _SURNAMES as _RARE

    from deidentify.identifiers.solo_names import _JP_SURNAMES

    head = to_simplified(joined[start:start + 3])
    if not (any(head[:1] in group for group in (_SURNAMES_S, _MORE_SURNAMES, _RARE, SPACED_SURNAMES))
            or head[:2] in _SURNAMES_S or head[:2] in _JP_SURNAMES or head in _JP_SURNAMES):
        return False
    # ... and stands where a name starts on its own line: after a mark, a blank or a person word
    # (病人龔⏎振遠, 姓名：王⏎大明), not at a word's end (會診回覆單⏎照會醫師 read joined gave 單照會)
    if start == 0 or not _HAN.match(joined[start - 1]):
        return True
    from deidentify.identifiers.name_context import INTRODUCERS

    before = to_simplified(joined[max(0, start - 6):start])
    return any(before.endswith(w) for w in _introducers(INTRODUCERS))


@functools.cache
def _introducers(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in words if w and len(w) <= 6)


def span_back(text: str, where: list[int], start: int, end: int) -> tuple[int, int]:
    """A span of the joined text as a span of ``text`` (the breaks inside it go with it)."""
    return where[start], where[end - 1] + 1
