"""Initials at a report's foot (D1, round 6): the transcriptionist and the reader.

Pathology and radiology reports end with who read and who typed them: "Dr. 陳 / YCL",
"Transcribed by MLH", "謄打 JHW", "typist: CWT".  Two to four capitals there are one person's
initials (in a small department, the person); elsewhere the same capitals are abbreviations
(ICU, RLL, CBC), so only these places are read:
- after a typing word (transcribed by, typed by, typist, transcriptionist, 謄打, 打字, 繕打, 謄寫),
  a colon or blank between;
- after a slash that follows a doctor's name or surname (Dr. 陳/YCL, 林醫師 / PTL, Dr. Lin/SYC).
Works on the normal form (half-width, Simplified; same offsets).  Bounded patterns only.
"""
from __future__ import annotations

import re

_CAPS = r"(?P<n>[A-Z]{2,4}|[A-Z]\.[A-Z]\.(?:[A-Z]\.)?)(?![A-Za-z0-9])"
# the typing word, then the initials (upper case as typed; the word in any case)
AFTER_TYPING = re.compile(r"(?<![A-Za-z])(?:(?i:transcribed[ \t]+by|typed(?:[ \t]+by)?|typist|transcriptionist|t/s)"
                          r"|誊打|打字|缮打|誊写|打字员|誊打者)[ \t]*[:：]?[ \t]*" + _CAPS)
# a doctor's name (a Latin title and a Han or Latin surname, or a Han name before 医师) then a slash
AFTER_READER = re.compile(r"(?:(?<![A-Za-z])(?i:dr)\.?[ \t]*(?:[\u4e00-\u9fff]{1,3}|[A-Z][a-z]{1,12})|[\u4e00-\u9fff]{1,3}医师)"
                          r"[ \t]*/[ \t]*" + _CAPS)
GATES = (re.compile(r"[TtTt](?i:ranscri|yp|/s)|誊|打字|缮打"), re.compile(r"/[ \t]*[A-Z]{2}"))


def find(simp: str) -> list[tuple[int, int]]:
    """(start, end) of initials at a report's foot."""
    return [m.span("n") for rx in (AFTER_TYPING, AFTER_READER) for m in rx.finditer(simp)]
