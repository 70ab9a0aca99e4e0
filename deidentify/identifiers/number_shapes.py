"""Numbers written in ways the phone, ID, record and plate finders do not read (D1, round 5).

- A phone or ID said in parts with words between them, as a call or a LINE message is written
  down: 0912 後面是 345678, 0912，再來345，最後678, A163 後面 819680.  The digits must make a
  whole number (a mobile's ten digits; an ID's checksum), so "0912 後面 3 顆" is none.
- A record number spaced digit by digit after its label, as a scanned form prints it
  (病歷號 4 8 8 5 3 5 5 3, MRN 3 0 9 8 - 0 5 5 9).
- A plate with a blank for its dash after a vehicle word (車號 KNQ 6275, 騎車 DUA 4957).
- An IPv4 address with its port (192.168.7.36:104: the port names the service on that host).
- A LINE handle after LINE without a colon (LINE wati_88) and a bank account after its label in
  any grouping ((910) 4564-5263-1296).
- A MAC address in Cisco's dotted form (001a.2b3c.4d5e) anywhere, or twelve hex digits after a
  MAC label.
Runs on normalised text (half-width, Simplified; same offsets).  Every pattern is linear: each
repeat is bounded and its pieces cannot match the same characters two ways.
"""
from __future__ import annotations

import re

from deidentify.identifiers import taiwan_id
from deidentify.regex_cache import compiled

# words said between the parts of a number: "after that", "then", "last"
_FILLER = r"(?:后面是?|后面的?|再来是?|接[着著]是?|然后是?|最后是?|后[四五六七]码是?)"
_GAP = r"[ \t]*[,，、:：]?[ \t]*" + _FILLER + r"[ \t]*[,，、:：]?[ \t]*"
GAPPED_PHONE = compiled(r"(?<![0-9])09[0-9]{2}(?:" + _GAP + r"[0-9]{2,6}){1,3}(?![0-9])")
GAPPED_ID = compiled(r"(?<![A-Za-z0-9])[A-Za-z][0-9]{1,8}(?:" + _GAP + r"[0-9]{1,8}){1,2}(?![0-9])")
SPACED_RECORD = compiled(
    r"(?i:病历号码|病历号|病历|病号|mrn|chart(?:[ \t]*no\.?)?)[ \t]*[:：#]?[ \t]*"
    r"(?P<n>(?:[A-Za-z][ \t])?[0-9](?:[ \t](?:-[ \t])?[0-9]){5,15})(?![0-9])")
# a LINE handle told without a colon (LINE wati_88): it must hold a digit, dot or underscore, so
# "LINE 聯絡" or "line up" is none; a bank account after its label whatever its grouping
LINE_HANDLE = compiled(r"(?i:(?<![a-z])line)(?:[ \t]*id)?[ \t]+(?P<h>@?[A-Za-z][A-Za-z0-9._\-]{1,29}[A-Za-z0-9])(?![A-Za-z0-9._\-])")
BANK = compiled(r"(?:帐号|账号|帐户|账户|(?i:account|acct)(?:[ \t]*no\.?)?)[ \t]*[:：]?[ \t]*"
                r"(?P<v>\(?[0-9]{3}\)?[ \t\-]?[0-9]{2,7}(?:[ \t\-][0-9]{2,7}){0,4})(?![0-9])")
PLATE_SPACED = compiled(
    r"(?:车号|车牌|骑车|开车|骑机车|机车|(?i:plate|car|scooter))[ \t:：]{0,3}(?:是|为)?[ \t]*"
    r"(?P<p>[A-Z]{2,3}[ \t][0-9]{4}|[0-9]{3,4}[ \t][A-Z]{2,3})(?![A-Za-z0-9])")
IP_PORT = compiled(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}:[0-9]{2,5}(?![0-9])")
MAC_DOTTED = compiled(r"(?<![0-9A-Za-z.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Za-z.])")
MAC_BARE = compiled(r"(?i:(?<![a-z])mac)(?:[ \t]*(?:address|addr))?[ \t]*[:：]?[ \t]*(?P<v>[0-9A-Fa-f]{12})(?![0-9A-Za-z])")
# what every match holds (the scrubber's prefilter and this module's gate)
GATES = (r"[后再接然最][面来着著后四五六七]", r"[0-9][ \t][0-9][ \t][0-9][ \t][0-9]", r"[A-Z][ \t][0-9]{4}",
         r"[0-9]{3}[ \t][A-Z]{2}", r"[0-9]\.[0-9]{1,3}:[0-9]", r"[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.", r"(?i:mac)",
         r"(?i:line)[ \t]", r"[帐账][号户]", r"(?i:acc(?:oun)?t)")
GATE = compiled("|".join(GATES))


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def find_phones(simplified: str) -> list[tuple[int, int]]:
    """Mobiles told in parts with words between (ten digits in all)."""
    if not GATE.search(simplified):
        return []
    return [m.span() for m in GAPPED_PHONE.finditer(simplified) if len(_digits(m.group())) == 10]


def find_ids(simplified: str) -> list[tuple[int, int, str]]:
    """IDs, plates, spaced records, IPs with a port and MACs as (start, end, kind)."""
    if not GATE.search(simplified):
        return []
    out: list[tuple[int, int, str]] = []
    for m in GAPPED_ID.finditer(simplified):
        compact = m.group()[0].upper() + _digits(m.group())
        if len(compact) == 10 and taiwan_id.is_valid(compact):
            out.append((*m.span(), "ID"))
    out += [(*m.span("n"), "ID") for m in SPACED_RECORD.finditer(simplified)]
    out += [(*m.span("p"), "PLATE") for m in PLATE_SPACED.finditer(simplified)]
    out += [(*m.span(), "IP") for m in IP_PORT.finditer(simplified)]
    out += [(*m.span(), "ID") for m in MAC_DOTTED.finditer(simplified)
            if any(c.isdigit() for c in m.group()) and any(c.isalpha() for c in m.group())]
    out += [(*m.span("v"), "ID") for m in MAC_BARE.finditer(simplified)]
    out += [(*m.span("h"), "ACCOUNT") for m in LINE_HANDLE.finditer(simplified) if re.search(r"[0-9._]", m.group("h"))]
    out += [(*m.span("v"), "ACCOUNT") for m in BANK.finditer(simplified) if len(_digits(m.group("v"))) >= 8]
    return out
