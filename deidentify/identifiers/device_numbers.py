"""Numbers that name one exam, specimen or machine without a label before them (D1, round 4).

``labelled`` masks what follows 檢查號/切片號/Specimen ID/S/N; reports also cite them bare
(比較 prior exam S25-63803, 外院借片原單位 19P65642, RA2024693648) and write a device's network card
(MAC 78-AC-C1-22-A1-3B) or a serial after two labels (機器序號 S/N SN04248550).  Each leads back
to one patient's exam, or to the machine and day of it.
- accession shapes: letters and a year then a dash and 4-6 digits (S25-63803, M20-8656); two year
  digits, one letter, 5-6 digits (19P65642); 1-3 letters then 9-12 digits (RA2024693648,
  CT123403100).  An NHI drug code (two letters, eight digits: AC49367100) and an ICD code (C34.90)
  have other lengths; a letter or digit around it (CYP3A4, HbA1c) makes it part of a word;
- MAC addresses: six hexadecimal pairs joined by ``-`` or ``:`` (the colon form also reads as IPv6);
- a serial after S/N or SN written after another serial label (序號 S/N X, Serial No. S/N: X).
Runs on normalised text (half-width, Simplified; same offsets); case is kept.
"""
from __future__ import annotations

import re

ACCESSION = re.compile(
    r"(?<![0-9A-Za-z\-.])(?:[A-Z]{1,2}[0-9]{2}-[0-9]{4,6}|[0-9]{2}[A-Z][0-9]{5,6}|[A-Z]{1,3}[0-9]{9,12})(?![0-9A-Za-z\-])")
MAC = re.compile(r"(?<![0-9A-Fa-f:\-])[0-9A-Fa-f]{2}([:\-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f:\-])")
SERIAL_AFTER_SN = re.compile(r"(?<![A-Za-z])[Ss](?:/[Nn]|[Nn])[ \t]*(?:[:：#][ \t]*|no\.?[ \t]*)?(?P<v>[A-Za-z0-9][A-Za-z0-9\-_/.]{3,30}[A-Za-z0-9])")
# What every match holds, each opening with a character set (the engine skips to it at C speed):
# the scrubber's prefilter runs each alone, this module's gate all of them.
GATES = (r"[A-Z][0-9]{2}-[0-9]{4}", r"[0-9]{2}[A-Z][0-9]{5}", r"[A-Z][0-9]{9}",
         r"[0-9A-Fa-f]{2}[:\-][0-9A-Fa-f]{2}[:\-][0-9A-Fa-f]{2}[:\-]", r"[Ss](?<![A-Za-z].)/?[Nn](?![a-z])")
GATE = re.compile("|".join(GATES))

def find(simplified: str) -> list[tuple[int, int]]:
    """(start, end) of bare accession numbers, MAC addresses and serials after S/N."""
    if not GATE.search(simplified):
        return []
    out = [m.span() for m in ACCESSION.finditer(simplified)]
    out += [m.span() for m in MAC.finditer(simplified)]
    out += [m.span("v") for m in SERIAL_AFTER_SN.finditer(simplified)
            if sum(c.isdigit() for c in m.group("v")) >= 4]
    return out
