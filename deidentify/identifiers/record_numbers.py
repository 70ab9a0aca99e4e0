"""Medical record numbers and NHI card numbers in free text.

- Record numbers have no fixed shape across hospitals (digits, a letter prefix, hyphens), so a
  label decides: 病歷號(碼), 病歷編號, 病歷#, 病號, 住院號, 門診號, 就診號, 床號? no — MRN,
  chart no., medical record no.; the token after it (digits with optional letters and
  hyphens, at least four digits) is the number.
- NHI card numbers (健保卡號) are twelve digits, written in groups of four or unbroken; after a
  card label any twelve digits are one, and without a label an unbroken or grouped twelve-digit
  run starting 0000 (the common issue prefix) is one.
Matching runs on normalised text (half-width, Simplified; same offsets).
"""
from __future__ import annotations

import re

from deidentify.identifiers.regex_gate import first_char_groups
from deidentify.regex_cache import compiled

_SEP = r"[ \t.\-_·‧•・]"
MRN_LABEL = (r"(?:病历号码|病历号|病历编号|病历码|病历#|病历no\.?|病历|病号|住院号|住院编号|门诊号|门诊编号|就诊号|归档号"
             r"|病患编号|病人编号|个案编号|个案号|收案编号|mrn|m\.r\.n\.?"
             r"|chart[ \t]*(?:no\.?|number|#|id)|chart(?=[ \t]*[:：]?[ \t]*[a-z]{0,3}[0-9])|pid|patient[ \t]*id|pt[ \t]*id|medical[ \t]+record[ \t]*(?:no\.?|number|#)?|record[ \t]*(?:no\.?|#)"
             r"|hospital[ \t]*(?:no\.?|number)|pt[ \t]*no\.?|patient[ \t]*(?:no\.?|number))")
_MRN_GAP = r"[ \t]*(?:[:：#=为是]|no\.?)?[ \t]*[:：#]?[ \t]*"
# (blanks after a hyphen: a number wrapped over a line at its hyphen, normalise.join_broken_lines)
# (D1, round 5: a value wrapped before its dash, MRN 0080⏎-9754, reads 0080 -9754 once joined)
_MRN_TOKEN = r"(?P<n>[a-z]{0,4}[ \t\-]{0,5}[0-9][0-9a-z]*(?:[\-/][ \t\-]{0,4}[0-9a-z]+|[ \t]-[0-9]{3,}){0,3})(?![0-9a-z])"
PLAIN_MRN = r"(?=[病住门就归个收mMcCrRhHpP])" + MRN_LABEL + _MRN_GAP + _MRN_TOKEN     # (under re.IGNORECASE)
# The same, each label opening with its first character as a literal (both cases of a letter) and
# the rest under (?i): a pattern opening with a look-ahead, or compiled case-insensitive, is tried
# at every position; this one is skipped to its first characters at C speed.
MRN = compiled("(?:" + "|".join(f"{c}(?i:(?:{rest}))" for f, rest in first_char_groups(MRN_LABEL[3:-1]).items()
                                if f in "病住门就归个收mcrhp" for c in dict.fromkeys((f, f.upper())))
               + ")(?i:" + _MRN_GAP + _MRN_TOKEN + ")")

CARD_LABEL = r"(?:健保ic卡号|健保卡卡号|健保卡号码|健保卡号|健保卡|ic卡号|卡号|nhi[ \t]*(?:ic[ \t]*)?card(?:[ \t]*(?:no\.?|number|#))?)"
_TWELVE = r"(?P<n>[0-9]{4}" + _SEP + r"{0,2}[0-9]{4}" + _SEP + r"{0,2}[0-9]{4})(?![0-9])"
CARD = compiled(r"(?=[健iIkKnN卡])" + CARD_LABEL + r"[ \t]*[:：#=为是]?[ \t]*" + _TWELVE, re.IGNORECASE)
CARD_BARE = compiled(r"(?<![0-9])(?P<n>0000" + _SEP + r"?[0-9]{4}" + _SEP + r"?[0-9]{4})(?![0-9])")
# For prefilters: the Chinese labels and bare 0000 runs; English labels (mrn, chart no.) are
# matched separately, case-insensitively, only where such a word starts.
LABELS = compiled(r"病历|病号|住院号|住院编号|门诊号|门诊编号|就诊号|归档号|病患编号|病人编号|个案编号|个案号|收案编号|健保|卡号|(?<![0-9])0000")
LATIN_LABELS = compiled(r"(?<![a-z])(?:mrn|m\.r\.n|chart|pid|patient[ \t]*id|pt[ \t]*id|medical[ \t]+record|record[ \t]*(?:no|#)|hospital[ \t]*(?:no|number)"
                        r"|pt[ \t]*no|patient[ \t]*(?:no|number)|nhi|ic卡)", re.IGNORECASE)


# (D1, round 3) A form or fax prints a number's label on one line and the number on the next
# (病历号码⏎1234567, MRN:⏎A1120345): after a label that says "number", the value alone on the next
# line is the number.  (Bare 病历 is left out: 病历⏎2023-01-05 门诊 is a record's date.)
MRN_NEXT_LINE = compiled(r"(?:病历号码|病历号|病历编号|住院号|住院编号|门诊号|门诊编号|就诊号|(?<![a-z])mrn|chart[ \t]*no\.?)"
                         r"[ \t]*[:：#]?[ \t]*(?:\r\n|\r|\n)[ \t]*(?P<n>[a-z]{0,4}[0-9][0-9\-]{3,15})(?![0-9a-z\-])",
                         re.IGNORECASE)


def find_mrn(simplified: str) -> list[tuple[int, int]]:
    out = []
    for m in MRN.finditer(simplified):
        a, b = m.span("n")
        token = simplified[a:b]
        if sum(c.isdigit() for c in token) >= 4:
            out.append((a, b))
    if "\n" in simplified or "\r" in simplified:
        out += [m.span("n") for m in MRN_NEXT_LINE.finditer(simplified)
                if sum(c.isdigit() for c in m.group("n")) >= 4 and not any(a <= m.start("n") < b for a, b in out)]
    return out


# Every card number is twelve digits in three groups of four (a scan opening with a character
# set: the engine skips to digits at C speed); a text without one is not scanned for cards.
PLAIN_CARD_GATE = r"[0-9]{4}" + _SEP + r"{0,2}[0-9]{4}" + _SEP + r"{0,2}[0-9]{4}"
# (the first digit on its own: a pattern opening with a repeat gives the engine no set to skip to)
CARD_GATE = compiled(r"[0-9][0-9]{3}" + _SEP + r"{0,2}[0-9]{4}" + _SEP + r"{0,2}[0-9]{4}")


def find_nhi_card(simplified: str) -> list[tuple[int, int]]:
    if not CARD_GATE.search(simplified):
        return []
    return [m.span("n") for rx in (CARD, CARD_BARE) for m in rx.finditer(simplified)]
