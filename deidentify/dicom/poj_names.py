"""Taiwanese (Hokkien) names romanised in Pe̍h-ōe-jī (POJ) or Tâi-lô in the values a DICOM object
keeps (D1, round 8): "Tân Bí-lē", "Lîm Kim-tsuí", "Ng A-hok", "Tiuⁿ Chhun-hoa", "Gô͘ Bûn-hiông".

The romanised-name rules (``asian_names``) read Mandarin, Cantonese, Korean, Japanese and
Vietnamese spellings; POJ writes letters they do not split words at (ⁿ for a nasal vowel, o͘ with
a dot beside it, the vertical tone line of o̍), tone numbers where marks cannot be typed ("Tan5
Bi2-le7") and syllables no Mandarin spelling has (chh, tsh, -nn, -oo, -ok).  Here a value is
folded first (ⁿ → nn, o͘ → oo, marks dropped, tone digits after a syllable dropped) and then:

- a Hokkien surname followed by a hyphen-joined given name of Hokkien syllables is a name
  ("Tan Bi-le", "LIM KIM-TSUI", "Ng A-hok");
- a given name alone is one when it cannot be anything else: it carried tone marks, opens with
  the A- of a Taiwanese pet name (A-hok, A-bin) or holds a syllable only Hokkien spells (Kim-tsuí,
  Chhun-hoa; not "Bi-le", which English hyphenates too);
- a surname written with a tone mark is a name even alone ("Tân", "Lîm", "Ông").

Wrong guesses cost a label (removed whole) or an SR word (masked); a name missed costs a person.
"""
from __future__ import annotations

import re
import unicodedata

# Hokkien surnames as both systems spell them, folded (陳 Tân, 林 Lîm, 黃 Ng/N̂g, 張 Tiuⁿ/Tiunn …)
SURNAMES = frozenset("""
tan lim ng ong tiunn tiu li goo go tshua chhoa tsua iunn khoo kho lau tenn sia ho koo ko ang kang chiunn
tsiunn loo lo tsiu chiu iu soo so phuann phoann khu lu ui ti tsan chan ngoo oo tng png khng ang thio
kho tsng chng siau khoo tsioh chioh tsiong chiong bok bo phang thang ian tsing ching kuan koan
""".split())

_INITIALS = ("", "p", "ph", "b", "m", "t", "th", "n", "l", "k", "kh", "g", "ng", "h", "ch", "chh", "ts", "tsh",
             "j", "s")
_FINALS = """a ah ai aih au auh am an ang ap at ak ann ainn aunn annh e eh enn i ih ia iah iau iauh iam ian iang iap
iat iak iann iaunn io ioh iok iong iu iuh iunn im in ip it ik inn ing eng ek o oh oo ok om ong onn oonn u uh ua uah
uai uan uat uann ue ueh uenn ui uinn un ut oa oah oai oan oat oe oeh oann m ng""".split()
SYLLABLES = frozenset(i + f for i in _INITIALS for f in _FINALS) | {"m", "ng", "hm", "hng", "sng", "tng", "png",
                                                                     "khng", "mng", "nng"}
# spellings only Hokkien writes (Mandarin and English spell none of them at a syllable's start or end)
_HOKKIEN_ONLY = re.compile(r"^(?:chh|tsh|ts|kh|ph|th|ng[aeiou])|nn$|oo")
_TONE_DIGIT = re.compile(r"(?<=[a-z])[1-8](?![0-9])")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_MARKS = re.compile(r"[\u0300-\u036f]")


def _fold_char(c: str) -> str:
    if c == "\u207f":                       # ⁿ: nasal vowel, written nn in Tâi-lô
        return "nn"
    if c.isascii() or not c.isalpha():
        return c
    base = unicodedata.normalize("NFKD", c)[0]
    return base if base.isascii() else c


def fold(text: str) -> tuple[str, list[int]]:
    """(lower-case ASCII reading of ``text``, for each of its characters the index in ``text``
    it came from).  o͘ (o + U+0358) reads oo; combining marks go; a tone digit after a letter goes."""
    out: list[str] = []
    src: list[int] = []
    for k, c in enumerate(str(text)):
        if c == "\u0358":
            out.append("o")
            src.append(k)
            continue
        if _MARKS.match(c):
            continue
        for ch in _fold_char(c.lower()):
            out.append(ch)
            src.append(k)
    folded = "".join(out)
    keep = [i for i in range(len(folded)) if not (folded[i] in "12345678" and _TONE_DIGIT.match(folded, i))]
    return "".join(folded[i] for i in keep), [src[i] for i in keep]


def _given(token: str) -> bool:
    parts = token.split("-")
    return 2 <= len(parts) <= 3 and all(p in SYLLABLES for p in parts) and not all(len(p) == 1 for p in parts)


def _marked(original: str) -> bool:
    """Written with a tone mark, ⁿ, o͘ or a tone digit: no English or device word is."""
    return any(not c.isascii() for c in original) or bool(re.search(r"[A-Za-z][1-8]\b", original))


def name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of each POJ or Tâi-lô name found (module docstring)."""
    text = str(text)
    folded, src = fold(text)
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
    spans: list[tuple[int, int]] = []

    def span(a: int, b: int) -> tuple[int, int]:
        end = src[b - 1] + 1
        while end < len(text) and (text[end] in "12345678\u0358" or _MARKS.match(text[end])):
            end += 1      # the tone digit or mark after the last letter goes with the name
        return src[a], end

    for i, (tok, a, b) in enumerate(words):
        original = text[span(a, b)[0]:span(a, b)[1]]
        nxt = words[i + 1] if i + 1 < len(words) else None
        gap = folded[b:nxt[1]] if nxt else ""
        if tok in SURNAMES and nxt and _given(nxt[0]) and re.fullmatch(r"[ ^,]{1,2}", gap):
            spans += [span(a, b), span(nxt[1], nxt[2])]          # "Tân Bí-lē", "NG^A-HOK"
        elif tok in SURNAMES and _marked(original) and len(tok) >= 2:
            spans.append(span(a, b))                              # "Tân", "Lîm" alone
        elif _given(tok) and (_marked(original) or tok.startswith("a-")
                              or any(_HOKKIEN_ONLY.search(p) for p in tok.split("-"))):
            spans.append(span(a, b))                              # "Bí-lē", "A-hok", "Kim-tsuí"
    return sorted(set(spans))


def names_in(text: str) -> bool:
    return bool(name_spans(text))


def mask(text: str, mask_with: str = "<NAME>") -> str:
    """``text`` with each POJ or Tâi-lô name replaced by ``mask_with``."""
    out, last = [], 0
    for a, b in name_spans(text):
        if a < last:
            continue
        out += [text[last:a], mask_with]
        last = b
    return "".join(out + [text[last:]])


__all__ = ["SURNAMES", "SYLLABLES", "fold", "mask", "name_spans", "names_in"]
